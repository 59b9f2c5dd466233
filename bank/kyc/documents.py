"""Upload validation: pure functions over the uploaded bytes (OWASP File Upload cheat sheet).

The type comes from the magic bytes only (PDF, PNG, JPEG); the declared extension and
content type are ignored. Then, in order, each check stops at the first structural failure
(type, size, corrupt file, decompression bomb, script) and otherwise collects every quality
problem (resolution, blur, glare) so the member can fix them all in one new photo.

Images are decoded only after their declared dimensions (PNG IHDR, JPEG SOF, read by
Pillow without decoding) are within ``max_pixels``; accepted images are re-encoded, which
drops EXIF/XMP metadata (GPS position, device) and any trailing payload. PDFs are checked
structurally (``bank.kyc.pdf_checks``) and never rendered: a PDF is not checked for blur or
glare, and its face, when needed, is looked for in the largest image it embeds.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
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
_PNG_END = b"\x00\x00\x00\x00IEND\xaeB`\x82"
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

    The header is read first and the pixels are decoded only when ``width × height`` is
    within ``limits.max_pixels`` (decompression-bomb protection, checked explicitly rather
    than through Pillow's process-wide ``MAX_IMAGE_PIXELS``).

    Raises:
        ImageRefused: not a PNG/JPEG, too many pixels, or undecodable.
    """
    limits = limits or DocumentLimits()
    media_type = media_type or sniff(data)
    if media_type not in _PIL_FORMAT:
        raise ImageRefused(reject(reasons.TIPO_NO_PERMITIDO))
    size = declared_size(data, media_type)
    if size is None:
        raise ImageRefused(reject(reasons.ARCHIVO_CORRUPTO))
    width, height = size
    if width * height > limits.max_pixels:
        raise ImageRefused(reject(reasons.IMAGEN_DEMASIADO_GRANDE, width=width, height=height))
    if not is_complete(data, media_type):
        raise ImageRefused(reject(reasons.ARCHIVO_CORRUPTO))
    try:
        with Image.open(io.BytesIO(data), formats=[_PIL_FORMAT[media_type]]) as image:
            image.load()
            upright = ImageOps.exif_transpose(image)
            return np.asarray(upright.convert("RGB"))
    except Image.DecompressionBombError as exc:
        # Only reachable when max_pixels is set above Pillow's own guard.
        refused = reject(reasons.IMAGEN_DEMASIADO_GRANDE, width=width, height=height)
        raise ImageRefused(refused) from exc
    except Exception as exc:
        # Truncated data, bad chunks, CRC errors: the parser raises many types.
        raise ImageRefused(reject(reasons.ARCHIVO_CORRUPTO)) from exc


def declared_size(data: bytes, media_type: str) -> tuple[int, int] | None:
    """``(width, height)`` as the header declares it (PNG IHDR, JPEG SOFn), or ``None``.

    Read by hand, before any decoder runs, so a 50,000 × 50,000 bomb costs nothing.
    """
    if media_type == PNG:
        if len(data) < 24 or data[12:16] != b"IHDR":
            return None
        return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")
    return _jpeg_size(data)


def _jpeg_size(data: bytes) -> tuple[int, int] | None:
    """Dimensions from the first start-of-frame marker."""
    for marker, pos in _jpeg_markers(data):
        if marker in _SOF_MARKERS and pos + 9 <= len(data):
            height = int.from_bytes(data[pos + 5 : pos + 7], "big")
            width = int.from_bytes(data[pos + 7 : pos + 9], "big")
            return width, height
    return None


def _jpeg_markers(data: bytes) -> Iterator[tuple[int, int]]:
    """``(marker, offset)`` of each JPEG header segment, up to the first start of scan."""
    pos = 2
    while pos + 4 <= len(data):
        if data[pos] != 0xFF:
            return
        marker = data[pos + 1]
        if marker == 0xFF:  # fill byte
            pos += 1
            continue
        if marker in _STANDALONE_MARKERS:
            pos += 2
            continue
        yield marker, pos
        length = int.from_bytes(data[pos + 2 : pos + 4], "big")
        if marker == 0xDA or length < 2:
            return
        pos += 2 + length


def is_complete(data: bytes, media_type: str) -> bool:
    """True when the file reaches its end marker (JPEG EOI after the scan, PNG IEND).

    Checked by hand because importing face_recognition turns Pillow's
    ``LOAD_TRUNCATED_IMAGES`` on for the whole process, after which a half-uploaded photo
    decodes silently with its lower half grey.
    """
    if media_type == PNG:
        return data.rfind(_PNG_END) > 8
    scan = max((pos for marker, pos in _jpeg_markers(data) if marker == 0xDA), default=-1)
    return scan > 0 and data.rfind(b"\xff\xd9") > scan


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
