"""Upload validation: every refusal a member can meet, each with its stable code."""

from __future__ import annotations

import io
import time

import cv2
import numpy as np
import pytest
from PIL import Image

from bank.kyc import reasons
from bank.kyc.contracts import ID_BACK, ID_FRONT, UTILITY_BILL
from bank.kyc.documents import (
    JPEG,
    PDF,
    PNG,
    DocumentLimits,
    ImageRefused,
    declared_size,
    document_image,
    sniff,
    validate_upload,
)
from bank.kyc.pdf_checks import raw_active_names
from tests.bank import kyc_support as fx


def codes(check) -> list[str]:
    return [r.code for r in check.reasons]


@pytest.fixture(scope="module")
def card() -> np.ndarray:
    return fx.id_card("obama")


def test_a_sharp_id_card_photo_is_accepted_and_reencoded_without_metadata(card):
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {2: (0.0, 10.0, 30.0)}  # GPSInfo: where the member lives
    out = io.BytesIO()
    Image.fromarray(card).save(out, format="JPEG", quality=92, exif=exif)
    assert b"PhoneMaker" in out.getvalue()

    check = validate_upload(out.getvalue(), ID_FRONT)

    assert check.accepted, check.reasons
    assert (check.media_type, check.width, check.height) == (JPEG, 856, 540)
    assert check.blur_score is not None and check.blur_score > 100
    assert check.sanitized is not None and b"PhoneMaker" not in check.sanitized
    with Image.open(io.BytesIO(check.sanitized)) as clean:
        assert not clean.getexif()
        assert clean.size == (856, 540)


def test_the_type_comes_from_the_bytes_not_the_name(card):
    assert sniff(fx.png(card)) == PNG
    assert sniff(fx.jpeg(card)) == JPEG
    assert sniff(fx.javascript_pdf()) == PDF
    refused = validate_upload(fx.exe_named_png(), ID_FRONT)
    assert codes(refused) == [reasons.TIPO_NO_PERMITIDO]
    assert "PDF, PNG o JPG" in refused.reasons[0].message


def test_a_blurred_photo_is_refused_as_blurry(card):
    check = validate_upload(fx.jpeg(fx.blurred(card)), ID_FRONT)
    assert codes(check) == [reasons.DOCUMENTO_BORROSO]
    assert check.sanitized is None


def test_a_photo_with_a_bright_reflection_is_refused_for_glare(card):
    check = validate_upload(fx.png(fx.glared(card)), ID_BACK)
    assert codes(check) == [reasons.DOCUMENTO_CON_REFLEJOS]
    assert check.glare_share is not None and check.glare_share > 0.05


def test_a_white_scanned_bill_is_not_called_glare():
    page = np.full((1400, 1000, 3), 255, np.uint8)
    for row in range(30):
        cv2.putText(page, f"CONSUMO KWH {row:02d}  USD 12.{row:02d}", (60, 80 + row * 42),
                    cv2.FONT_HERSHEY_SIMPLEX, 0.9, (0, 0, 0), 2, cv2.LINE_AA)  # fmt: skip
    check = validate_upload(fx.png(page), UTILITY_BILL)
    assert check.accepted, check.reasons
    assert check.glare_share is None


def test_a_tiny_image_is_refused_for_resolution(card):
    tiny = cv2.resize(card, (320, 202), interpolation=cv2.INTER_AREA)
    check = validate_upload(fx.jpeg(tiny), ID_FRONT)
    assert reasons.RESOLUCION_INSUFICIENTE in codes(check)
    assert "320×202" in check.reasons[0].message


def test_a_png_declaring_50000_by_50000_is_refused_before_decoding():
    bomb = fx.png_bomb()
    assert len(bomb) < 200
    started = time.perf_counter()
    check = validate_upload(bomb, ID_FRONT)
    assert time.perf_counter() - started < 1.0
    assert codes(check) == [reasons.IMAGEN_DEMASIADO_GRANDE]
    assert "50000×50000" in check.reasons[0].message


def test_a_jpeg_declaring_huge_dimensions_is_refused():
    sof = b"\xff\xc0\x00\x11\x08" + (60000).to_bytes(2, "big") + (60000).to_bytes(2, "big")
    bomb = b"\xff\xd8\xff\xe0\x00\x04\x00\x00" + sof + b"\x03" + b"\x01\x22\x00" * 3 + b"\xff\xd9"
    assert declared_size(bomb, JPEG) == (60000, 60000)
    assert codes(validate_upload(bomb, ID_FRONT)) == [reasons.IMAGEN_DEMASIADO_GRANDE]


def test_declared_size_reads_real_headers(card):
    assert declared_size(fx.png(card), PNG) == (856, 540)
    assert declared_size(fx.jpeg(card), JPEG) == (856, 540)


def test_a_pdf_with_javascript_is_refused():
    check = validate_upload(fx.javascript_pdf(), UTILITY_BILL)
    assert codes(check) == [reasons.PDF_CON_SCRIPTS]


def test_javascript_hidden_in_a_compressed_object_stream_is_found():
    hidden = fx.hidden_javascript_pdf()
    assert raw_active_names(hidden) == set()  # invisible to a byte scan
    assert codes(validate_upload(hidden, UTILITY_BILL)) == [reasons.PDF_CON_SCRIPTS]


def test_hex_escaped_names_are_found():
    escaped = fx.javascript_pdf().replace(b"/S /JavaScript", b"/S /J#61vaScript")
    escaped = escaped.replace(b"/OpenAction", b"/Open#41ction")
    assert raw_active_names(escaped) == {"/JavaScript", "/OpenAction", "/JS"}
    assert codes(validate_upload(escaped, UTILITY_BILL)) == [reasons.PDF_CON_SCRIPTS]


@pytest.mark.parametrize(
    "name", [b"/Launch", b"/EmbeddedFile", b"/EmbeddedFiles", b"/EF", b"/AA", b"/RichMedia"]
)
def test_other_active_content_is_refused(name):
    pdf = (
        fx.javascript_pdf()
        .replace(b"/OpenAction 4 0 R", name + b" 4 0 R")
        .replace(b"/S /JavaScript /JS (app.alert\\('hola'\\);)", b"/S /GoTo /D [3 0 R /Fit]")
    )
    assert codes(validate_upload(pdf, UTILITY_BILL)) == [reasons.PDF_CON_SCRIPTS]


def test_apple_metadata_names_are_not_mistaken_for_actions():
    clean = fx.javascript_pdf().replace(b"/OpenAction 4 0 R", b"/AAPL:Keywords []")
    clean = clean.replace(b"/S /JavaScript /JS (app.alert\\('hola'\\);)", b"/S /GoTo")
    check = validate_upload(clean, UTILITY_BILL)
    assert check.accepted, check.reasons
    assert check.pages == 1


def test_page_limit():
    assert validate_upload(fx.pdf_pages(5), UTILITY_BILL).accepted
    check = validate_upload(fx.pdf_pages(6), UTILITY_BILL)
    assert codes(check) == [reasons.DEMASIADAS_PAGINAS]
    assert "6 páginas" in check.reasons[0].message


def test_a_password_protected_pdf_is_refused():
    assert codes(validate_upload(fx.pdf_pages(1, "clave"), UTILITY_BILL)) == [reasons.PDF_PROTEGIDO]


@pytest.mark.parametrize(
    "data",
    [
        b"%PDF-1.7\n" + bytes(range(256)) * 8,
        fx.pdf_pages(2)[:300],
        b"\x89PNG\r\n\x1a\n" + b"\x00" * 40,
        b"\xff\xd8\xff\xe0" + b"\x13" * 500,
    ],
    ids=["garbage-pdf", "truncated-pdf", "broken-png", "broken-jpeg"],
)
def test_corrupt_files_are_refused_not_crashed(data):
    assert codes(validate_upload(data, ID_FRONT)) == [reasons.ARCHIVO_CORRUPTO]


def test_a_truncated_photo_is_corrupt(card):
    data = fx.jpeg(card)
    assert codes(validate_upload(data[: len(data) // 2], ID_FRONT)) == [reasons.ARCHIVO_CORRUPTO]


def test_size_limit_and_empty_file(card):
    limits = DocumentLimits(max_bytes=10_000)
    check = validate_upload(fx.png(card), ID_FRONT, limits)
    assert codes(check) == [reasons.ARCHIVO_DEMASIADO_GRANDE]
    assert codes(validate_upload(b"", ID_FRONT)) == [reasons.ARCHIVO_VACIO]


def test_a_photographed_card_saved_as_pdf_yields_its_image(card):
    pdf = fx.image_pdf(card)
    check = validate_upload(pdf, ID_FRONT, want_image=True)
    assert check.accepted and check.pages == 1
    assert check.image is not None and check.image.shape[:2] == (540, 856)
    picture = document_image(pdf)
    assert picture is not None and picture.shape == (540, 856, 3)
    with pytest.raises(ImageRefused):
        document_image(fx.javascript_pdf())
    assert document_image(fx.pdf_pages(1)) is None


def test_every_code_has_a_spanish_message():
    for code, message in reasons.MESSAGES.items():
        assert code.isupper() and message[0].isupper()
    assert reasons.reject(reasons.DOCUMENTO_BORROSO).message.startswith("La imagen está borrosa")
