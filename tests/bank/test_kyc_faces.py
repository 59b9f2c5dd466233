"""Face matching on real photographs: the same person matches, another person does not."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from bank.kyc import faces, reasons
from bank.kyc.faces import FaceLimits, FaceRefused
from tests.bank import kyc_support as fx


@pytest.fixture(scope="module")
def reference() -> np.ndarray:
    """The encoding of the portrait on an ID card made from obama.jpg."""
    return faces.reference_encoding(fx.jpeg(fx.id_card("obama")))


def test_the_card_front_yields_one_128d_encoding(reference):
    assert reference.shape == (128,)


def test_a_card_without_a_face_is_refused():
    with pytest.raises(FaceRefused) as refused:
        faces.reference_encoding(fx.jpeg(fx.blank_card()))
    assert refused.value.rejection.code == reasons.ROSTRO_NO_ENCONTRADO


def test_a_card_with_two_faces_is_refused():
    with pytest.raises(FaceRefused) as refused:
        faces.reference_encoding(fx.png(fx.id_card("obama", "biden")))
    assert refused.value.rejection.code == reasons.VARIOS_ROSTROS


def test_an_unreadable_card_is_refused():
    with pytest.raises(FaceRefused) as refused:
        faces.reference_encoding(b"\xff\xd8\xff\xe0garbage")
    assert refused.value.rejection.code == reasons.ARCHIVO_CORRUPTO


@pytest.mark.parametrize("name", ["obama2", "obama3"])
def test_other_photos_of_the_same_person_match(reference, name):
    result = faces.match(reference, fx.camera_clip(name, closed=()))
    print(f"{name}: best {result.best_distance:.3f} of {result.distances}")
    assert result.matched
    assert result.threshold == 0.5
    assert result.best_distance is not None and result.best_distance < 0.5
    assert len(result.distances) == FaceLimits().max_encoded_frames


def test_a_different_person_is_rejected(reference):
    result = faces.match(reference, fx.camera_clip("biden", closed=()))
    print(f"biden: best {result.best_distance:.3f}")
    assert not result.matched
    assert result.best_distance is not None and result.best_distance > 0.6


def test_the_threshold_is_configurable(reference):
    frames = fx.camera_clip("obama2", closed=())
    strict = faces.match(reference, frames, FaceLimits(threshold=0.3))
    assert not strict.matched and strict.threshold == 0.3


def test_frames_without_a_face_give_no_distance(reference):
    empty = [np.full((480, 640, 3), 90 + i, np.uint8) for i in range(3)]
    result = faces.match(reference, empty)
    assert (result.matched, result.best_distance, result.distances) == (False, None, [])


def test_spread_keeps_the_ends_and_spaces_evenly():
    assert faces.spread(list(range(10)), 3) == [0, 4, 9]
    assert faces.spread([1, 2], 5) == [1, 2]
    assert faces.spread([4, 5, 6], 1) == [4]
    assert faces.spread([4, 5, 6], 0) == []


def test_importing_the_kyc_modules_does_not_load_face_recognition():
    code = (
        "import sys, activities.kyc, bank.kyc.faces, bank.kyc.liveness, bank.kyc.contracts;"
        "assert 'face_recognition' not in sys.modules, 'loaded eagerly'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=fx.FACES.parents[2])
