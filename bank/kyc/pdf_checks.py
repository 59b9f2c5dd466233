"""Structural checks of uploaded PDFs with pypdf: no rendering, no poppler.

A PDF is refused when it is encrypted, unreadable, longer than the page limit, or carries
active content: JavaScript, actions run on open or on events, launch actions, embedded
files and attachments, rich media, XFA forms or form submission. Names are looked for
twice: in the raw bytes (with ``#xx`` escapes undone, so ``/J#61vaScript`` counts) and in
every object pypdf parses, which includes the objects packed inside compressed object
streams that a byte scan cannot see. pypdf caps how much a stream may inflate
(``pypdf.filters.ZLIB_MAX_OUTPUT_LENGTH``), which bounds a zip bomb in an object stream.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from PIL import Image
from pypdf import PdfReader
from pypdf.generic import ArrayObject, DictionaryObject, NameObject, PdfObject

ACTIVE_NAMES = frozenset(
    {
        "/JavaScript",
        "/JS",
        "/OpenAction",
        "/Launch",
        "/EmbeddedFile",
        "/EmbeddedFiles",
        "/EF",  # a file specification's embedded stream (its /Type is optional)
        "/FileAttachment",
        "/AA",
        "/RichMedia",
        "/XFA",  # XML forms, which carry their own scripts
        "/SubmitForm",  # sends form data to a URL
    }
)
# A PDF name: "/" then regular characters (anything but white space and delimiters).
_NAME = re.compile(rb"/[^\s()<>\[\]{}/%]*")
_ESCAPE = re.compile(rb"#([0-9A-Fa-f]{2})")
_MAX_NESTED = 100_000
"""Direct objects visited per indirect object before the file is called corrupt."""


@dataclass(frozen=True)
class PdfFacts:
    """What the structural check learnt; ``problem`` is ``None`` for a clean file."""

    problem: str | None
    pages: int | None = None
    reader: PdfReader | None = None


class _Corrupt(Exception):
    pass


def raw_active_names(data: bytes) -> set[str]:
    """Active-content names found by scanning the bytes, after undoing ``#xx`` escapes."""
    found = set()
    for match in _NAME.finditer(data):
        name = _ESCAPE.sub(lambda m: bytes([int(m.group(1), 16)]), match.group())
        text = name.decode("latin-1")
        if text in ACTIVE_NAMES:
            found.add(text)
    return found


def inspect_pdf(data: bytes) -> PdfFacts:
    """Open ``data`` with pypdf and report the first structural problem.

    Returns:
        ``PdfFacts`` whose ``problem`` is one of ``"encrypted"``, ``"corrupt"``,
        ``"active"`` or ``None``; ``pages`` is known unless the file is unreadable.
    """
    if raw_active_names(data):
        return PdfFacts("active")
    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted:
            return PdfFacts("encrypted")
        pages = len(reader.pages)
        if pages == 0:
            return PdfFacts("corrupt")
        active = any(_is_active(obj) for obj in _all_objects(reader))
    except Exception:
        # Hostile input reaches every corner of the parser, which raises many types
        # (PdfReadError, ValueError, KeyError, RecursionError...): all mean "unreadable".
        return PdfFacts("corrupt")
    return PdfFacts("active" if active else None, pages=pages, reader=reader)


def _all_objects(reader: PdfReader) -> Iterator[PdfObject]:
    """The trailer and every indirect object, including those inside object streams."""
    yield reader.trailer
    numbers: set[int] = set(reader.xref_objStm)
    for table in reader.xref.values():
        numbers.update(table)
    for number in sorted(numbers):
        obj = reader.get_object(number)
        if obj is not None:
            yield obj


def _is_active(root: PdfObject) -> bool:
    """True when a dictionary key or a name value under ``root`` is an active name."""
    stack: list[PdfObject] = [root]
    visited = 0
    while stack:
        obj = stack.pop()
        visited += 1
        if visited > _MAX_NESTED:
            raise _Corrupt("too deeply nested")
        if isinstance(obj, NameObject) and obj in ACTIVE_NAMES:
            return True
        if isinstance(obj, DictionaryObject):
            # Stream objects are dictionaries too: their dictionary is checked, their
            # content (drawing operators, image data) cannot name an action.
            if any(key in ACTIVE_NAMES for key in obj):
                return True
            stack.extend(obj.values())
        elif isinstance(obj, ArrayObject):
            stack.extend(obj)
    return False


def largest_image(reader: PdfReader, max_pixels: int) -> bytes | None:
    """The biggest image drawn directly on the first page, as PNG bytes; ``None`` if none.

    A scanned or phone-exported ID card is one image on one page: this is how the face on
    a PDF card is reached without rendering. Images whose declared ``/Width × /Height``
    exceeds ``max_pixels`` are skipped before pypdf decodes them (decompression bombs), and
    so are those whose data may not have that size (:func:`_sized_by_dictionary`).
    """
    try:
        resources: Any = reader.pages[0]["/Resources"]
        xobjects = resources["/XObject"]
        candidates = []
        for name, ref in xobjects.items():
            obj = ref.get_object()
            if obj.get("/Subtype") != "/Image" or not _sized_by_dictionary(obj):
                continue
            pixels = int(obj.get("/Width", 0)) * int(obj.get("/Height", 0))
            if 0 < pixels <= max_pixels:
                candidates.append((pixels, str(name)))
        if not candidates:
            return None
        _, best = max(candidates)
        image = reader.pages[0].images[best].image
        if image is None:
            return None
        out = io.BytesIO()
        image.convert("RGB").save(out, format="PNG")
        return out.getvalue()
    except Exception:
        # Missing resources, odd filters, broken image data: no usable image.
        return None


def _sized_by_dictionary(obj: Any) -> bool:
    """True when pypdf will decode the image at its ``/Width × /Height``.

    Raw and Flate samples are laid out by the dictionary; a JPEG (``/DCTDecode``) carries
    its own frame header, which must agree, or a 64 × 64 dictionary could front a JPEG of
    4,000 × 4,000 (measured: 278 MB to decode a 2.4 KB PDF). Other filters (JPX, CCITT,
    JBIG2, LZW...) are not used for the face.
    """
    filters = obj.get("/Filter")
    last = (filters[-1] if filters else None) if isinstance(filters, list) else filters
    if last in (None, "/FlateDecode"):
        return True
    if last != "/DCTDecode":
        return False
    try:
        with Image.open(io.BytesIO(obj.get_data()), formats=["JPEG"]) as jpeg:  # header only
            return jpeg.size == (int(obj.get("/Width", 0)), int(obj.get("/Height", 0)))
    except Exception:
        return False  # not a readable JPEG (Pillow raises many types): not this image
