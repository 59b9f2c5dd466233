"""Fixtures of the KYC tests, built from the real photographs in ``tests/fixtures/faces``.

Everything but the four photographs is synthesised here, deterministically (seeded):
ID-card-like composites, blurred and glared copies, hostile files written by hand, and
camera clips with and without a blink. How the blink is painted is explained in
:func:`close_eyes` and ``docs/kyc.md``.
"""

from __future__ import annotations

import io
import struct
import zlib
from functools import cache
from pathlib import Path

import cv2
import numpy as np
from PIL import Image
from pypdf import PdfWriter

from bank.kyc.faces import load_face_recognition

FACES = Path(__file__).resolve().parent.parent / "fixtures" / "faces"
CARD_SIZE = (856, 540)  # ID-1 card (85.6 × 54 mm) at 10 px/mm
FRAME_SIZE = (640, 480)


@cache
def photo(name: str) -> np.ndarray:
    """A fixture photograph (``obama``, ``obama2``, ``obama3``, ``biden``) as RGB."""
    with Image.open(FACES / f"{name}.jpg") as image:
        rgb = np.asarray(image.convert("RGB"))
    rgb.setflags(write=False)
    return rgb


def jpeg(rgb: np.ndarray, quality: int = 92) -> bytes:
    """``rgb`` encoded as JPEG."""
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, format="JPEG", quality=quality)
    return out.getvalue()


def png(rgb: np.ndarray) -> bytes:
    """``rgb`` encoded as PNG."""
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, format="PNG")
    return out.getvalue()


def face_crop(name: str, size: tuple[int, int], margin: float = 0.9) -> np.ndarray:
    """The head of a fixture photograph, cropped around its face and resized to ``size``."""
    face_recognition = load_face_recognition()

    rgb = photo(name)
    top, right, bottom, left = face_recognition.face_locations(rgb)[0]
    cx, cy = (left + right) / 2, (top + bottom) / 2
    half_w = (right - left) * (0.5 + margin)
    half_h = half_w * size[1] / size[0]
    x0, x1 = int(max(0, cx - half_w)), int(min(rgb.shape[1], cx + half_w))
    y0, y1 = int(max(0, cy - half_h)), int(min(rgb.shape[0], cy + half_h))
    return cv2.resize(rgb[y0:y1, x0:x1], size, interpolation=cv2.INTER_AREA)


def blank_card(seed: int = 7) -> np.ndarray:
    """A card without a portrait: pale background, guilloche lines and text rows."""
    width, height = CARD_SIZE
    card = np.full((height, width, 3), (214, 228, 240), np.uint8)
    xs = np.arange(width)
    for k in range(12):
        ys = (height / 2 + (height / 3) * np.sin(xs / (35 + 4 * k) + k)).astype(np.int32)
        points = np.stack([xs, ys], axis=1).reshape(-1, 1, 2)
        cv2.polylines(card, [points], False, (170, 190, 215), 1, cv2.LINE_AA)
    cv2.rectangle(card, (0, 0), (width, 70), (30, 70, 140), -1)
    cv2.putText(card, "REPUBLICA DEL ECUADOR", (40, 48), cv2.FONT_HERSHEY_SIMPLEX, 1.2,
                (255, 255, 255), 2, cv2.LINE_AA)  # fmt: skip
    rng = np.random.default_rng(seed)
    for row in range(6):
        text = "".join(rng.choice(list("ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789 "), 18))
        cv2.putText(card, text, (330, 130 + row * 60), cv2.FONT_HERSHEY_SIMPLEX, 0.9,
                    (20, 20, 40), 2, cv2.LINE_AA)  # fmt: skip
    return card


def id_card(*names: str) -> np.ndarray:
    """An ID-card-like front with the portrait of each named photograph, side by side."""
    card = blank_card()
    slot_w, slot_h = 240, 300
    for i, name in enumerate(names):
        x, y = 40 + i * (slot_w + 20), 110
        if x + slot_w > card.shape[1]:
            raise ValueError("too many portraits for one card")
        card[y : y + slot_h, x : x + slot_w] = face_crop(name, (slot_w, slot_h), margin=0.6)
    return card


def blurred(rgb: np.ndarray) -> np.ndarray:
    """An out-of-focus copy."""
    return cv2.GaussianBlur(rgb, (0, 0), sigmaX=6)


def glared(rgb: np.ndarray) -> np.ndarray:
    """A copy with a saturated white highlight over a fifth of the card."""
    out = rgb.copy()
    height, width = out.shape[:2]
    cv2.ellipse(out, (width // 2, height // 2), (width // 4, height // 4), 20, 0, 360,
                (255, 255, 255), -1)  # fmt: skip
    return out


def exe_named_png() -> bytes:
    """A Windows executable's header: what a ``.png`` upload may really contain."""
    return b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 48


def png_bomb(width: int = 50_000, height: int = 50_000) -> bytes:
    """A tiny PNG whose header declares ``width × height`` pixels."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = zlib.crc32(kind + body) & 0xFFFFFFFF
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", crc)

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    body = zlib.compress(b"\x00" * 1024)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", body)
            + chunk(b"IEND", b""))  # fmt: skip


def _pdf(objects: list[bytes], root: int = 1) -> bytes:
    """A classic PDF (xref table) from object bodies numbered from 1."""
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        root,
        xref,
    )
    return bytes(out)


def javascript_pdf() -> bytes:
    """A one-page PDF, written by hand, that runs JavaScript when opened."""
    return _pdf(
        [
            b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
            b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
            b"<< /Type /Action /S /JavaScript /JS (app.alert\\('hola'\\);) >>",
        ]
    )


def hidden_javascript_pdf() -> bytes:
    """Like :func:`javascript_pdf`, but the catalog and the action sit in a compressed
    object stream (PDF 1.5), where a byte scan cannot see them."""
    packed = [
        b"<< /Type /Catalog /Pages 2 0 R /OpenAction 4 0 R >>",
        b"<< /S /JavaScript /JS (app.alert\\(1\\);) >>",
    ]
    index = b""
    body = b""
    for number, obj in zip((1, 4), packed, strict=True):
        index += b"%d %d " % (number, len(body))
        body += obj + b"\n"
    stream = zlib.compress(index + body)
    out = bytearray(b"%PDF-1.5\n%\xe2\xe3\xcf\xd3\n")
    offsets: dict[int, int] = {}
    plain = {
        2: b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        3: b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] >>",
        5: b"<< /Type /ObjStm /N 2 /First %d /Filter /FlateDecode /Length %d >>\nstream\n"
        % (len(index), len(stream))
        + stream
        + b"\nendstream",
    }
    for number, obj in plain.items():
        offsets[number] = len(out)
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    offsets[6] = len(out)
    rows = [b"\x00\x00\x00\x00\x00\xff\xff"]
    for number in range(1, 7):
        if number in (1, 4):
            rows.append(b"\x02" + struct.pack(">IH", 5, 0 if number == 1 else 1))
        else:
            rows.append(b"\x01" + struct.pack(">IH", offsets[number], 0))
    xref = zlib.compress(b"".join(rows))
    out += b"6 0 obj\n<< /Type /XRef /Size 7 /W [1 4 2] /Root 1 0 R /Filter /FlateDecode"
    out += b" /Length %d >>\nstream\n" % len(xref) + xref + b"\nendstream\nendobj\n"
    out += b"startxref\n%d\n%%%%EOF\n" % offsets[6]
    return bytes(out)


def pdf_pages(count: int, password: str | None = None) -> bytes:
    """A PDF of ``count`` blank pages (pypdf), optionally encrypted."""
    writer = PdfWriter()
    for _ in range(count):
        writer.add_blank_page(612, 792)
    if password is not None:
        writer.encrypt(password)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def image_pdf(rgb: np.ndarray) -> bytes:
    """A one-page PDF holding ``rgb`` as a JPEG, like a phone's "save as PDF"."""
    out = io.BytesIO()
    Image.fromarray(rgb).save(out, format="PDF", resolution=150)
    return out.getvalue()


def close_eyes(rgb: np.ndarray) -> np.ndarray:
    """The same face with both eyes painted shut.

    Each eye's six landmarks (dlib, 68-point model) outline the opening. The outline,
    grown 1.3× (3.9× vertically, to cover lashes and lids), is filled with the skin colour
    sampled just below the eye, with a feathered edge; then a dark lid line (20% of the
    skin colour, a tenth of the eye's width thick) is drawn from corner to corner through
    the middle of the eye. Found by a small parameter search over the four fixture faces
    (a thinner or lighter line, or one along the lower lid, lets dlib place the lids wide
    apart on the painted skin, and the EAR even rises). Through the detection pipeline it
    brings the EAR to 0.59-0.68 of the open eye on obama, biden and obama2, but not on
    obama3. ``test_kyc_liveness`` checks the drop on every clip it uses.
    """
    face_recognition = load_face_recognition()

    marks = face_recognition.face_landmarks(rgb, model="large")[0]
    out = rgb.astype(np.float64)
    for name in ("left_eye", "right_eye"):
        eye = np.asarray(marks[name], dtype=np.float64)
        centre = eye.mean(axis=0)
        width = float(np.linalg.norm(eye[0] - eye[3]))
        outline = ((eye - centre) * [1.3, 1.3 * 3.0] + centre).astype(np.int32)
        y0, x0 = int(centre[1] + width * 0.6), int(centre[0] - width * 0.4)
        below = rgb[y0 : y0 + int(width * 0.4), x0 : x0 + int(width * 0.8)]
        skin = np.median(below.reshape(-1, 3), axis=0)
        mask = np.zeros(rgb.shape[:2], np.uint8)
        cv2.fillPoly(mask, [outline], 255)
        alpha = cv2.GaussianBlur(mask, (7, 7), 0).astype(np.float64)[..., None] / 255
        out = out * (1 - alpha) + skin * alpha
        middle = (eye[1] + eye[2] + eye[4] + eye[5]) / 4
        lid = np.array([eye[0], (eye[0] + middle) / 2, middle, (middle + eye[3]) / 2, eye[3]])
        thickness = max(2, round(width * 0.1))
        cv2.polylines(
            out, [lid.astype(np.int32)], False, (skin * 0.2).tolist(), thickness, cv2.LINE_AA
        )
    return np.clip(out, 0, 255).astype(np.uint8)


def _jitter(rgb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """A camera-like variant: shifted by a pixel or two, brightness drift, sensor noise."""
    dx, dy = rng.integers(-2, 3, size=2)
    matrix = np.array([[1, 0, dx], [0, 1, dy]], dtype=np.float32)
    height, width = rgb.shape[:2]
    moved = cv2.warpAffine(rgb, matrix, (width, height), borderMode=cv2.BORDER_REFLECT)
    noisy = moved + rng.normal(rng.uniform(-6, 6), 2.0, size=moved.shape)
    return np.clip(noisy, 0, 255).astype(np.uint8)


@cache
def camera_clip(name: str = "obama", count: int = 12, closed: tuple[int, ...] = (5, 6)) -> tuple:
    """``count`` 640×480 frames of a fixture face; the frames in ``closed`` blink."""
    base = face_crop(name, FRAME_SIZE)
    shut = close_eyes(base) if closed else base
    rng = np.random.default_rng(20240611)
    return tuple(_jitter(shut if i in closed else base, rng) for i in range(count))


def still_clip(name: str = "obama", count: int = 10) -> list[np.ndarray]:
    """The same frame ``count`` times: a photograph held to the camera, or a replay."""
    frame = camera_clip(name, count=1, closed=())[0]
    return [frame.copy() for _ in range(count)]
