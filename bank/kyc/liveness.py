"""Blink liveness: eye aspect ratio over camera frames, plus a still-image check.

EAR (Soukupová & Čech, 2016) on the six points of each eye in dlib's 68-point model,
``p1..p6`` clockwise from the outer corner::

    EAR = (|p2 - p6| + |p3 - p5|) / (2 |p1 - p4|)

Open eyes sit around 0.2-0.4 depending on the person (0.21 on one real portrait, 0.34-0.40
on another), so a fixed threshold can call every frame of a narrow-eyed member "closed".
The threshold is relative instead: the clip's own open-eye baseline is a high percentile of
its EARs (most frames are open), a frame is closed below ``closed_ratio × baseline`` and
open again above ``open_ratio × baseline`` (hysteresis against landmark jitter). A blink
is 1..``max_closed_frames`` consecutive closed frames between two open ones.

A replayed photograph has no blink; a clip of repeated still frames is refused before the
blink is even looked for (``IMAGEN_ESTATICA``). This is not anti-spoofing: a video replay
or a mask that blinks passes (see ``docs/kyc.md``).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field

import cv2
import numpy as np

from bank.kyc import reasons
from bank.kyc.faces import FaceLimits, FaceObservation, observe

_COMPARE_SIZE = (320, 240)
"""Frames are compared for stillness at this size (width, height), in grey."""


@dataclass(frozen=True)
class LivenessLimits:
    """Thresholds of the blink and still-image checks.

    Attributes:
        min_frames_with_face: frames with exactly one face needed to judge a clip.
        baseline_percentile: percentile of the clip's EARs taken as its open-eye level.
        closed_ratio: a frame is closed below this share of the baseline.
        open_ratio: ... and open again at or above this share.
        max_closed_frames: longest run of closed frames that is a blink (longer is eyes
            shut, which a photograph of closed eyes would also give).
        still_difference: mean absolute grey difference (0-255, at 320×240) under which
            two consecutive frames count as the same picture.
        still_share: share of consecutive pairs that may be the same picture.
    """

    min_frames_with_face: int = 5
    baseline_percentile: float = 80.0
    closed_ratio: float = 0.75
    open_ratio: float = 0.85
    max_closed_frames: int = 3
    still_difference: float = 0.5
    still_share: float = 0.5


@dataclass(frozen=True)
class LivenessResult:
    """The verdict on one clip; ``reason_code`` is ``None`` exactly when ``live``.

    ``ear_series`` has one entry per frame (``None`` without exactly one face);
    ``blinks`` holds ``(first, last)`` frame indices of each closed run.
    """

    live: bool
    reason_code: str | None
    ear_series: list[float | None]
    baseline: float | None
    blinks: list[tuple[int, int]] = field(default_factory=list)


def eye_aspect_ratio(eye: Sequence[tuple[int, int]]) -> float:
    """EAR of one eye from its six landmarks (``left_eye`` or ``right_eye``)."""
    p = np.asarray(eye, dtype=np.float64)
    width = np.linalg.norm(p[0] - p[3])
    if width == 0:
        return 0.0
    return float((np.linalg.norm(p[1] - p[5]) + np.linalg.norm(p[2] - p[4])) / (2 * width))


def face_ear(face: FaceObservation) -> float | None:
    """Mean EAR of both eyes of ``face``; ``None`` without landmarks."""
    marks = face.landmarks
    if not marks or "left_eye" not in marks or "right_eye" not in marks:
        return None
    return (eye_aspect_ratio(marks["left_eye"]) + eye_aspect_ratio(marks["right_eye"])) / 2


def is_still(frames: Sequence[np.ndarray], limits: LivenessLimits | None = None) -> bool:
    """True when most consecutive frames are the same picture (a repeated still image)."""
    limits = limits or LivenessLimits()
    if len(frames) < 2:
        return False
    digests = [hashlib.sha256(np.ascontiguousarray(f).tobytes()).digest() for f in frames]
    greys = [_grey_small(f) for f in frames]
    same = 0
    for i in range(1, len(frames)):
        if digests[i] == digests[i - 1]:
            same += 1
            continue
        difference = float(np.mean(cv2.absdiff(greys[i], greys[i - 1])))
        same += difference < limits.still_difference
    return same / (len(frames) - 1) >= limits.still_share


def _grey_small(rgb: np.ndarray) -> np.ndarray:
    grey = cv2.cvtColor(rgb, cv2.COLOR_RGB2GRAY)
    return cv2.resize(grey, _COMPARE_SIZE, interpolation=cv2.INTER_AREA)


def find_blinks(
    ears: Sequence[float | None], baseline: float, limits: LivenessLimits
) -> list[tuple[int, int]]:
    """``(first, last)`` indices of closed runs bounded by open frames on both sides."""
    closed_below = limits.closed_ratio * baseline
    open_from = limits.open_ratio * baseline
    blinks: list[tuple[int, int]] = []
    i = 0
    while i < len(ears):
        ear = ears[i]
        if ear is None or ear >= closed_below:
            i += 1
            continue
        end = i
        while end + 1 < len(ears) and (e := ears[end + 1]) is not None and e < open_from:
            end += 1
        before = ears[i - 1] if i > 0 else None
        after = ears[end + 1] if end + 1 < len(ears) else None
        length = end - i + 1
        if (
            before is not None
            and after is not None
            and before >= open_from
            and after >= open_from
            and length <= limits.max_closed_frames
        ):
            blinks.append((i, end))
        i = end + 1
    return blinks


def check_liveness(
    frames: Sequence[np.ndarray],
    limits: LivenessLimits | None = None,
    *,
    observations: Sequence[Sequence[FaceObservation]] | None = None,
    face_limits: FaceLimits | None = None,
) -> LivenessResult:
    """Judge a clip of RGB frames (capture order): still image, faces, then a blink.

    Args:
        frames: the camera frames.
        limits: liveness thresholds.
        observations: faces with landmarks per frame (``faces.observe``); found if absent.
        face_limits: detection sizes, when ``observations`` must be computed here.
    """
    limits = limits or LivenessLimits()
    if is_still(frames, limits):
        return LivenessResult(False, reasons.IMAGEN_ESTATICA, [], None)
    if observations is None:
        observations = observe(frames, face_limits)
    if any(len(faces) > 1 for faces in observations):
        return LivenessResult(False, reasons.VARIOS_ROSTROS, [], None)
    ears = [face_ear(faces[0]) if len(faces) == 1 else None for faces in observations]
    known = [e for e in ears if e is not None]
    if len(known) < limits.min_frames_with_face:
        return LivenessResult(False, reasons.ROSTRO_NO_DETECTADO, ears, None)
    baseline = float(np.percentile(known, limits.baseline_percentile))
    blinks = find_blinks(ears, baseline, limits)
    if not blinks:
        return LivenessResult(False, reasons.PARPADEO_NO_DETECTADO, ears, baseline)
    return LivenessResult(True, None, ears, baseline, blinks)
