"""Spanish text of the credit contract's clauses, the pagaré and the debit authorisation.

Plain functions of :class:`~bank.signing.terms.Terms` returning reportlab mini-markup
(``<b>``); every value interpolated into markup is escaped first.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from bank.signing.layout import INSTITUTION
from bank.signing.terms import Terms


def _e(value: str) -> str:
    return escape(value)


def contract_opening(t: Terms) -> str:
    """Who appears and in what capacity."""
    member = t.member
    spouse = t.spouse
    text = (
        f"En la ciudad de {_e(t.data.city)}, el {t.issued_long}, comparecen a la celebración "
        f"del presente contrato, por una parte, la <b>{INSTITUTION}</b>, a quien en adelante "
        "se denominará «LA COOPERATIVA»; y, por otra parte, "
        f"<b>{_e(member.full_name)}</b>, con cédula de ciudadanía N° "
        f"{_e(member.identification)}, por sus propios derechos, a quien en adelante se "
        "denominará «EL DEUDOR»"
    )
    if spouse is not None:
        text += (
            f"; con la comparecencia de su cónyuge <b>{_e(spouse.full_name)}</b>, con cédula "
            f"de ciudadanía N° {_e(spouse.identification)}, quien interviene para los efectos "
            "de la sociedad conyugal y se obliga solidariamente"
        )
    return text + (
        ". Los comparecientes, capaces para contratar y obligarse, convienen en celebrar el "
        "presente contrato de crédito al tenor de las siguientes cláusulas:"
    )


def contract_clauses(t: Terms) -> list[tuple[str, str]]:
    """The numbered clauses as (heading, text)."""
    return _credit_clauses(t) + _legal_clauses(t)


def _credit_clauses(t: Terms) -> list[tuple[str, str]]:
    account = _e(t.data.account_number)
    return [
        ("PRIMERA.- ANTECEDENTES",
         "EL DEUDOR es socio de LA COOPERATIVA y, a través del canal electrónico Cooprogreso "
         "en Línea, aceptó la oferta de crédito preaprobado, simuló y escogió el monto y el "
         "plazo que constan en este contrato, y declaró conocer y aceptar las condiciones del "
         "cuadro que antecede."),
        ("SEGUNDA.- OBJETO",
         f"LA COOPERATIVA concede a EL DEUDOR un crédito de {_e(t.data.product_name)} por la "
         f"suma de <b>{_e(t.amount_words)} ({t.amount})</b>, que EL DEUDOR recibe en la "
         "forma prevista en la cláusula cuarta."),
        ("TERCERA.- PLAZO, INTERÉS Y FORMA DE PAGO",
         f"El crédito se concede a un plazo de {t.data.term_months} meses, con una tasa de "
         f"interés nominal anual fija de {t.nominal_rate} (tasa efectiva anual "
         f"{t.effective_rate}), calculada sobre saldos de capital. EL DEUDOR pagará "
         f"{t.data.term_months} cuotas mensuales según el sistema de amortización "
         f"{t.method}, desde el {t.first_due_short} hasta el {t.last_due_short}, en las "
         "fechas y por los valores de la tabla de amortización, que forma parte integrante "
         f"de este contrato. La primera cuota asciende a {t.installment}."),
        ("CUARTA.- RUBROS Y DESEMBOLSO",
         "Del monto del crédito se descontarán los rubros detallados en el cuadro de "
         f"condiciones, de modo que el valor neto de <b>{t.net_amount}</b> se acreditará en "
         f"la cuenta de ahorros N° {account} de EL DEUDOR una vez que todos los "
         "intervinientes hayan firmado electrónicamente los documentos de la operación."),
        ("QUINTA.- DÉBITO AUTOMÁTICO",
         f"EL DEUDOR autoriza a LA COOPERATIVA a debitar de la cuenta N° {account} los "
         "valores de cada cuota en su fecha de vencimiento, en los términos de la "
         "autorización de débito suscrita en esta misma fecha."),
    ]  # fmt: skip


def _legal_clauses(t: Terms) -> list[tuple[str, str]]:
    return [
        ("SEXTA.- INTERÉS DE MORA",
         "En caso de retardo en el pago de cualquier cuota, EL DEUDOR pagará sobre el capital "
         "vencido el interés de mora dentro de los límites fijados por la Junta de Política "
         "y Regulación Financiera, desde la fecha de vencimiento hasta la de pago efectivo."),
        ("SÉPTIMA.- SEGURO DE DESGRAVAMEN",
         "EL DEUDOR acepta la contratación del seguro de desgravamen sobre el saldo del "
         "crédito, cuyo valor mensual consta en la columna «Seguro» de la tabla de "
         "amortización."),
        ("OCTAVA.- PRECANCELACIÓN Y VENCIMIENTO ANTICIPADO",
         "EL DEUDOR podrá pagar anticipadamente, en todo o en parte, el saldo del crédito, "
         "con los intereses devengados hasta la fecha de pago. LA COOPERATIVA podrá declarar "
         "de plazo vencido la totalidad de la obligación si EL DEUDOR incurriere en mora en "
         "el pago de tres o más cuotas, conforme a la ley."),
        ("NOVENA.- PAGARÉ",
         "En respaldo de las obligaciones de este contrato, EL DEUDOR suscribe a la orden de "
         "LA COOPERATIVA un pagaré por el monto del crédito."),
        ("DÉCIMA.- FIRMA ELECTRÓNICA",
         "Las partes aceptan que este contrato y los demás documentos de la operación se "
         "suscriban mediante firma electrónica, de conformidad con la Ley de Comercio "
         "Electrónico, Firmas Electrónicas y Mensajes de Datos, previa verificación de la "
         "identidad de cada firmante (cédula, código dactilar, autenticación facial y código "
         "de seguridad enviado a su teléfono móvil registrado). LA COOPERATIVA conservará "
         "los mensajes de datos firmados y su registro de auditoría."),
        ("UNDÉCIMA.- JURISDICCIÓN Y DOMICILIO",
         f"Para todos los efectos de este contrato, las partes señalan domicilio en la ciudad "
         f"de {_e(t.data.city)} y se someten a los jueces competentes de esa ciudad."),
    ]  # fmt: skip


def promissory_note(t: Terms) -> list[str]:
    """The paragraphs of the pagaré, singular or plural by whether a spouse co-signs."""
    plural = t.spouse is not None
    owe = "Debemos y pagaremos solidariamente" if plural else "Debo y pagaré"
    our = "nuestra" if plural else "mi"
    pay = "pagaremos" if plural else "pagaré"
    us = "nos" if plural else "me"
    waive = "Renunciamos domicilio y nos sometemos" if plural else "Renuncio domicilio y me someto"
    city = _e(t.data.city)
    return [
        f"{owe} incondicionalmente a la orden de la <b>{INSTITUTION}</b>, en la ciudad de "
        f"{city} o en el lugar en que se {us} reconvenga, la suma de "
        f"<b>{_e(t.amount_words)} ({t.amount})</b>, valor recibido en préstamo a {our} "
        "entera satisfacción.",
        f"Esta suma se pagará en {t.data.term_months} cuotas mensuales y sucesivas, la "
        f"primera el {t.first_due_short} y la última el {t.last_due_short}, según la tabla de "
        f"amortización de la operación N° {_e(t.data.operation_reference)}, con una tasa de "
        f"interés nominal anual fija de {t.nominal_rate} sobre saldos de capital.",
        f"En caso de mora {pay}, además, el interés de mora máximo permitido por la ley, "
        "desde la fecha de vencimiento de la cuota impaga hasta su pago total. La falta de "
        "pago de una o más cuotas faculta al tenedor a declarar de plazo vencido la totalidad "
        "de la obligación y a exigir su pago inmediato.",
        f"{waive} a los jueces competentes de la ciudad de {city} y al procedimiento que "
        "elija el acreedor. <b>Sin protesto.</b> Exímese de presentación para el pago y de "
        "avisos por falta de pago.",
    ]


def debit_authorization(t: Terms) -> list[str]:
    """The paragraphs of the débito automático authorisation."""
    member = t.member
    account = _e(t.data.account_number)
    return [
        f"Yo, <b>{_e(member.full_name)}</b>, con cédula de ciudadanía N° "
        f"{_e(member.identification)}, titular de la cuenta de ahorros N° {account}, "
        f"autorizo de manera expresa e irrevocable a la {INSTITUTION}, mientras existan "
        "obligaciones pendientes, a debitar de dicha cuenta los valores de las cuotas del "
        f"crédito N° {_e(t.data.operation_reference)} en sus fechas de vencimiento, de "
        "acuerdo con la tabla de amortización, incluidos capital, intereses, seguro de "
        "desgravamen y, de ser el caso, interés de mora.",
        "Si en la fecha de vencimiento la cuenta no tuviere fondos suficientes, autorizo el "
        "débito de los fondos disponibles y el del saldo en cuanto existan fondos, sin que "
        "ello modifique la fecha de vencimiento de la cuota ni el cálculo del interés de mora.",
        "Declaro conocer que puedo consultar los débitos realizados en Cooprogreso en Línea y "
        "en los movimientos de mi cuenta, y que esta autorización se extingue con el pago "
        "total del crédito.",
    ]
