"""The amortization table of a loan as a PDF (reportlab), for the member to download.

Pure function of a :class:`~bank.queries.loans.LoanDetail`: no I/O, safe to run in a worker
thread. Amounts are formatted like the manual (``$13,750.00``), dates ``dd/mm/yyyy``.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from bank.core.money import format_usd
from bank.queries.loans import InstallmentRow, LoanDetail

INSTITUTION = "Cooprogreso Cooperativa de Ahorro y Crédito"
_HEADER = ["N Cuota", "Cuota", "Capital", "Interés", "Mora", "Seguro", "Fecha de Pago", "Estado"]
_GREEN = colors.HexColor("#00693E")


def _day(value: date) -> str:
    return value.strftime("%d/%m/%Y")


def _loan_data(loan: LoanDetail) -> Table:
    rate = f"{(loan.annual_rate * 100).quantize(Decimal('0.01'))}%"
    value = ParagraphStyle("value", fontName="Helvetica", fontSize=9, leading=11)
    rows = [
        ["Socio", Paragraph(escape(loan.holder_name), value), "Número de operación", loan.number],
        ["Producto", Paragraph(escape(loan.product_name), value), "Fecha de concesión",
         _day(loan.issued_on)],
        ["Monto", format_usd(loan.amount_cents), "Saldo de capital",
         format_usd(loan.principal_balance_cents)],
        ["Tasa de interés", rate, "Plazo", f"{loan.term_months} meses"],
        ["Cuenta", loan.account_number, "Estado", loan.status],
    ]  # fmt: skip
    table = Table(rows, colWidths=[32 * mm, 58 * mm, 38 * mm, 52 * mm])
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"),
                ("FONTNAME", (2, 0), (2, -1), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    return table


def _schedule(loan: LoanDetail) -> Table:
    return schedule_table(loan.installments)


def schedule_table(installments: Sequence[InstallmentRow], *, with_status: bool = True) -> Table:
    """The amortization table with a totals row (also used by the credit documents).

    Args:
        installments: the rows, in order.
        with_status: include the "Estado" column (a loan not yet disbursed has none).
    """
    header = _HEADER if with_status else _HEADER[:-1]
    rows: list[list[str]] = [header]
    totals = [0, 0, 0, 0, 0]
    for inst in installments:
        amounts = [
            inst.total_cents,
            inst.principal_cents,
            inst.interest_cents,
            inst.late_fee_cents,
            inst.insurance_cents,
        ]
        totals = [t + a for t, a in zip(totals, amounts, strict=True)]
        status = [str(inst.status)] if with_status else []
        rows.append([str(inst.number), *map(format_usd, amounts), _day(inst.due_date), *status])
    rows.append(["Totales", *map(format_usd, totals), "", *([""] if with_status else [])])
    table = Table(rows, repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, 0), _GREEN),
                ("TEXTCOLOR", (0, 0), (-1, 0), colors.white),
                ("FONTNAME", (0, 0), (-1, 0), "Helvetica-Bold"),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 8),
                ("ALIGN", (1, 1), (5, -1), "RIGHT"),
                ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
                ("ROWBACKGROUNDS", (0, 1), (-1, -2), [colors.white, colors.HexColor("#F1F5F2")]),
            ]
        )
    )
    return table


def render_amortization_pdf(loan: LoanDetail, *, generated_at: datetime) -> bytes:
    """Render the loan's amortization table as a PDF document.

    Args:
        loan: the loan and its installments (statuses already derived).
        generated_at: when the document is produced, shown in the footer line (local time).

    Returns:
        The PDF bytes.
    """
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=15 * mm,
        rightMargin=15 * mm,
        topMargin=15 * mm,
        bottomMargin=15 * mm,
        title=f"Tabla de Amortización {loan.number}",
        author=INSTITUTION,
        subject=loan.product_name,
    )
    story: list[Flowable] = [
        Paragraph(INSTITUTION, styles["Heading2"]),
        Paragraph("Tabla de Amortización", styles["Title"]),
        _loan_data(loan),
        Spacer(1, 6 * mm),
        _schedule(loan),
        Spacer(1, 4 * mm),
        Paragraph(
            f"Documento generado en Cooprogreso en Línea el {generated_at:%d/%m/%Y %H:%M}.",
            styles["Normal"],
        ),
    ]
    doc.build(story)
    return buffer.getvalue()
