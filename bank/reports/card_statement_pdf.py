"""A credit card's estado de cuenta as a PDF (reportlab), rendered on demand.

Pure function of a :class:`~bank.cards.statements.StatementDocument`: the figures were
frozen at the close, so the same statement renders the same document every time.
"""

from __future__ import annotations

import io
from datetime import date
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from bank.cards.statements import StatementDocument, StatementLine
from bank.core.money import format_usd
from bank.reports.amortization_pdf import INSTITUTION

_GREEN = colors.HexColor("#00693E")


def _day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def _summary(doc: StatementDocument) -> Table:
    s = doc.statement
    rows = [
        ["Titular", escape(doc.holder), "Tarjeta", f"{doc.brand} {doc.masked_number}"],
        ["Período", f"{_day(s.period_start)} al {_day(s.cycle_end)}", "Fecha de corte",
         _day(s.cycle_end)],
        ["Saldo anterior", format_usd(s.previous_balance_cents), "Pagos",
         format_usd(s.payments_cents)],
        ["Consumos", format_usd(s.purchases_cents), "Cuotas de diferidos",
         format_usd(s.installments_cents)],
        ["Intereses", format_usd(s.interest_cents), "Utilizado diferido",
         format_usd(s.deferred_balance_cents)],
        ["Total a pagar", format_usd(s.total_due_cents), "Pago mínimo",
         format_usd(s.minimum_payment_cents)],
        ["Pagar hasta el", _day(s.due_date), "Cupo total", format_usd(doc.credit_limit_cents)],
    ]  # fmt: skip
    table = Table(rows, colWidths=[34 * mm, 56 * mm, 38 * mm, 52 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"),
                ("FONTNAME", (2, 0), (2, -1), "Helvetica-Bold"),
                ("FONTNAME", (1, 5), (1, 5), "Helvetica-Bold"),
                ("FONTNAME", (3, 5), (3, 5), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
            ]
        )
    )
    return table


def _lines(title: str, lines: tuple[StatementLine, ...]) -> Table:
    rows = [["Fecha", title, "Valor"]]
    rows += [[_day(line.day), line.description, format_usd(line.amount_cents)] for line in lines]
    if not lines:
        rows.append(["", "Sin movimientos en este período", ""])
    table = Table(rows, colWidths=[28 * mm, 118 * mm, 34 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), _GREEN),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("ALIGN", (2, 0), (2, -1), "RIGHT"),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
            ]
        )
    )
    return table


def render_card_statement_pdf(doc: StatementDocument) -> bytes:
    """The statement's PDF bytes."""
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    pdf = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"Estado de cuenta {doc.masked_number} {doc.statement.cycle_end.isoformat()}",
        author=INSTITUTION,
        subject="Estado de cuenta de tarjeta de crédito",
    )
    story: list[Flowable] = [
        Paragraph(INSTITUTION, styles["Heading2"]),
        Paragraph("Estado de cuenta de tarjeta de crédito", styles["Title"]),
        _summary(doc),
        Spacer(1, 6 * mm),
        _lines("Consumos del período", doc.purchases),
        Spacer(1, 4 * mm),
        _lines("Cuotas de diferidos facturadas", doc.installments),
        Spacer(1, 4 * mm),
        Paragraph(
            "Si pagas el total a pagar hasta la fecha indicada no pagarás intereses sobre tus "
            "consumos; el pago mínimo incluye los intereses y las cuotas de tus diferidos.",
            styles["Normal"],
        ),
    ]
    pdf.build(story)
    return buffer.getvalue()
