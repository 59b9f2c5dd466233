"""KYC activities through ActivityEnvironment, over a local document store."""

from __future__ import annotations

import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from temporalio.converter import DataConverter
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.kyc import KycActivities
from bank.adapters.local_documents import LocalDocumentStore
from bank.kyc import reasons
from bank.kyc.config import KycLimits
from bank.kyc.contracts import (
    BAD_REQUEST,
    ID_BACK,
    ID_FRONT,
    SPOUSE_ID_FRONT,
    UTILITY_BILL,
    AuthenticateFaceInput,
    DocumentCheck,
    ExtractReferenceFaceInput,
    FaceAuthResult,
    ValidateDocumentInput,
)
from bank.kyc.faces import FaceLimits
from tests.bank import kyc_support as fx


@pytest.fixture
def store(tmp_path: Path) -> LocalDocumentStore:
    return LocalDocumentStore(tmp_path / "documents")


@pytest.fixture
def kyc(store: LocalDocumentStore) -> KycActivities:
    return KycActivities(store)


@pytest.fixture
def env() -> ActivityEnvironment:
    return ActivityEnvironment()


def put(store: LocalDocumentStore, key: str, data: bytes, content_type: str = "image/jpeg") -> str:
    store.put(key, data, content_type)
    return key


def validate(env, kyc, key: str, kind: str) -> DocumentCheck:
    return env.run(kyc.validate_document, ValidateDocumentInput(key, kind))


def codes(result) -> list[str]:
    return [r.code for r in result.reasons]


def test_an_id_front_with_one_face_is_accepted_and_sanitized(env, kyc, store):
    key = put(store, "m1/id-front", fx.jpeg(fx.id_card("obama")), "image/png")
    check = validate(env, kyc, key, ID_FRONT)
    assert check.accepted and check.faces == 1 and check.reasons == []
    assert check.sanitized_key == "m1/id-front.sanitized"
    clean = store.get(check.sanitized_key)
    assert clean.info.content_type == "image/jpeg"
    with Image.open(io.BytesIO(clean.data)) as image:
        assert image.size == (856, 540)


@pytest.mark.parametrize(
    ("card", "code"),
    [("blank", reasons.ROSTRO_NO_ENCONTRADO), ("two", reasons.VARIOS_ROSTROS)],
)
def test_an_id_front_must_show_exactly_one_face(env, kyc, store, card, code):
    image = fx.blank_card() if card == "blank" else fx.id_card("obama", "biden")
    key = put(store, f"m1/{card}", fx.png(image), "image/png")
    check = validate(env, kyc, key, SPOUSE_ID_FRONT)
    assert not check.accepted
    assert codes(check) == [code]
    assert check.sanitized_key is None and not store.exists(f"m1/{card}.sanitized")


def test_the_back_of_the_card_needs_no_face(env, kyc, store):
    key = put(store, "m1/id-back", fx.jpeg(fx.blank_card()))
    assert validate(env, kyc, key, ID_BACK).accepted


def test_a_card_saved_as_pdf_is_checked_for_its_face(env, kyc, store):
    key = put(store, "m1/id.pdf", fx.image_pdf(fx.id_card("obama")), "application/pdf")
    check = validate(env, kyc, key, ID_FRONT)
    assert check.accepted and check.faces == 1 and check.media_type == "application/pdf"
    assert check.sanitized_key is None  # PDFs are kept as uploaded
    blank = put(store, "m1/blank.pdf", fx.pdf_pages(1), "application/pdf")
    assert codes(validate(env, kyc, blank, ID_FRONT)) == [reasons.ROSTRO_NO_ENCONTRADO]


def test_refusals_come_back_as_results(env, kyc, store):
    script = put(store, "m1/bill", fx.javascript_pdf(), "application/pdf")
    assert codes(validate(env, kyc, script, UTILITY_BILL)) == [reasons.PDF_CON_SCRIPTS]
    blurry = put(store, "m1/blurry", fx.jpeg(fx.blurred(fx.id_card("obama"))))
    assert codes(validate(env, kyc, blurry, ID_FRONT)) == [reasons.DOCUMENTO_BORROSO]
    assert codes(validate(env, kyc, "m1/missing", ID_BACK)) == [reasons.DOCUMENTO_NO_ENCONTRADO]


def test_an_unknown_kind_is_a_non_retryable_error(env, kyc, store):
    key = put(store, "m1/x", fx.jpeg(fx.blank_card()))
    with pytest.raises(ApplicationError) as error:
        validate(env, kyc, key, "PASSPORT")
    assert error.value.type == BAD_REQUEST and error.value.non_retryable


def reference_key(env, kyc, store) -> str:
    key = put(store, "m1/id-front", fx.jpeg(fx.id_card("obama")))
    found = env.run(kyc.extract_reference_face, ExtractReferenceFaceInput(key))
    assert found.found and found.reasons == []
    assert found.encoding_key == "m1/id-front.face.json"
    return found.encoding_key


def test_the_reference_face_is_stored_not_returned(env, kyc, store):
    encoding_key = reference_key(env, kyc, store)
    payload = json.loads(store.get(encoding_key).data)
    assert len(payload["encoding"]) == 128 and payload["source"] == "m1/id-front"
    key = put(store, "m1/no-face", fx.jpeg(fx.blank_card()))
    refused = env.run(kyc.extract_reference_face, ExtractReferenceFaceInput(key))
    assert not refused.found and refused.encoding_key is None
    assert codes(refused) == [reasons.ROSTRO_NO_ENCONTRADO]


def put_frames(store, prefix: str, frames) -> list[str]:
    return [put(store, f"{prefix}/{i:02d}", fx.jpeg(f, quality=90)) for i, f in enumerate(frames)]


def authenticate(env, kyc, reference: str, frame_keys: list[str]) -> FaceAuthResult:
    return env.run(kyc.authenticate_face, AuthenticateFaceInput(reference, frame_keys))


def test_the_member_blinking_at_the_camera_passes(env, kyc, store):
    reference = reference_key(env, kyc, store)
    result = authenticate(env, kyc, reference, put_frames(store, "s1", fx.camera_clip("obama")))
    print(f"same person: distance {result.distance:.3f}, distances {result.distances}")
    assert result.passed and result.matched and result.live and result.reasons == []
    assert result.distance is not None and result.distance < result.threshold == 0.5
    assert result.blinks == 1 and result.frames == result.frames_with_face == 12
    # Compared: the open frames right before and after the blink (frames 4 and 7).
    assert len(result.distances) == 2


def test_another_person_blinking_is_rejected(env, kyc, store):
    reference = reference_key(env, kyc, store)
    result = authenticate(env, kyc, reference, put_frames(store, "s2", fx.camera_clip("biden")))
    print(f"other person: distance {result.distance:.3f}")
    assert result.live and not result.matched and not result.passed
    assert codes(result) == [reasons.ROSTRO_NO_COINCIDE]
    assert result.distance is not None and result.distance > 0.6


def test_a_still_photo_of_the_member_is_rejected(env, kyc, store):
    reference = reference_key(env, kyc, store)
    result = authenticate(env, kyc, reference, put_frames(store, "s3", fx.still_clip(count=10)))
    assert not result.live and not result.passed
    assert codes(result) == [reasons.IMAGEN_ESTATICA]
    assert result.matched  # the photo is of the member: the distance is still recorded
    assert result.distance is not None and result.distance < 0.5


def test_a_photo_of_the_member_then_someone_else_blinking_is_rejected(env, kyc, store):
    reference = reference_key(env, kyc, store)
    frames = fx.camera_clip("obama", closed=())[:6] + fx.camera_clip("biden")
    keys = put_frames(store, "s4", frames)
    # By default only the frames around the blink are compared: they are someone else's.
    result = authenticate(env, kyc, reference, keys)
    assert result.live and not result.matched and not result.passed
    assert codes(result) == [reasons.ROSTRO_NO_COINCIDE]
    # Comparing more frames finds the member too, and the change of face.
    wider = KycActivities(store, KycLimits(faces=FaceLimits(max_encoded_frames=5)))
    result = authenticate(env, wider, reference, keys)
    assert result.live and result.distance is not None and result.distance < 0.5
    assert not result.matched and not result.passed
    assert codes(result) == [reasons.ROSTRO_CAMBIO]


def test_unusable_frames_are_results_and_bad_calls_are_errors(env, kyc, store):
    reference = reference_key(env, kyc, store)
    no_frames = authenticate(env, kyc, reference, [])
    assert codes(no_frames) == [reasons.ROSTRO_NO_DETECTADO] and not no_frames.passed
    missing = authenticate(env, kyc, reference, ["s5/never-uploaded"])
    assert codes(missing) == [reasons.DOCUMENTO_NO_ENCONTRADO]
    bomb = put(store, "s5/bomb", fx.png_bomb(), "image/png")
    assert codes(authenticate(env, kyc, reference, [bomb])) == [reasons.IMAGEN_DEMASIADO_GRANDE]
    with pytest.raises(ApplicationError) as too_many:
        authenticate(env, kyc, reference, [bomb] * 31)
    assert too_many.value.non_retryable
    with pytest.raises(ApplicationError) as no_reference:
        authenticate(env, kyc, "m1/nothing.face.json", [bomb])
    assert no_reference.value.type == BAD_REQUEST


async def test_results_survive_temporals_json_converter():
    converter = DataConverter.default
    result = FaceAuthResult(
        matched=True,
        distance=0.41,
        live=False,
        reasons=[reasons.reject(reasons.IMAGEN_ESTATICA)],
        threshold=0.5,
        distances=[0.41, 0.43],
    )
    check = DocumentCheck("k", ID_FRONT, False, [reasons.reject(reasons.DOCUMENTO_BORROSO)])
    for value in (result, check):
        payloads = await converter.encode([value])
        assert await converter.decode(payloads, [type(value)]) == [value]
    assert np.isfinite(result.distances).all()
