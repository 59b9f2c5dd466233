"""The receipt of a paid service bill ("Comprobante de Pago de Servicios") as a one-page PDF.

Pure function of a history line: no I/O, safe in a worker thread. The output is byte-for-byte
the same for the same input (reportlab's ``invariant`` mode fixes the creation date and the
document ID), so a receipt downloaded twice is the same file. Only paid payments have one.
"""

from __future__ import annotations

import io
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.pagesizes import A5
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from bank.core.money import format_usd
from bank.models import PaymentOutcome, ServicePaymentRecord
from bank.payments.history import HistoryLine, line_from_record
from bank.reports.amortization_pdf import INSTITUTION

TITLE = "Comprobante de Pago de Servicios"
_GREEN = colors.HexColor("#00693E")


class ReceiptNotAvailable(ValueError):
    """Only a paid (``PAGADO``) payment has a receipt."""


def _rows(line: HistoryLine, member_name: str, account: str) -> list[list[object]]:
    value = ParagraphStyle("value", fontName="Helvetica", fontSize=9, leading=11)

    def text(raw: str) -> Paragraph:
        return Paragraph(escape(raw), value)

    return [
        ["Fecha", line.fecha.strftime("%d/%m/%Y")],
        ["Hora", line.hora],
        ["Socio", text(member_name)],
        ["Categoría", text(line.categoria_nombre)],
        ["Empresa", text(line.empresa_nombre)],
        ["Suministro", line.suministro],
        ["Recibos", text(", ".join(line.recibos) or "-")],
        ["Cuenta debitada", account],
        ["Débito automático", "Sí" if line.automatico else "No"],
        ["Código de pago", line.codigo],
    ]


def _amounts(line: HistoryLine) -> Table:
    rows = [
        ["Monto", format_usd(line.monto_cents)],
        ["Comisión", format_usd(line.comision_cents)],
        ["IVA", format_usd(line.iva_cents)],
        ["Total a Pagar", format_usd(line.total_cents)],
    ]
    table = Table(rows, colWidths=[45 * mm, 45 * mm], hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"),
                ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 10),
                ("ALIGN", (1, 0), (1, -1), "RIGHT"),
                ("LINEABOVE", (0, -1), (-1, -1), 0.75, _GREEN),
            ]
        )
    )
    return table


def render_receipt(
    line_or_record: HistoryLine | ServicePaymentRecord,
    member_name: str,
    account_number_masked: str,
) -> bytes:
    """Render the receipt of a paid service payment.

    Args:
        line_or_record: the history line, or the stored record itself (its time is converted
            to America/Guayaquil).
        member_name: the member's full name.
        account_number_masked: the debited account, already masked
            (:func:`bank.core.masking.mask_account`).

    Returns:
        The PDF bytes, identical for identical input.

    Raises:
        ReceiptNotAvailable: the payment's outcome is not ``PAGADO``.
    """
    line = (
        line_from_record(line_or_record)
        if isinstance(line_or_record, ServicePaymentRecord)
        else line_or_record
    )
    if line.estado is not PaymentOutcome.PAGADO:
        raise ReceiptNotAvailable(line.codigo)
    styles = getSampleStyleSheet()
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A5,
        leftMargin=12 * mm,
        rightMargin=12 * mm,
        topMargin=12 * mm,
        bottomMargin=12 * mm,
        title=f"{TITLE} {line.codigo}",
        author=INSTITUTION,
        subject=TITLE,
        invariant=1,
    )
    details = Table(
        _rows(line, member_name, account_number_masked),
        colWidths=[38 * mm, 86 * mm],
        hAlign="LEFT",
    )
    details.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]
        )
    )
    story: list[Flowable] = [
        Paragraph(INSTITUTION, styles["Heading3"]),
        Paragraph(TITLE, styles["Heading1"]),
        details,
        Spacer(1, 5 * mm),
        _amounts(line),
        Spacer(1, 6 * mm),
        Paragraph(
            "Pago realizado en Cooprogreso en Línea. Conserva este comprobante como respaldo "
            "de tu pago.",
            styles["Normal"],
        ),
    ]
    doc.build(story)
    return buffer.getvalue()
