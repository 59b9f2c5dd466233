"""Upload validation: pure functions over the uploaded bytes (OWASP File Upload cheat sheet).

The type comes from the magic bytes only (PDF, PNG, JPEG); the declared extension and
content type are ignored. Then, in order, each check stops at the first structural failure
(type, size, corrupt file, decompression bomb, script) and otherwise collects every quality
problem (resolution, blur, glare) so the member can fix them all in one new photo.

Images are decoded only after their layout, read by hand (``_layout``: PNG chunks, JPEG
segments through the scans), shows a single frame header (PNG IHDR, JPEG SOFn) within
``max_pixels``, an end marker, and nothing smuggled (``CONTENIDO_OCULTO``: another format
inside the metadata or after the end, or a ZIP directory); Pillow must then read the same
size. Accepted images are re-encoded, which drops EXIF/XMP metadata (GPS position, device)
and any trailing bytes. PDFs are checked structurally (``bank.kyc.pdf_checks``) and never
rendered: a PDF is not checked for blur or glare, and its face, when needed, is looked for
in the largest image it embeds. ``docs/kyc.md`` "Hostile uploads" lists the attacks.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass, field

import cv2
import numpy as np
from PIL import Image, ImageOps

from bank.kyc import reasons
from bank.kyc.contracts import ID_CARD_KINDS
from bank.kyc.pdf_checks import inspect_pdf, largest_image
from bank.kyc.reasons import Rejection, reject

PDF = "application/pdf"
PNG = "image/png"
JPEG = "image/jpeg"
_MAGIC = ((b"%PDF-", PDF), (b"\x89PNG\r\n\x1a\n", PNG), (b"\xff\xd8\xff", JPEG))
_PIL_FORMAT = {PNG: "PNG", JPEG: "JPEG"}
_SOF_MARKERS = frozenset(range(0xC0, 0xD0)) - {0xC4, 0xC8, 0xCC}
_STANDALONE_MARKERS = frozenset({0x01, *range(0xD0, 0xD9)})
_METADATA_MARKERS = frozenset({*range(0xE0, 0xF0), 0xFE})  # APPn (EXIF, XMP, ICC...), COM
_SCAN_END = re.compile(rb"\xff[^\x00\xd0-\xd7]")
"""In entropy-coded data, a marker: 0xFF not followed by stuffing (00) nor a restart (RSTn)."""
_MAX_PARTS = 10_000
"""PNG chunks or JPEG markers read before a file is called corrupt (bounds the CPU; a 10 MB
photo has about 1,300 chunks at libpng's 8 KB, a JPEG a few dozen markers)."""
_PADDING = b"\x00\t\n\r\x0c "
_SMUGGLED = re.compile(
    rb"%PDF-|<\?php|<!doctype\s+html|<(?:html|head|body|script|iframe|object|embed|svg)[\s>/]"
    rb"|\x7fELF|This program cannot be run in DOS mode",
    re.IGNORECASE,
)
"""Another format's opening (PDF, HTML/SVG/PHP, executables) inside an image's metadata or
after its end: what a polyglot hides."""
_QUALITY_SIDE = 1000
"""Long side (px) images are scaled to before blur and glare are measured."""


@dataclass(frozen=True)
class DocumentLimits:
    """Thresholds of the upload checks (``KycSettings`` reads them from the environment).

    ``blur_floor`` is on the variance of the Laplacian measured at a 1000 px long side, so
    the score does not depend on the camera's resolution. Glare is the share of pixels
    that are both near-white (HSV value >= ``glare_value``) and colourless (saturation <=
    ``glare_saturation``): a specular highlight on the card's laminate.
    """

    max_bytes: int = 10 * 1024 * 1024
    max_pdf_pages: int = 5
    max_pixels: int = 40_000_000
    min_width: int = 640
    min_height: int = 400
    blur_floor: float = 100.0
    glare_value: int = 245
    glare_saturation: int = 40
    glare_max_share: float = 0.05


@dataclass(frozen=True)
class UploadCheck:
    """The verdict on one upload; ``reasons`` is empty exactly when it is acceptable.

    ``image`` is the decoded RGB array (for the face checks) and ``sanitized`` the
    re-encoded image without metadata; both ``None`` for PDFs without a usable image.
    """

    media_type: str | None
    reasons: tuple[Rejection, ...] = ()
    pages: int | None = None
    width: int | None = None
    height: int | None = None
    blur_score: float | None = None
    glare_share: float | None = None
    image: np.ndarray | None = field(default=None, repr=False, compare=False)
    sanitized: bytes | None = field(default=None, repr=False)

    @property
    def accepted(self) -> bool:
        """No reason to refuse the upload."""
        return not self.reasons


class ImageRefused(Exception):
    """An image could not be safely decoded; ``rejection`` says why, for the member."""

    def __init__(self, rejection: Rejection) -> None:
        """Carry the member-facing rejection."""
        super().__init__(rejection.code)
        self.rejection = rejection


def sniff(data: bytes) -> str | None:
    """The media type given by the magic bytes, or ``None`` when not PDF, PNG nor JPEG."""
    for magic, media_type in _MAGIC:
        if data.startswith(magic):
            return media_type
    return None


def validate_upload(
    data: bytes, kind: str, limits: DocumentLimits | None = None, *, want_image: bool = False
) -> UploadCheck:
    """Check an uploaded document of ``kind`` (``bank.kyc.contracts`` kinds).

    Args:
        data: the uploaded bytes.
        kind: ``ID_FRONT``, ``ID_BACK``, ``UTILITY_BILL``, ``SPOUSE_ID_FRONT``...
        limits: thresholds; the defaults when ``None``.
        want_image: for PDFs, also extract the largest embedded image (a card's face).
    """
    limits = limits or DocumentLimits()
    if not data:
        return UploadCheck(None, (reject(reasons.ARCHIVO_VACIO),))
    if len(data) > limits.max_bytes:
        limit_mb = f"{limits.max_bytes / 1024 / 1024:g}"
        return UploadCheck(None, (reject(reasons.ARCHIVO_DEMASIADO_GRANDE, limit_mb=limit_mb),))
    media_type = sniff(data)
    if media_type is None:
        return UploadCheck(None, (reject(reasons.TIPO_NO_PERMITIDO),))
    if media_type == PDF:
        return _validate_pdf(data, limits, want_image)
    return _validate_image(data, media_type, kind, limits)


def _validate_pdf(data: bytes, limits: DocumentLimits, want_image: bool) -> UploadCheck:
    if _pdf_smuggles(data):
        return UploadCheck(PDF, (reject(reasons.CONTENIDO_OCULTO),))
    facts = inspect_pdf(data)
    problem = {
        "active": reasons.PDF_CON_SCRIPTS,
        "encrypted": reasons.PDF_PROTEGIDO,
        "corrupt": reasons.ARCHIVO_CORRUPTO,
    }.get(facts.problem or "")
    if problem is not None:
        return UploadCheck(PDF, (reject(problem),), pages=facts.pages)
    if facts.pages is not None and facts.pages > limits.max_pdf_pages:
        too_many = reject(reasons.DEMASIADAS_PAGINAS, pages=facts.pages, limit=limits.max_pdf_pages)
        return UploadCheck(PDF, (too_many,), pages=facts.pages)
    image = None
    if want_image and facts.reader is not None:
        embedded = largest_image(facts.reader, limits.max_pixels)
        if embedded is not None:
            try:
                image = decode_image(embedded, limits, PNG)
            except ImageRefused:
                image = None  # an unusable embedded picture: as if there were none
    return UploadCheck(PDF, pages=facts.pages, image=image)


def _validate_image(data: bytes, media_type: str, kind: str, limits: DocumentLimits) -> UploadCheck:
    try:
        rgb = decode_image(data, limits, media_type)
    except ImageRefused as refused:
        return UploadCheck(media_type, (refused.rejection,))
    height, width = rgb.shape[:2]
    found: list[Rejection] = []
    if max(width, height) < limits.min_width or min(width, height) < limits.min_height:
        found.append(
            reject(
                reasons.RESOLUCION_INSUFICIENTE,
                width=width,
                height=height,
                min_width=limits.min_width,
                min_height=limits.min_height,
            )
        )
    working = _working_copy(rgb)
    blur = blur_score(working)
    if blur < limits.blur_floor:
        found.append(reject(reasons.DOCUMENTO_BORROSO))
    glare = None
    if kind in ID_CARD_KINDS:
        glare = glare_share(working, limits)
        if glare > limits.glare_max_share:
            found.append(reject(reasons.DOCUMENTO_CON_REFLEJOS))
    return UploadCheck(
        media_type,
        tuple(found),
        width=width,
        height=height,
        blur_score=blur,
        glare_share=glare,
        image=rgb,
        sanitized=None if found else reencode(rgb, media_type),
    )


def decode_image(
    data: bytes, limits: DocumentLimits | None = None, media_type: str | None = None
) -> np.ndarray:
    """Decode a PNG or JPEG to an RGB ``uint8`` array, upright per its EXIF orientation.

    The layout is read first and the pixels are decoded only when it has exactly one frame
    header whose ``width × height`` is within ``limits.max_pixels`` (decompression bombs,
    checked explicitly rather than through Pillow's process-wide ``MAX_IMAGE_PIXELS``), an
    end marker, and nothing smuggled; Pillow must then read the same size.

    Raises:
        ImageRefused: not a PNG/JPEG, too many pixels, smuggled content, or undecodable.
    """
    limits = limits or DocumentLimits()
    media_type = media_type or sniff(data)
    if media_type not in _PIL_FORMAT:
        raise ImageRefused(reject(reasons.TIPO_NO_PERMITIDO))
    layout = _layout(data, media_type)
    if layout.size is None or 0 in layout.size:
        raise ImageRefused(reject(reasons.ARCHIVO_CORRUPTO))
    width, height = layout.size
    if width * height > limits.max_pixels:
        raise ImageRefused(reject(reasons.IMAGEN_DEMASIADO_GRANDE, width=width, height=height))
    if not layout.complete:
        raise ImageRefused(reject(reasons.ARCHIVO_CORRUPTO))
    if _smuggles(data, media_type, layout):
        raise ImageRefused(reject(reasons.CONTENIDO_OCULTO))
    try:
        with Image.open(io.BytesIO(data), formats=[_PIL_FORMAT[media_type]]) as image:
            if image.size != layout.size:  # a header the hand parser missed: never decode it
                raise ValueError(f"Pillow reads {image.size}, the header {layout.size}")
            image.load()
            ImageOps.exif_transpose(image, in_place=True)
            # No spare copies: Pillow's buffer (4 bytes a pixel) and the array (3) only.
            return np.asarray(image if image.mode == "RGB" else image.convert("RGB"))
    except Image.DecompressionBombError as exc:
        # Only reachable when max_pixels is set above Pillow's own guard.
        refused = reject(reasons.IMAGEN_DEMASIADO_GRANDE, width=width, height=height)
        raise ImageRefused(refused) from exc
    except Exception as exc:
        # Truncated data, bad chunks, CRC errors: the parser raises many types.
        raise ImageRefused(reject(reasons.ARCHIVO_CORRUPTO)) from exc


@dataclass(frozen=True)
class _Layout:
    """An image's structure, read by hand before any decoder runs (no pixel is inflated).

    ``size`` is ``(width, height)`` of the only frame header (PNG IHDR first, JPEG SOFn),
    ``None`` when there is none or more than one: a second header is what a decoder might
    use instead of the one checked. ``complete``: the end marker (PNG IEND, JPEG EOI after
    a scan) was reached. ``metadata``: bodies of the ancillary PNG chunks or JPEG APPn/COM
    segments. ``trailer``: the bytes after the end marker.
    """

    size: tuple[int, int] | None
    complete: bool
    metadata: tuple[bytes, ...] = ()
    trailer: bytes = b""


def _layout(data: bytes, media_type: str) -> _Layout:
    return _png_layout(data) if media_type == PNG else _jpeg_layout(data)


def _png_layout(data: bytes) -> _Layout:
    sizes: list[tuple[int, int]] = []
    metadata: list[bytes] = []
    pos = 8  # after the signature
    for _ in range(_MAX_PARTS):
        if pos + 12 > len(data):
            break
        length = int.from_bytes(data[pos : pos + 4], "big")
        kind, start, end = data[pos + 4 : pos + 8], pos + 8, pos + 12 + length
        if end > len(data):
            break
        if kind == b"IHDR":
            first = pos == 8 and length >= 8
            sizes.append((_uint(data, start, 4), _uint(data, start + 4, 4)) if first else (0, 0))
        elif kind == b"IEND":
            return _Layout(_single(sizes), True, tuple(metadata), data[end:])
        elif kind not in (b"IDAT", b"PLTE"):
            metadata.append(data[start : end - 4])
        pos = end
    return _Layout(_single(sizes), False, tuple(metadata))


def _jpeg_layout(data: bytes) -> _Layout:
    sizes: list[tuple[int, int]] = []
    metadata: list[bytes] = []
    scanned, pos = False, 2  # after SOI
    for _ in range(_MAX_PARTS):
        if pos + 2 > len(data) or data[pos] != 0xFF:
            break
        marker = data[pos + 1]
        if marker == 0xD9:  # EOI
            return _Layout(_single(sizes), scanned, tuple(metadata), data[pos + 2 :])
        if marker == 0xFF or marker in _STANDALONE_MARKERS:  # fill byte, RSTn, TEM
            pos += 1 if marker == 0xFF else 2
            continue
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        end = pos + 2 + length
        if length < 2 or end > len(data):
            break
        if marker in _SOF_MARKERS:
            sizes.append(
                (_uint(data, pos + 7, 2), _uint(data, pos + 5, 2)) if length >= 7 else (0, 0)
            )
        elif marker in _METADATA_MARKERS:
            metadata.append(data[pos + 4 : end])
        pos = end
        if marker == 0xDA:  # start of scan: skip the entropy-coded data
            scanned = True
            found = _SCAN_END.search(data, pos)
            pos = found.start() if found else len(data)
    return _Layout(_single(sizes), False, tuple(metadata))


def _uint(data: bytes, at: int, size: int) -> int:
    return int.from_bytes(data[at : at + size], "big")


def _single(sizes: list[tuple[int, int]]) -> tuple[int, int] | None:
    return sizes[0] if len(sizes) == 1 else None


def _smuggles(data: bytes, media_type: str, layout: _Layout) -> bool:
    """Another file rides along: a ZIP directory at the end (readers find it there), another
    format inside the metadata or after the end, anything after a PNG's IEND.

    Phones append data after a JPEG's end (a Motion Photo's video, secondary MPF pictures,
    vendor trailers), so a JPEG's trailer is only searched; re-encoding drops it anyway.
    """
    trailer = layout.trailer.strip(_PADDING)
    if media_type == PNG and trailer:
        return True
    if trailer.startswith((b"MZ", b"PK\x03\x04")) or zipfile.is_zipfile(io.BytesIO(data)):
        return True
    return any(_SMUGGLED.search(part) for part in (*layout.metadata, trailer))


def _pdf_smuggles(data: bytes) -> bool:
    """A PDF that is also a ZIP, or carries anything but padding after its last ``%%EOF``."""
    end = data.rfind(b"%%EOF")
    trailer = data[end + 5 :] if end >= 0 else b""
    return bool(trailer.strip(_PADDING)) or zipfile.is_zipfile(io.BytesIO(data))


def declared_size(data: bytes, media_type: str) -> tuple[int, int] | None:
    """``(width, height)`` as the only frame header declares it (PNG IHDR, JPEG SOFn).

    Read by hand, before any decoder runs, so a 50,000 × 50,000 bomb costs nothing;
    ``None`` when there is no header or more than one.
    """
    return _layout(data, media_type).size


def is_complete(data: bytes, media_type: str) -> bool:
    """True when the file reaches its end marker (JPEG EOI after the scan, PNG IEND).

    Checked by hand because importing face_recognition turns Pillow's
    ``LOAD_TRUNCATED_IMAGES`` on for the whole process, after which a half-uploaded photo
    decodes silently with its lower half grey.
    """
    return _layout(data, media_type).complete


def _working_copy(rgb: np.ndarray) -> np.ndarray:
    """``rgb`` scaled down so its long side is at most 1000 px (never scaled up)."""
    height, width = rgb.shape[:2]
    scale = _QUALITY_SIDE / max(height, width)
    if scale >= 1:
        return rgb
    size = (max(1, round(width * scale)), max(1, round(height * scale)))
    return cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)


def blur_score(rgb: np.ndarray) -> float:
    """Variance of the Laplacian of the grey image: low means few sharp edges (blur)."""
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    return float(cv2.Laplacian(grey, cv2.CV_64F).var())


def glare_share(rgb: np.ndarray, limits: DocumentLimits | None = None) -> float:
    """Share (0..1) of pixels that are near-white and colourless: specular highlights."""
    limits = limits or DocumentLimits()
    hsv = cv2.cvtColor(rgb, cv2.COLOR_RGB2HSV)
    bright = (hsv[..., 2] >= limits.glare_value) & (hsv[..., 1] <= limits.glare_saturation)
    return float(np.count_nonzero(bright)) / bright.size


def reencode(rgb: np.ndarray, media_type: str) -> bytes:
    """The image encoded anew from its pixels: no EXIF, XMP, ICC or trailing bytes."""
    out = io.BytesIO()
    image = Image.fromarray(np.ascontiguousarray(rgb))
    if media_type == JPEG:
        image.save(out, format="JPEG", quality=92)
    else:
        image.save(out, format="PNG", optimize=False)
    return out.getvalue()


def document_image(data: bytes, limits: DocumentLimits | None = None) -> np.ndarray | None:
    """The picture of a document: the decoded image, or a PDF's largest embedded image.

    Returns:
        An RGB array, or ``None`` for a PDF that embeds no usable image.

    Raises:
        ImageRefused: unknown type, unreadable, a bomb, or a PDF refused by its structure.
    """
    limits = limits or DocumentLimits()
    if sniff(data) != PDF:
        return decode_image(data, limits)
    check = _validate_pdf(data, limits, want_image=True)
    if check.reasons:
        raise ImageRefused(check.reasons[0])
    return check.image
