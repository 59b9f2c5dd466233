"""The four documents of a credit operation as PDFs (reportlab), in Spanish.

- contrato de crédito: parties, conditions, charges ("rubros"), net amount, clauses;
- pagaré a la orden: the amount in figures and in words;
- tabla de amortización: the existing table of ``bank.reports.amortization_pdf``;
- autorización de débito automático.

Each ends with one signature block per signatory (the member, and the spouse when there is
one; the contract also has the institution's); the blocks' positions come back as
:class:`~bank.signing.contracts.SignatureSlot` so the signatures' visible stamps land on
them. Pure functions: no I/O, same input → same bytes.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer
from reportlab.platypus.flowables import Flowable

from bank.core.money import format_usd
from bank.credit.amortization import Schedule
from bank.queries.loans import InstallmentRow, InstallmentStatus
from bank.reports.amortization_pdf import schedule_table
from bank.signing import clauses
from bank.signing.contracts import (
    SEAL_FIELD,
    SIGNATURE_FIELDS,
    CreditDocumentsInput,
    DocumentKind,
    ScheduleLine,
    SignatoryRole,
    SignatureSlot,
)
from bank.signing.layout import (
    BRAND,
    PageFrame,
    Signer,
    SlotRecorder,
    build_pdf,
    key_value_table,
    signature_section,
    styles,
)
from bank.signing.terms import InvalidDocumentsInput, Terms, derive_terms

__all__ = [
    "CreditDocumentsInput",
    "InvalidDocumentsInput",
    "RenderedDocument",
    "render_credit_documents",
    "schedule_lines",
]

PDF = "application/pdf"
_S = styles()


@dataclass(frozen=True)
class RenderedDocument:
    """One rendered PDF and where its signature stamps go."""

    kind: DocumentKind
    pdf: bytes
    slots: list[SignatureSlot]


def render_credit_documents(data: CreditDocumentsInput) -> list[RenderedDocument]:
    """Render the contract, pagaré, amortization table and debit authorisation.

    Args:
        data: The operation's parties, terms, charges and schedule.

    Returns:
        The four documents, in the order the member reviews them.

    Raises:
        InvalidDocumentsInput: When the figures contradict each other.
    """
    terms = derive_terms(data)
    renderers: list[tuple[DocumentKind, str, Callable[[Terms, SlotRecorder], list[Flowable]]]] = [
        (DocumentKind.CONTRACT, "CONTRATO DE CRÉDITO", _contract),
        (DocumentKind.PROMISSORY_NOTE, "PAGARÉ A LA ORDEN", _promissory_note),
        (DocumentKind.AMORTIZATION_TABLE, "TABLA DE AMORTIZACIÓN", _amortization),
        (DocumentKind.DEBIT_AUTHORIZATION, "AUTORIZACIÓN DE DÉBITO", _debit_authorization),
    ]
    documents = []
    for kind, title, story in renderers:
        recorder = SlotRecorder()
        frame = PageFrame(title, data.operation_reference, terms.issued_on)
        pdf = build_pdf(story(terms, recorder), frame=frame, subject=data.product_name)
        documents.append(RenderedDocument(kind, pdf, recorder.slots))
    return documents


def schedule_lines(schedule: Schedule) -> list[ScheduleLine]:
    """The rows of a computed schedule in the form the documents take."""
    return [
        ScheduleLine(
            number=row.number,
            due_date=row.due_date.isoformat(),
            installment_cents=row.installment_cents,
            principal_cents=row.principal_cents,
            interest_cents=row.interest_cents,
            insurance_cents=row.insurance_cents,
            balance_after_cents=row.balance_after_cents,
            late_fee_cents=row.late_fee_cents,
        )
        for row in schedule.rows
    ]


def _signers(t: Terms, member_caption: str, spouse_caption: str) -> list[Signer]:
    member = t.member
    signers = [
        Signer(
            SIGNATURE_FIELDS[SignatoryRole.MEMBER],
            member_caption,
            member.full_name,
            f"C.I. {member.identification}",
        )
    ]
    if t.spouse is not None:
        signers.append(
            Signer(
                SIGNATURE_FIELDS[SignatoryRole.SPOUSE],
                spouse_caption,
                t.spouse.full_name,
                f"C.I. {t.spouse.identification}",
            )
        )
    return signers


def _title(text: str, subtitle: str) -> list[Flowable]:
    return [Paragraph(text, _S["title"]), Paragraph(subtitle, _S["subtitle"])]


def _conditions(t: Terms) -> list[Flowable]:
    data = t.data
    rows = [
        ("Número de operación", data.operation_reference),
        ("Producto", data.product_name),
        ("Monto del crédito", t.amount),
        ("Plazo", f"{data.term_months} meses"),
        ("Tasa de interés nominal anual", t.nominal_rate),
        ("Tasa efectiva anual", t.effective_rate),
        ("Sistema de amortización", t.method),
        ("Cuota mensual (primera)", t.installment),
        ("Primer vencimiento / vencimiento final", f"{t.first_due_short} / {t.last_due_short}"),
        ("Total intereses / seguro de desgravamen", f"{t.total_interest} / {t.total_insurance}"),
        ("Cuenta de acreditación y débito", data.account_number),
    ]
    charges = [("Monto solicitado", t.amount)]
    charges += [(f"(-) {c.description}", format_usd(c.amount_cents)) for c in data.charges]
    charges.append(("Valor neto a acreditar", t.net_amount))
    return [
        Paragraph("CONDICIONES DEL CRÉDITO", _S["heading"]),
        key_value_table(rows),
        Spacer(1, 4 * mm),
        Paragraph("RUBROS Y VALOR A RECIBIR", _S["heading"]),
        key_value_table(charges, shaded_last=True),
        Spacer(1, 4 * mm),
    ]


def _contract(t: Terms, recorder: SlotRecorder) -> list[Flowable]:
    story = _title("CONTRATO DE CRÉDITO", t.data.product_name)
    story.append(Paragraph(clauses.contract_opening(t), _S["body"]))
    story += _conditions(t)
    for heading, text in clauses.contract_clauses(t):
        story += [Paragraph(heading, _S["heading"]), Paragraph(text, _S["body"])]
    signers = _signers(t, "EL DEUDOR", "CÓNYUGE DEL DEUDOR")
    signers.append(Signer(SEAL_FIELD, "LA COOPERATIVA", BRAND, "Sello institucional electrónico"))
    closing = Paragraph(
        f"Para constancia, las partes firman electrónicamente en {t.data.city}, el "
        f"{t.issued_long}.",
        _S["body"],
    )
    story.append(signature_section(signers, recorder, heading=closing))
    return story


def _promissory_note(t: Terms, recorder: SlotRecorder) -> list[Flowable]:
    story = _title("PAGARÉ A LA ORDEN", f"Operación N° {t.data.operation_reference}")
    story.append(
        key_value_table(
            [
                ("Por", t.amount),
                ("Lugar y fecha de emisión", f"{t.data.city}, {t.issued_long}"),
                ("Vencimiento final", t.last_due_short),
            ]
        )
    )
    story.append(Spacer(1, 5 * mm))
    story += [Paragraph(text, _S["body"]) for text in clauses.promissory_note(t)]
    story.append(Spacer(1, 4 * mm))
    signers = _signers(t, "DEUDOR", "CÓNYUGE DEL DEUDOR (DEUDOR SOLIDARIO)")
    story.append(signature_section(signers, recorder))
    return story


def _amortization(t: Terms, recorder: SlotRecorder) -> list[Flowable]:
    data = t.data
    story = _title("TABLA DE AMORTIZACIÓN", data.product_name)
    story.append(
        key_value_table(
            [
                ("Socio", f"{t.member.full_name} (C.I. {t.member.identification})"),
                ("Monto / plazo", f"{t.amount} a {data.term_months} meses"),
                ("Tasa nominal anual / sistema", f"{t.nominal_rate} / {t.method}"),
                ("Total a pagar", t.total_to_pay),
            ]
        )
    )
    story.append(Spacer(1, 5 * mm))
    story.append(schedule_table(_installments(data.schedule), with_status=False))
    story.append(Spacer(1, 4 * mm))
    acknowledgement = Paragraph(
        "Declaro conocer y aceptar la presente tabla de amortización, que forma parte "
        "integrante del contrato de crédito y del pagaré de esta operación.",
        _S["body"],
    )
    signers = _signers(t, "SOCIO", "CÓNYUGE")
    story.append(signature_section(signers, recorder, heading=acknowledgement))
    return story


def _debit_authorization(t: Terms, recorder: SlotRecorder) -> list[Flowable]:
    data = t.data
    story = _title("AUTORIZACIÓN DE DÉBITO AUTOMÁTICO", f"{data.city}, {t.issued_long}")
    story.append(Paragraph(f"Señores<br/><b>{clauses.INSTITUTION}</b><br/>Presente.", _S["body"]))
    story += [Paragraph(text, _S["body"]) for text in clauses.debit_authorization(t)]
    story.append(
        key_value_table(
            [
                ("Cuenta de ahorros a debitar", data.account_number),
                ("Titular", t.member.full_name),
                ("Operación de crédito", data.operation_reference),
                ("Número de cuotas", str(data.term_months)),
                (
                    "Primera cuota / fecha del primer débito",
                    f"{t.installment} / {t.first_due_short}",
                ),
            ]
        )
    )
    story.append(Spacer(1, 6 * mm))
    signers = _signers(t, "TITULAR DE LA CUENTA", "CÓNYUGE (CONOCIMIENTO Y ACEPTACIÓN)")
    story.append(signature_section(signers, recorder))
    return story


def _installments(lines: list[ScheduleLine]) -> list[InstallmentRow]:
    """Schedule lines as the shared table's rows (a loan not yet disbursed: no payments)."""
    return [
        InstallmentRow(
            number=line.number,
            due_date=date.fromisoformat(line.due_date),
            principal_cents=line.principal_cents,
            interest_cents=line.interest_cents,
            late_fee_cents=line.late_fee_cents,
            insurance_cents=line.insurance_cents,
            paid_on=None,
            status=InstallmentStatus.POR_VENIR,
        )
        for line in lines
    ]
