"""The member-facing templates (Spanish, es-EC), rendered when a message is enqueued.

Each template names its channel and the context keys it needs; :func:`render` is the only
entry point. Secrets (codes, passwords) never go into a subject line: subjects are stored
and logged in clear, bodies of sensitive messages are sealed (see ``outbox.py``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from bank.core.masking import mask_card
from bank.models.messaging import Channel
from bank.notifications import spanish
from bank.notifications.letters import Letter, as_html, as_text
from bank.signing.contracts import DOCUMENT_NAMES

Context = Mapping[str, Any]

OTP_TEXT = re.compile(r"^Cooprogreso: (\d{6}) es tu código")
"""Finds the code in an "otp" SMS (the dev mailbox exposes it to tests and benchmarks)."""


class TemplateError(ValueError):
    """Unknown template, or a context missing a value the template needs."""


@dataclass(frozen=True)
class Rendered:
    """A rendered message: SMS have only ``text``."""

    channel: Channel
    subject: str | None
    text: str
    html: str | None


def _get(context: Context, name: str) -> Any:
    value = context.get(name)
    if value is None or value == "":
        raise TemplateError(f"missing context value: {name}")
    return value


def _at(context: Context) -> datetime:
    """The event's moment: a datetime or an ISO string (activity payloads are JSON)."""
    value = context.get("at")
    if value is None:
        return datetime.now(UTC)
    return datetime.fromisoformat(value) if isinstance(value, str) else value


def _email(letter: Letter) -> Rendered:
    return Rendered(Channel.EMAIL, letter.subject, as_text(letter), as_html(letter))


def otp_sms(context: Context) -> Rendered:
    """The OTP SMS: the code and what it authorises.

    Context: ``code`` (6 digits), ``minutes`` (default 5), ``purpose`` (what the code
    authorises: "Transferencia de $12.34 a XXXX7341"; a generic text when empty).
    """
    code = str(_get(context, "code"))
    if not (len(code) == 6 and code.isdigit()):
        raise TemplateError("an OTP code has exactly 6 digits")
    minutes = int(context.get("minutes", 5))
    purpose = str(context.get("purpose") or "").strip()
    authorises = f"es tu código para {purpose}" if purpose else "es tu código de seguridad"
    text = f"Cooprogreso: {code} {authorises}. Vence en {minutes} minutos. No lo compartas."
    return Rendered(Channel.SMS, None, text, None)


def temporary_password(context: Context) -> Rendered:
    """Affiliation (or recovery) email. Context: ``name``, ``username``, ``password``,
    ``at``; ``reset`` true when the member already had a user (Recuperar clave)."""
    at = _at(context)
    reset = bool(context.get("reset"))
    return _email(
        Letter(
            subject="Cooprogreso en Línea: tu "
            + ("nueva contraseña temporal" if reset else "usuario y contraseña temporal"),
            title="RECUPERACIÓN DE CLAVE" if reset else "BIENVENIDO A COOPROGRESO EN LÍNEA",
            dateline=spanish.dateline(at),
            greeting=f"Estimado(a): {_get(context, 'name')}",
            intro=(
                (
                    "Generamos una nueva contraseña temporal para tu usuario; tu usuario quedó "
                    "desbloqueado y las sesiones abiertas se cerraron. Estos son tus datos de "
                    "acceso:"
                )
                if reset
                else (
                    "Tu registro en Cooprogreso en Línea se realizó con éxito. "
                    "Estos son tus datos de acceso:"
                ),
            ),
            details=(
                ("USUARIO", str(_get(context, "username"))),
                ("CONTRASEÑA TEMPORAL", str(_get(context, "password"))),
                ("FECHA", spanish.short_date(at)),
                ("HORA", spanish.time_24h(at)),
            ),
            outro=(
                "Ingresa con tu usuario y contraseña temporal; el sistema te solicitará "
                "personalizar tu contraseña.",
            ),
            note="Si no solicitaste este "
            + ("cambio" if reset else "registro")
            + ", comunícate con nuestro Call Center o acércate a la agencia más cercana.",
        )
    )


_CARD_TYPES = {"DEBIT": "DEBITO", "DEBITO": "DEBITO", "CREDIT": "CRÉDITO", "CREDITO": "CRÉDITO"}


def card_pin_reset(context: Context) -> Rendered:
    """The manual's "GENERACION DE CLAVE" email.

    Context: ``name``, ``card_number`` (masked here in any case), ``card_type``
    (DEBIT/CREDIT or DEBITO/CRÉDITO), ``pin``, ``at``.
    """
    at = _at(context)
    kind = str(_get(context, "card_type")).upper()
    return _email(
        Letter(
            subject="GENERACION DE CLAVE",
            title="GENERACION DE CLAVE",
            dateline=spanish.dateline(at),
            greeting=f"Estimado(a): {_get(context, 'name')}",
            intro=("Se ha generado su clave temporal para su tarjeta con el siguiente detalle:",),
            details=(
                ("NÚMERO TARJETA", mask_card(str(_get(context, "card_number")))),
                ("TIPO DE TARJETA", _CARD_TYPES.get(kind.replace("É", "E"), kind)),
                ("FECHA", spanish.short_date(at)),
                ("HORA", spanish.time_24h(at)),
                ("CLAVE TEMPORAL", str(_get(context, "pin"))),
            ),
            outro=(
                "Recuerda cambiar tu clave a través de los canales digitales, Cooprogreso en "
                "línea, Cooprogreso Móvil, o cajeros automáticos de Cooprogreso",
            ),
            note="No olvides cambiar tu clave, utiliza la opción cambio de clave disponible "
            "en tu Cooprogreso en línea y móvil.",
        )
    )


def _deadline(value: Any) -> str:
    if isinstance(value, datetime):
        local = spanish.local(value)
        return f"{local.hour:02d}H{local.minute:02d}"
    return str(value)


def signing_link(context: Context) -> Rendered:
    """The e-signature invitation. Context: ``name``, ``url``, ``at``, ``deadline`` (19H00)."""
    url = str(_get(context, "url"))
    if not url.startswith(("https://", "http://")):
        raise TemplateError("the signing link must be an http(s) URL")
    deadline = _deadline(context.get("deadline", "19H00"))
    return _email(
        Letter(
            subject="Firma electrónica de los documentos de tu crédito",
            dateline=spanish.dateline(_at(context), city=None),
            greeting=f"Estimado/a: {_get(context, 'name')}",
            intro=(
                "Para concluir exitosamente el desembolso de tu crédito aprobado, revisa y "
                "firma electrónicamente los documentos habilitantes de la operación, ingresa "
                "al siguiente link:",
            ),
            link=("Firmar Documento", "AQUÍ", url),
            outro=(
                "Recuerda, si las firmas electrónicas de todos los intervinientes del crédito "
                f"no se registran hasta las {deadline} de hoy, deberás solicitar a tu Oficial "
                "de Crédito o acercarte a la agencia más cercana para que se genere nuevamente "
                "el proceso de desembolso.",
            ),
        )
    )


SKIP_REASONS = {
    "amount_over_limit": "El valor de la factura supera el monto máximo que nos autorizaste "
    "a debitar.",
    "insufficient_funds": "Tu cuenta no tenía saldo disponible suficiente en la fecha del pago.",
    "biller_unavailable": "La empresa de servicios no respondió en la fecha del pago.",
    "no_bill": "No encontramos una factura pendiente para este servicio.",
}


def _optional_money(context: Context, key: str, label: str) -> tuple[tuple[str, str], ...]:
    value = context.get(key)
    return () if value is None else ((label, spanish.money(value)),)


def scheduled_payment_skipped(context: Context) -> Rendered:
    """A scheduled bill payment that was not made (the manual promises this email).

    Context: ``name``, ``service``, ``reference``, ``reason`` (a key of
    :data:`SKIP_REASONS`), optional ``amount``, ``max_amount``, ``account``; ``at``.
    """
    reason = str(_get(context, "reason"))
    if reason not in SKIP_REASONS:
        raise TemplateError(f"unknown skip reason: {reason}")
    at = _at(context)
    account = context.get("account")
    details = (
        ("SERVICIO", str(_get(context, "service"))),
        ("SUMINISTRO / CONTRATO", str(_get(context, "reference"))),
        *_optional_money(context, "amount", "VALOR DE LA FACTURA"),
        *_optional_money(context, "max_amount", "MONTO MÁXIMO AUTORIZADO"),
        *((("CUENTA DE DÉBITO", str(account)),) if account else ()),
        ("FECHA", spanish.short_date(at)),
    )
    return _email(
        Letter(
            subject="Pago programado no realizado",
            dateline=spanish.dateline(at),
            greeting=f"Estimado(a): {_get(context, 'name')}",
            intro=("Te informamos que el pago programado de tu servicio no se realizó:",),
            details=details,
            outro=(
                SKIP_REASONS[reason],
                "Puedes realizar el pago desde la opción Pago de Servicios de Cooprogreso en "
                "Línea. Tu programación sigue activa para los próximos pagos.",
            ),
        )
    )


def card_statement_ready(context: Context) -> Rendered:
    """A credit card's monthly statement is ready (its PDF is in Cooprogreso en Línea).

    Context: ``name``, ``brand``, ``card_number``, ``cycle_end`` and ``due_date`` (ISO
    dates), ``total_due`` and ``minimum`` (amounts); ``at``. No PDF is attached: a statement
    is personal financial data, read after logging in.
    """
    at = _at(context)
    return _email(
        Letter(
            subject="Tu estado de cuenta de tarjeta de crédito está listo",
            title="ESTADO DE CUENTA",
            dateline=spanish.dateline(at),
            greeting=f"Estimado(a): {_get(context, 'name')}",
            intro=("El estado de cuenta de tu tarjeta de crédito está disponible:",),
            details=(
                (
                    "TARJETA",
                    f"{_get(context, 'brand')} {mask_card(str(_get(context, 'card_number')))}",
                ),
                ("FECHA DE CORTE", _day(context, "cycle_end")),
                ("TOTAL A PAGAR", spanish.money(_get(context, "total_due"))),
                ("PAGO MÍNIMO", spanish.money(_get(context, "minimum"))),
                ("PAGAR HASTA EL", _day(context, "due_date")),
            ),
            outro=(
                "Descárgalo en PDF desde Cooprogreso en Línea, en el detalle de tu tarjeta "
                "(Posición Consolidada → Tarjetas).",
            ),
        )
    )


def _day(context: Context, key: str) -> str:
    day = datetime.fromisoformat(str(_get(context, key)))
    return day.strftime("%d/%m/%Y")


def service_payment_reversed(context: Context) -> Rendered:
    """A bill payment the company refused: the debit was given back.

    Context: ``name``, ``service`` (company), ``reference`` (supply / contract), ``amount``,
    ``reason`` (Spanish text), optional ``account`` (masked debit account); ``at``.
    """
    at = _at(context)
    account = context.get("account")
    return _email(
        Letter(
            subject="Pago de servicio no realizado",
            dateline=spanish.dateline(at),
            greeting=f"Estimado(a): {_get(context, 'name')}",
            intro=("Te informamos que la empresa no aceptó el pago de tu servicio:",),
            details=(
                ("SERVICIO", str(_get(context, "service"))),
                ("SUMINISTRO / CONTRATO", str(_get(context, "reference"))),
                ("VALOR DE LA FACTURA", spanish.money(_get(context, "amount"))),
                *((("CUENTA DE DÉBITO", str(account)),) if account else ()),
                ("FECHA", spanish.short_date(at)),
                ("HORA", spanish.time_24h(at)),
                ("MOTIVO", str(_get(context, "reason"))),
            ),
            outro=(
                "El valor debitado, incluida la comisión y su IVA, fue acreditado nuevamente "
                "en tu cuenta.",
            ),
        )
    )


def transfer_rejected(context: Context) -> Rendered:
    """A transfer that could not be completed.

    Context: ``name``, ``amount``, ``beneficiary``, ``account`` (destination), ``reason``
    (Spanish text), optional ``institution``, ``refunded`` (the debit was reversed); ``at``.
    """
    at = _at(context)
    institution = context.get("institution")
    refunded = bool(context.get("refunded", False))
    return _email(
        Letter(
            subject="Transferencia no realizada",
            dateline=spanish.dateline(at),
            greeting=f"Estimado(a): {_get(context, 'name')}",
            intro=("Te informamos que tu transferencia no pudo completarse:",),
            details=(
                ("MONTO", spanish.money(_get(context, "amount"))),
                ("BENEFICIARIO", str(_get(context, "beneficiary"))),
                ("CUENTA DESTINO", str(_get(context, "account"))),
                *((("INSTITUCIÓN", str(institution)),) if institution else ()),
                ("FECHA", spanish.short_date(at)),
                ("HORA", spanish.time_24h(at)),
                ("MOTIVO", str(_get(context, "reason"))),
            ),
            outro=(
                "El valor debitado, incluida la comisión, fue acreditado nuevamente en tu cuenta."
                if refunded
                else "No se debitó ningún valor de tu cuenta.",
            ),
        )
    )


def credit_documents_signed(context: Context) -> Rendered:
    """Context: ``name``, ``loan_number``, ``net_amount`` (Decimal string), ``at`` (ISO),
    ``url`` (loan detail), ``documents`` (list of ``{kind, sha256}``)."""
    try:
        at = datetime.fromisoformat(str(context["at"]))
        documents = [
            (DOCUMENT_NAMES.get(d["kind"], d["kind"]), f"SHA-256 {d['sha256'][:16]}…")
            for d in context["documents"]
        ]
        letter = Letter(
            subject="Documentos firmados de tu crédito",
            dateline=spanish.dateline(at, city=None),
            greeting=f"Estimado/a: {context['name']}",
            intro=(
                f"Tu crédito N° {context['loan_number']} fue desembolsado: acreditamos "
                f"{spanish.money(context['net_amount'])} en tu cuenta Cooprogreso.",
                "Estos son los documentos de tu operación, firmados electrónicamente:",
            ),
            details=tuple(documents),
            link=("Descarga tus documentos", "AQUÍ", str(context["url"])),
            outro=("Atentamente,", "Cooprogreso, Cooperativa de Ahorro y Crédito."),
        )
    except (KeyError, TypeError, ValueError) as exc:
        raise TemplateError(f"credit_documents_signed: {exc}") from exc
    return Rendered(Channel.EMAIL, letter.subject, as_text(letter), as_html(letter))


TEMPLATES: dict[str, Callable[[Context], Rendered]] = {
    "otp": otp_sms,
    "temporary_password": temporary_password,
    "card_pin_reset": card_pin_reset,
    "signing_link": signing_link,
    "scheduled_payment_skipped": scheduled_payment_skipped,
    "transfer_rejected": transfer_rejected,
    "service_payment_reversed": service_payment_reversed,
    "credit_documents_signed": credit_documents_signed,
    "card_statement_ready": card_statement_ready,
}


SENSITIVE = frozenset({"otp", "temporary_password", "card_pin_reset"})
"""Templates whose body carries a secret: always sealed at rest and redacted after delivery."""


def render(template: str, context: Context) -> Rendered:
    """Render ``template`` with ``context``.

    Raises:
        TemplateError: unknown template or missing/invalid context values.
    """
    try:
        renderer = TEMPLATES[template]
    except KeyError:
        raise TemplateError(f"unknown template: {template}") from None
    try:
        return renderer(context)
    except TemplateError:
        raise
    except (TypeError, ValueError) as exc:
        # A bad amount or date in the context is the caller's input error, not a crash.
        raise TemplateError(f"{template}: {exc}") from exc
