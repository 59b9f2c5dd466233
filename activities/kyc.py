"""KYC activities of the credit journey: document checks, reference face, face authentication.

They run on the CPU-heavy task queue (``COOP_KYC_TASK_QUEUE``) as sync activities in the
worker's thread pool. Inputs and outputs carry document-store keys, never image bytes or
face encodings (personal data has no place in Temporal history). Business failures (a
blurry photo, no blink, another person) are results with Spanish reasons, so the workflow
can count attempts; only calls that no member action can fix raise a non-retryable
``KYC_BAD_REQUEST``. Derived objects (the re-encoded image, the stored encoding) have keys
derived from the source key, so a retried activity overwrites rather than duplicates.
"""

from __future__ import annotations

import json
from collections.abc import Callable

import numpy as np
from temporalio import activity
from temporalio.exceptions import ApplicationError

from bank.adapters.documents import DocumentCorrupted, DocumentNotFound, DocumentStore
from bank.kyc import faces, reasons
from bank.kyc.config import KycLimits
from bank.kyc.contracts import (
    AUTHENTICATE_FACE,
    BAD_REQUEST,
    DOCUMENT_KINDS,
    EXTRACT_REFERENCE_FACE,
    FACE_KINDS,
    VALIDATE_DOCUMENT,
    AuthenticateFaceInput,
    DocumentCheck,
    ExtractReferenceFaceInput,
    FaceAuthResult,
    ReferenceFace,
    ValidateDocumentInput,
)
from bank.kyc.documents import ImageRefused, decode_image, document_image, validate_upload
from bank.kyc.liveness import LivenessResult, check_liveness
from bank.kyc.reasons import Rejection, reject

SANITIZED_SUFFIX = ".sanitized"
ENCODING_SUFFIX = ".face.json"
ENCODING_MODEL = "dlib_face_recognition_resnet_model_v1"


class _Refused(Exception):
    """Internal: stop with a member-facing rejection."""

    def __init__(self, rejection: Rejection) -> None:
        super().__init__(rejection.code)
        self.rejection = rejection


def _bad_request(message: str) -> ApplicationError:
    return ApplicationError(message, type=BAD_REQUEST, non_retryable=True)


class KycActivities:
    """Activities over the document store; constructed once in ``workers/``."""

    def __init__(self, store: DocumentStore, limits: KycLimits | None = None) -> None:
        """Hold the document store and the thresholds (``KycSettings().limits()``)."""
        self.store = store
        self.limits = limits or KycLimits()

    @activity.defn(name=VALIDATE_DOCUMENT)
    def validate_document(self, request: ValidateDocumentInput) -> DocumentCheck:
        """Check one upload; an accepted image is re-encoded under ``<key>.sanitized``."""
        if request.kind not in DOCUMENT_KINDS:
            raise _bad_request(f"unknown document kind {request.kind!r}")
        try:
            data = self._read(request.key)
        except _Refused as refused:
            return DocumentCheck(request.key, request.kind, False, [refused.rejection])
        wants_face = request.kind in FACE_KINDS
        check = validate_upload(data, request.kind, self.limits.documents, want_image=wants_face)
        found = list(check.reasons)
        face_count = None
        if not found and wants_face:
            face_count = (
                0 if check.image is None else len(faces.card_faces(check.image, self.limits.faces))
            )
            if face_count != 1:
                code = reasons.ROSTRO_NO_ENCONTRADO if face_count == 0 else reasons.VARIOS_ROSTROS
                found.append(reject(code))
        sanitized_key = None
        if not found and check.sanitized is not None and check.media_type is not None:
            sanitized_key = request.key + SANITIZED_SUFFIX
            self.store.put(sanitized_key, check.sanitized, check.media_type)
        activity.logger.info(
            "document %s (%s): %s", request.key, request.kind, [r.code for r in found] or "ok"
        )
        return DocumentCheck(
            key=request.key,
            kind=request.kind,
            accepted=not found,
            reasons=found,
            media_type=check.media_type,
            sanitized_key=sanitized_key,
            pages=check.pages,
            width=check.width,
            height=check.height,
            blur_score=check.blur_score,
            glare_share=check.glare_share,
            faces=face_count,
        )

    @activity.defn(name=EXTRACT_REFERENCE_FACE)
    def extract_reference_face(self, request: ExtractReferenceFaceInput) -> ReferenceFace:
        """Encode the single face of an ID card front; store it under ``<key>.face.json``."""
        try:
            image = document_image(self._read(request.key), self.limits.documents)
            if image is None:
                raise _Refused(reject(reasons.ROSTRO_NO_ENCONTRADO))
            encoding = faces.reference_encoding(image, self.limits.faces)
        except (_Refused, ImageRefused, faces.FaceRefused) as refused:
            return ReferenceFace(request.key, found=False, reasons=[refused.rejection])
        payload = {"model": ENCODING_MODEL, "source": request.key, "encoding": encoding.tolist()}
        encoding_key = request.key + ENCODING_SUFFIX
        self.store.put(encoding_key, json.dumps(payload).encode(), "application/json")
        return ReferenceFace(request.key, found=True, encoding_key=encoding_key)

    @activity.defn(name=AUTHENTICATE_FACE)
    def authenticate_face(self, request: AuthenticateFaceInput) -> FaceAuthResult:
        """One attempt: the frames must show one live (blinking) face matching the card."""
        threshold = self.limits.faces.threshold
        if len(request.frame_keys) > self.limits.max_frames:
            raise _bad_request(f"{len(request.frame_keys)} frames > {self.limits.max_frames}")
        reference = self._reference(request.reference_key)
        try:
            frames = [self._frame(key) for key in request.frame_keys]
        except _Refused as refused:
            return FaceAuthResult(False, None, False, [refused.rejection], threshold)
        observed = faces.observe(frames, self.limits.faces)
        liveness = check_liveness(frames, self.limits.liveness, observations=observed)
        result = faces.match(
            reference,
            frames,
            self.limits.faces,
            observations=observed,
            indices=self._frames_to_encode(observed, liveness),
        )
        outcome = self._verdict(result, liveness, len(frames), observed)
        activity.logger.info(
            "face authentication: matched=%s live=%s distance=%s reasons=%s",
            outcome.matched,
            outcome.live,
            outcome.distance,
            [r.code for r in outcome.reasons],
        )
        return outcome

    def _verdict(
        self,
        result: faces.MatchResult,
        liveness: LivenessResult,
        frames: int,
        observed: list[list[faces.FaceObservation]],
    ) -> FaceAuthResult:
        found: list[Rejection] = []
        if liveness.reason_code is not None:
            found.append(reject(liveness.reason_code))
        changed = bool(result.distances) and max(result.distances) > self.limits.faces.same_person
        if result.best_distance is None:
            if not found:
                found.append(reject(reasons.ROSTRO_NO_DETECTADO))
        elif not result.matched:
            found.append(reject(reasons.ROSTRO_NO_COINCIDE))
        elif changed:
            found.append(reject(reasons.ROSTRO_CAMBIO))
        return FaceAuthResult(
            matched=result.matched and not changed,
            distance=result.best_distance,
            live=liveness.live,
            reasons=found,
            threshold=result.threshold,
            distances=[round(d, 4) for d in result.distances],
            blinks=len(liveness.blinks),
            frames=frames,
            frames_with_face=sum(1 for faces_in in observed if len(faces_in) == 1),
        )

    def _frames_to_encode(
        self, observed: list[list[faces.FaceObservation]], liveness: LivenessResult
    ) -> list[int]:
        """Frames around each blink (ties the blink to the matched face) plus a spread.

        Frames inside a blink are left out: closed eyes push the distance up (by ~0.1).
        """
        shut = {i for first, last in liveness.blinks for i in range(first, last + 1)}
        single = [i for i, found in enumerate(observed) if len(found) == 1 and i not in shut]
        if liveness.reason_code == reasons.IMAGEN_ESTATICA:
            return single[:1]  # the same picture over and over: once is enough
        around = {i for first, last in liveness.blinks for i in (first - 1, last + 1)}
        chosen = sorted(i for i in around if i in single)[: self.limits.faces.max_encoded_frames]
        budget = max(0, self.limits.faces.max_encoded_frames - len(chosen))
        rest = [i for i in single if i not in around]
        return sorted(set(chosen) | set(faces.spread(rest, budget)))

    def _read(self, key: str) -> bytes:
        try:
            return self.store.get(key).data
        except DocumentNotFound as exc:
            raise _Refused(reject(reasons.DOCUMENTO_NO_ENCONTRADO)) from exc
        except DocumentCorrupted as exc:
            raise _Refused(reject(reasons.ARCHIVO_CORRUPTO)) from exc

    def _frame(self, key: str) -> np.ndarray:
        try:
            return decode_image(self._read(key), self.limits.frames)
        except ImageRefused as refused:
            raise _Refused(refused.rejection) from refused

    def _reference(self, key: str) -> np.ndarray:
        try:
            payload = json.loads(self.store.get(key).data)
            encoding = np.asarray(payload["encoding"], dtype=np.float64)
        except (DocumentNotFound, DocumentCorrupted, ValueError, KeyError, TypeError) as exc:
            # The workflow passes the key extract_reference_face returned: a bad one is a bug.
            raise _bad_request(f"no usable reference encoding at {key!r}") from exc
        if encoding.shape != (128,):
            raise _bad_request(f"reference encoding at {key!r} is not 128-d")
        return encoding

    def all(self) -> list[Callable[..., object]]:
        """Every activity of this class, for ``Worker(activities=...)``."""
        return [self.validate_document, self.extract_reference_face, self.authenticate_face]
