"""Face detection, encoding and matching with face_recognition (dlib's HOG + ResNet).

Detection runs on a downscaled copy (HOG costs ~60 ms at 240p and over a second at 1080p
on one core); boxes are scaled back and landmarks/encodings are computed on the full
image, whose cost does not depend on its size (dlib aligns a 150×150 chip).

Matching is stricter than the library's default: ``compare_faces`` uses 0.6, tuned for
99.38% on LFW, where a false match costs little. Here a false match disburses a loan to
an impostor, and the model is measurably weaker on some groups and on children, so the
default threshold is 0.5 and every distance is recorded for the audit trail. See
``docs/kyc.md`` for the measured distances and timings.

``face_recognition`` is imported on first use: its import loads the dlib models and emits
a ``pkg_resources`` warning, which neither the API process nor a workflow sandbox needs.
"""

from __future__ import annotations

import importlib
import threading
import warnings
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache
from types import ModuleType
from typing import Any

import cv2
import numpy as np

from bank.kyc import reasons
from bank.kyc.documents import DocumentLimits, ImageRefused, decode_image
from bank.kyc.reasons import Rejection, reject

Box = tuple[int, int, int, int]
"""``(top, right, bottom, left)`` in pixels of the full-size image, as face_recognition."""
Landmarks = dict[str, list[tuple[int, int]]]
_ENCODER_LOCK = threading.Lock()


@dataclass(frozen=True)
class FaceLimits:
    """Thresholds and working sizes of face detection and matching.

    Attributes:
        threshold: largest distance accepted as "same person" for authentication.
        same_person: every examined frame must stay within this distance (the library's
            own tolerance), so a clip whose face changes midway fails.
        frame_side: long side (px) camera frames are scaled to before HOG detection.
        card_side: long side (px) ID card images are scaled to before detection; larger
            than ``frame_side`` because the portrait fills a small part of the card.
        max_encoded_frames: frames encoded per attempt: encoding (~75 ms here) dominates
            the cost, and the two open frames on either side of the blink are the ones
            that tie the blink to the matched face.
    """

    threshold: float = 0.5
    same_person: float = 0.6
    frame_side: int = 320
    card_side: int = 640
    max_encoded_frames: int = 2


@dataclass(frozen=True)
class FaceObservation:
    """One face found in one image: its box and, when asked for, its 68 landmarks."""

    box: Box
    landmarks: Landmarks | None = None

    @property
    def area(self) -> int:
        """Box area in pixels."""
        top, right, bottom, left = self.box
        return max(0, bottom - top) * max(0, right - left)


@dataclass(frozen=True)
class MatchResult:
    """Frames compared with a reference encoding; ``matched`` when best <= threshold.

    ``distances`` are those of the frames examined, in frame order; ``best_distance`` is
    ``None`` when no frame had exactly one face.
    """

    matched: bool
    best_distance: float | None
    distances: list[float]
    threshold: float
    frames_examined: list[int] = field(default_factory=list)


class FaceRefused(Exception):
    """No usable single face; ``rejection`` says why, for the member."""

    def __init__(self, rejection: Rejection) -> None:
        """Carry the member-facing rejection."""
        super().__init__(rejection.code)
        self.rejection = rejection


@cache
def load_face_recognition() -> ModuleType:
    """Import face_recognition once, hiding its ``pkg_resources`` deprecation warning."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return importlib.import_module("face_recognition")


def detect(rgb: np.ndarray, max_side: int, upsample: int = 0) -> list[Box]:
    """Faces in ``rgb`` by HOG on a copy whose long side is at most ``max_side``.

    Returns:
        Boxes in the coordinates of ``rgb``, largest first.
    """
    height, width = rgb.shape[:2]
    scale = min(1.0, max_side / max(height, width))
    small = rgb
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        small = cv2.resize(rgb, size, interpolation=cv2.INTER_AREA)
    found = load_face_recognition().face_locations(
        np.ascontiguousarray(small), number_of_times_to_upsample=upsample, model="hog"
    )
    boxes = [_scale_box(box, 1 / scale, height, width) for box in found]
    return sorted(boxes, key=lambda b: (b[2] - b[0]) * (b[1] - b[3]), reverse=True)


def _scale_box(box: Sequence[int], factor: float, height: int, width: int) -> Box:
    top, right, bottom, left = (round(v * factor) for v in box)
    return max(0, top), min(width, right), min(height, bottom), max(0, left)


def card_faces(rgb: np.ndarray, limits: FaceLimits | None = None) -> list[Box]:
    """Faces on an ID card image; retried with one upsampling when none is found."""
    limits = limits or FaceLimits()
    boxes = detect(rgb, limits.card_side)
    if not boxes:
        # Small portraits (a card photographed from afar) need the detector's upsampling;
        # four times the cost, paid only on this failure path.
        boxes = detect(rgb, limits.card_side, upsample=1)
    return boxes


def encode(rgb: np.ndarray, box: Box) -> np.ndarray:
    """The 128-d encoding of the face in ``box`` (full-size image)."""
    # face_recognition holds one dlib network per process, and a dlib network keeps its
    # layer outputs in itself: two threads must not run it at once. (dlib-bin holds the
    # GIL during the call today, so the lock costs nothing; it guards a future wheel.)
    with _ENCODER_LOCK:
        encodings = load_face_recognition().face_encodings(np.ascontiguousarray(rgb), [box])
    return np.asarray(encodings[0], dtype=np.float64)


def reference_encoding(
    image: bytes | np.ndarray,
    limits: FaceLimits | None = None,
    document_limits: DocumentLimits | None = None,
) -> np.ndarray:
    """The encoding of the single face on an ID card front.

    Args:
        image: PNG/JPEG bytes or an RGB array.
        limits: face thresholds.
        document_limits: decoding limits (pixels) for ``bytes`` input.

    Raises:
        FaceRefused: no face (``ROSTRO_NO_ENCONTRADO``), several (``VARIOS_ROSTROS``) or
            an unreadable image.
    """
    if isinstance(image, bytes):
        try:
            image = decode_image(image, document_limits)
        except ImageRefused as refused:
            raise FaceRefused(refused.rejection) from refused
    boxes = card_faces(image, limits)
    if not boxes:
        raise FaceRefused(reject(reasons.ROSTRO_NO_ENCONTRADO))
    if len(boxes) > 1:
        raise FaceRefused(reject(reasons.VARIOS_ROSTROS))
    return encode(image, boxes[0])


def observe(
    frames: Sequence[np.ndarray], limits: FaceLimits | None = None
) -> list[list[FaceObservation]]:
    """Faces and their 68 landmarks in each camera frame (detection on the small copy)."""
    limits = limits or FaceLimits()
    observed = []
    for rgb in frames:
        boxes = detect(rgb, limits.frame_side)
        marks: list[Any] = (
            load_face_recognition().face_landmarks(np.ascontiguousarray(rgb), boxes, model="large")
            if boxes
            else []
        )
        observed.append([FaceObservation(b, m) for b, m in zip(boxes, marks, strict=True)])
    return observed


def distance(reference: Sequence[float] | np.ndarray, encoding: np.ndarray) -> float:
    """Euclidean distance between two 128-d encodings (what ``face_distance`` computes)."""
    return float(np.linalg.norm(np.asarray(reference, dtype=np.float64) - encoding))


def match(
    reference: Sequence[float] | np.ndarray,
    frames: Sequence[np.ndarray],
    limits: FaceLimits | None = None,
    *,
    observations: Sequence[Sequence[FaceObservation]] | None = None,
    indices: Sequence[int] | None = None,
) -> MatchResult:
    """Compare the face of each frame with the reference encoding.

    Args:
        reference: the ID card's encoding (``reference_encoding``).
        frames: RGB camera frames.
        limits: thresholds.
        observations: faces already found in ``frames`` (``observe``); found here if not.
        indices: frames to encode; by default every frame with exactly one face, evenly
            thinned to ``limits.max_encoded_frames``.
    """
    limits = limits or FaceLimits()
    if observations is None:
        observations = observe(frames, limits)
    single = [i for i, faces in enumerate(observations) if len(faces) == 1]
    chosen = [i for i in indices if i in single] if indices is not None else None
    if chosen is None:
        chosen = spread(single, limits.max_encoded_frames)
    distances = [distance(reference, encode(frames[i], observations[i][0].box)) for i in chosen]
    best = min(distances) if distances else None
    return MatchResult(
        matched=best is not None and best <= limits.threshold,
        best_distance=best,
        distances=distances,
        threshold=limits.threshold,
        frames_examined=chosen,
    )


def spread(items: Sequence[int], count: int) -> list[int]:
    """At most ``count`` of ``items``, evenly spaced, first and last included."""
    if len(items) <= count:
        return list(items)
    if count <= 1:
        return list(items[:count])
    step = (len(items) - 1) / (count - 1)
    return sorted({items[round(k * step)] for k in range(count)})
