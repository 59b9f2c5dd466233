"""Blink liveness on clips synthesised from real photographs, and the still-image check."""

from __future__ import annotations

import numpy as np
import pytest

from bank.kyc import reasons
from bank.kyc.faces import FaceObservation
from bank.kyc.liveness import (
    LivenessLimits,
    check_liveness,
    eye_aspect_ratio,
    face_ear,
    find_blinks,
)
from tests.bank import kyc_support as fx

LIMITS = LivenessLimits()


def test_eye_aspect_ratio_follows_the_paper():
    # p1..p6: corners at x=0 and x=10; lids 2 above and 2 below: EAR = (4 + 4) / (2 * 10)
    eye = [(0, 0), (3, -2), (7, -2), (10, 0), (7, 2), (3, 2)]
    assert eye_aspect_ratio(eye) == pytest.approx(0.4)
    assert eye_aspect_ratio([(0, 0)] * 6) == 0.0
    assert face_ear(FaceObservation((0, 1, 1, 0), None)) is None


@pytest.mark.parametrize("name", ["obama", "biden"])
def test_the_synthesised_blink_really_lowers_the_ear(name):
    result = check_liveness(list(fx.camera_clip(name)))
    assert result.baseline is not None
    ears = [e for e in result.ear_series if e is not None]
    assert len(ears) == len(result.ear_series)
    closed = [ears[5], ears[6]]
    opened = [e for i, e in enumerate(ears) if i not in (5, 6)]
    print(f"{name}: baseline {result.baseline:.3f}, closed {closed}, open min {min(opened):.3f}")
    assert max(closed) < LIMITS.closed_ratio * result.baseline
    assert min(opened) >= LIMITS.open_ratio * result.baseline


def test_a_clip_with_a_blink_is_live():
    result = check_liveness(list(fx.camera_clip("obama")))
    assert result.live and result.reason_code is None
    assert result.blinks == [(5, 6)]
    # obama.jpg's open eyes measure ~0.21: a fixed 0.25 threshold would call them closed.
    assert result.baseline is not None and 0.18 < result.baseline < 0.24


def test_a_repeated_still_image_is_refused():
    result = check_liveness(fx.still_clip(count=10))
    assert not result.live
    assert result.reason_code == reasons.IMAGEN_ESTATICA


def test_a_live_face_that_never_blinks_is_refused():
    result = check_liveness(list(fx.camera_clip("obama", closed=())))
    assert (result.live, result.reason_code) == (False, reasons.PARPADEO_NO_DETECTADO)


def test_a_clip_without_a_face_is_refused():
    rng = np.random.default_rng(3)
    frames = [rng.integers(0, 255, (480, 640, 3), dtype=np.uint8) for _ in range(8)]
    result = check_liveness(frames)
    assert (result.live, result.reason_code) == (False, reasons.ROSTRO_NO_DETECTADO)


def test_two_faces_in_the_frames_are_refused():
    pairs = zip(fx.camera_clip("obama"), fx.camera_clip("biden"), strict=True)
    frames = [np.hstack([a, b]) for a, b in pairs]
    result = check_liveness(frames)
    assert (result.live, result.reason_code) == (False, reasons.VARIOS_ROSTROS)


@pytest.mark.parametrize("scale", [1.0, 1.6])
def test_blinks_are_relative_to_the_clips_own_baseline(scale):
    ears = [x * scale for x in (0.21, 0.20, 0.22, 0.12, 0.21, 0.21, 0.20, 0.21)]
    baseline = float(np.percentile(ears, LIMITS.baseline_percentile))
    assert find_blinks(ears, baseline, LIMITS) == [(3, 3)]


def test_what_is_not_a_blink():
    open_, shut = 0.3, 0.1
    baseline = 0.3
    # Eyes shut for five frames (a photo of closed eyes would look the same).
    assert find_blinks([open_] + [shut] * 5 + [open_], baseline, LIMITS) == []
    # Closed at the start or the end: no open frame on both sides.
    assert find_blinks([shut, open_, open_], baseline, LIMITS) == []
    assert find_blinks([open_, open_, shut], baseline, LIMITS) == []
    # A face lost next to the dip.
    assert find_blinks([open_, None, shut, open_], baseline, LIMITS) == []
    # Jitter that never crosses the closed threshold.
    assert find_blinks([0.30, 0.27, 0.29, 0.26, 0.30], baseline, LIMITS) == []
    # Two separate blinks.
    assert find_blinks([open_, shut, open_, shut, shut, open_], baseline, LIMITS) == [
        (1, 1),
        (3, 4),
    ]
