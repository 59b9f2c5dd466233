"""Page layout shared by the credit documents: header, footer, styles, signature blocks.

Output is deterministic: reportlab runs in invariant mode (document ID derived from the
content) and the creation date is the documents' issue date, so the same input renders the
same bytes and the same SHA-256.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Table, TableStyle
from reportlab.platypus.flowables import Flowable

from bank.signing.contracts import SignatureSlot

INSTITUTION = "COOPERATIVA DE AHORRO Y CRÉDITO COOPROGRESO LTDA."
BRAND = "COOPROGRESO LTDA."
GREEN = colors.HexColor("#00693E")
LIGHT = colors.HexColor("#F1F5F2")
PAGE_WIDTH, PAGE_HEIGHT = A4
MARGIN = 20 * mm
TOP_MARGIN = 32 * mm
BOTTOM_MARGIN = 22 * mm
CONTENT_WIDTH = PAGE_WIDTH - 2 * MARGIN
_MONTHS = (
    "enero", "febrero", "marzo", "abril", "mayo", "junio", "julio", "agosto",
    "septiembre", "octubre", "noviembre", "diciembre",
)  # fmt: skip


def long_date(day: date) -> str:
    """``14 de marzo de 2025``."""
    return f"{day.day} de {_MONTHS[day.month - 1]} de {day.year}"


def short_date(day: date) -> str:
    """``14/03/2025``, as the manual shows dates."""
    return day.strftime("%d/%m/%Y")


def styles() -> dict[str, ParagraphStyle]:
    """The paragraph styles of the documents."""
    base = getSampleStyleSheet()
    body = ParagraphStyle(
        "body", parent=base["Normal"], fontSize=9.5, leading=13, alignment=TA_JUSTIFY
    )
    return {
        "title": ParagraphStyle(
            "title", parent=base["Title"], fontSize=15, leading=19, textColor=GREEN
        ),
        "subtitle": ParagraphStyle(
            "subtitle", parent=body, alignment=TA_CENTER, fontSize=10, spaceAfter=8
        ),
        "heading": ParagraphStyle(
            "heading", parent=body, fontName="Helvetica-Bold", spaceBefore=6, spaceAfter=2
        ),
        "body": ParagraphStyle("body-spaced", parent=body, spaceAfter=5),
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10),
    }


def key_value_table(rows: Sequence[tuple[str, str]], *, shaded_last: bool = False) -> Table:
    """A two-column table of labels and values, labels in bold."""
    table = Table([list(row) for row in rows], colWidths=[70 * mm, CONTENT_WIDTH - 70 * mm])
    commands: list[tuple[Any, ...]] = [
        ("FONTNAME", (0, 0), (0, -1), "Helvetica-Bold"),
        ("FONTSIZE", (0, 0), (-1, -1), 9),
        ("GRID", (0, 0), (-1, -1), 0.25, colors.grey),
        ("BACKGROUND", (0, 0), (0, -1), LIGHT),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 3),
        ("TOPPADDING", (0, 0), (-1, -1), 3),
    ]
    if shaded_last:
        commands += [
            ("FONTNAME", (0, -1), (-1, -1), "Helvetica-Bold"),
            ("BACKGROUND", (0, -1), (-1, -1), colors.HexColor("#DCEFE3")),
        ]
    table.setStyle(TableStyle(commands))
    return table


@dataclass
class SlotRecorder:
    """Collects where each signature block landed while the document is drawn."""

    slots: list[SignatureSlot] = field(default_factory=list)


@dataclass(frozen=True)
class Signer:
    """One signature block: who signs, in which field, under which caption."""

    field_name: str
    caption: str
    full_name: str
    detail: str
    """Second line under the name: ``C.I. 1710034065`` for a person."""


class SignatureBlock(Flowable):
    """A signature area: room for the visible stamp above a line, name and ID below."""

    STAMP_HEIGHT = 24 * mm
    TEXT_HEIGHT = 15 * mm

    def __init__(self, signer: Signer, recorder: SlotRecorder, width: float) -> None:
        """Draw ``signer``'s block ``width`` points wide; report its stamp box to ``recorder``."""
        super().__init__()
        self.signer = signer
        self.recorder = recorder
        self.width = width
        self.height = self.STAMP_HEIGHT + self.TEXT_HEIGHT

    def wrap(self, availWidth: float, availHeight: float) -> tuple[float, float]:
        """Fixed size."""
        return self.width, self.height

    def draw(self) -> None:
        """Draw the line and captions; record the stamp box in page coordinates."""
        canv, signer = self.canv, self.signer
        line_y = self.TEXT_HEIGHT
        canv.setStrokeColor(colors.black)
        canv.setLineWidth(0.6)
        canv.line(0, line_y, self.width, line_y)
        canv.setFont("Helvetica-Bold", 8.5)
        canv.drawString(0, line_y - 10, signer.full_name)
        canv.setFont("Helvetica", 8)
        canv.drawString(0, line_y - 20, signer.detail)
        canv.drawString(0, line_y - 30, signer.caption)
        x1, y1 = canv.absolutePosition(0, line_y + 3)
        x2, y2 = canv.absolutePosition(self.width, self.height)
        page = canv.getPageNumber() - 1
        self.recorder.slots.append(
            SignatureSlot(signer.field_name, page, round(x1), round(y1), round(x2), round(y2))
        )


def signature_section(
    signers: Sequence[Signer], recorder: SlotRecorder, *, heading: Paragraph | None = None
) -> KeepTogether:
    """The signature blocks two per row, kept on one page with their heading."""
    column = (CONTENT_WIDTH - 12 * mm) / 2
    blocks: list[Flowable | str] = [SignatureBlock(s, recorder, column) for s in signers]
    if len(blocks) % 2:
        blocks.append("")
    rows = [blocks[i : i + 2] for i in range(0, len(blocks), 2)]
    table = Table(rows, colWidths=[column + 12 * mm, column])
    table.setStyle(
        TableStyle(
            [
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 8),
                ("VALIGN", (0, 0), (-1, -1), "BOTTOM"),
            ]
        )
    )
    return KeepTogether([heading, table] if heading is not None else [table])


@dataclass(frozen=True)
class PageFrame:
    """What every page of a document repeats in its header and footer."""

    title: str
    reference: str
    issued_on: date


class _FramedCanvas(Canvas):
    """Keeps the pages until the end to write "Página X de Y", header and footer on each."""

    def __init__(self, *args: Any, frame: PageFrame, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._frame = frame
        self._saved_pages: list[dict[str, Any]] = []
        stamp = frame.issued_on.strftime("D:%Y%m%d000000-05'00'")
        self.setDateFormatter(lambda *_: stamp)

    def showPage(self) -> None:
        self._saved_pages.append(dict(self.__dict__))
        self._startPage()

    def save(self) -> None:
        total = len(self._saved_pages)
        for state in self._saved_pages:
            self.__dict__.update(state)
            self._draw_frame(total)
            super().showPage()
        super().save()

    def _draw_frame(self, total: int) -> None:
        frame = self._frame
        top = PAGE_HEIGHT - 12 * mm
        self.saveState()
        self.setFillColor(GREEN)
        self.rect(MARGIN, top - 12 * mm, CONTENT_WIDTH, 14 * mm, stroke=0, fill=1)
        self.setFillColor(colors.white)
        self.setFont("Helvetica-Bold", 13)
        self.drawString(MARGIN + 4 * mm, top - 3 * mm, BRAND)
        self.setFont("Helvetica", 7.5)
        self.drawString(MARGIN + 4 * mm, top - 8.5 * mm, "Cooperativa de Ahorro y Crédito")
        self.setFont("Helvetica-Bold", 8.5)
        self.drawRightString(MARGIN + CONTENT_WIDTH - 4 * mm, top - 3 * mm, frame.title)
        self.setFont("Helvetica", 7.5)
        self.drawRightString(
            MARGIN + CONTENT_WIDTH - 4 * mm, top - 8.5 * mm, f"Operación N° {frame.reference}"
        )
        self.setFillColor(colors.grey)
        self.setStrokeColor(colors.lightgrey)
        self.line(MARGIN, 15 * mm, MARGIN + CONTENT_WIDTH, 15 * mm)
        self.setFont("Helvetica", 7.5)
        footer = f"Cooprogreso en Línea · Emitido el {short_date(frame.issued_on)}"
        self.drawString(MARGIN, 11 * mm, footer)
        self.drawRightString(
            MARGIN + CONTENT_WIDTH, 11 * mm, f"Página {self._pageNumber} de {total}"
        )
        self.restoreState()


def build_pdf(story: list[Flowable], *, frame: PageFrame, subject: str) -> bytes:
    """Lay ``story`` out on A4 pages with the Cooprogreso header and numbered footer.

    Args:
        story: The flowables of the document body.
        frame: Title, operation reference and issue date for header, footer and metadata.
        subject: The PDF's subject metadata.

    Returns:
        The PDF bytes, identical for identical input.
    """
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=TOP_MARGIN,
        bottomMargin=BOTTOM_MARGIN,
        title=f"{frame.title} {frame.reference}",
        author=INSTITUTION,
        subject=subject,
        creator="Cooprogreso en Línea",
        invariant=1,
    )

    def canvas_maker(*args: Any, **kwargs: Any) -> Canvas:
        return _FramedCanvas(*args, frame=frame, **kwargs)

    doc.build(story, canvasmaker=canvas_maker)
    return buffer.getvalue()
