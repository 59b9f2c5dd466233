"""Names and payloads of the KYC activities, for the workflows that call them by name.

Standard library only, so a workflow can import this module inside the sandbox. Payloads
carry document-store keys, never image bytes or face encodings: those are personal data
and Temporal history is visible to every officer with UI access (and bounded in size).
"""

from __future__ import annotations

from dataclasses import dataclass, field

from bank.kyc.reasons import Rejection

VALIDATE_DOCUMENT = "kyc.validate_document"
EXTRACT_REFERENCE_FACE = "kyc.extract_reference_face"
AUTHENTICATE_FACE = "kyc.authenticate_face"

ID_FRONT = "ID_FRONT"
ID_BACK = "ID_BACK"
UTILITY_BILL = "UTILITY_BILL"
SPOUSE_ID_FRONT = "SPOUSE_ID_FRONT"
SPOUSE_ID_BACK = "SPOUSE_ID_BACK"
DOCUMENT_KINDS = frozenset({ID_FRONT, ID_BACK, UTILITY_BILL, SPOUSE_ID_FRONT, SPOUSE_ID_BACK})
FACE_KINDS = frozenset({ID_FRONT, SPOUSE_ID_FRONT})
"""Kinds that must show exactly one face (the holder's photograph)."""
ID_CARD_KINDS = frozenset({ID_FRONT, ID_BACK, SPOUSE_ID_FRONT, SPOUSE_ID_BACK})
"""Kinds photographed on a laminated card: checked for glare."""

BAD_REQUEST = "KYC_BAD_REQUEST"
"""ApplicationError type (non-retryable) for calls no member action can fix."""


@dataclass(frozen=True)
class ValidateDocumentInput:
    """An uploaded file, by document-store key, and what it claims to be."""

    key: str
    kind: str


@dataclass(frozen=True)
class DocumentCheck:
    """The verdict on one upload; ``reasons`` is empty exactly when ``accepted``.

    ``sanitized_key`` holds the re-encoded image (metadata stripped) for images; PDFs are
    kept as uploaded (``None``). ``blur_score``/``glare_share`` are recorded for officers.
    """

    key: str
    kind: str
    accepted: bool
    reasons: list[Rejection] = field(default_factory=list)
    media_type: str | None = None
    sanitized_key: str | None = None
    pages: int | None = None
    width: int | None = None
    height: int | None = None
    blur_score: float | None = None
    glare_share: float | None = None
    faces: int | None = None


@dataclass(frozen=True)
class ExtractReferenceFaceInput:
    """The ID card front (``ID_FRONT`` or ``SPOUSE_ID_FRONT``) by document-store key."""

    key: str


@dataclass(frozen=True)
class ReferenceFace:
    """Where the 128-d encoding of the card's face was stored (``None`` when refused)."""

    key: str
    found: bool
    encoding_key: str | None = None
    reasons: list[Rejection] = field(default_factory=list)


@dataclass(frozen=True)
class AuthenticateFaceInput:
    """The reference encoding's key and the camera frames' keys, in capture order."""

    reference_key: str
    frame_keys: list[str]


@dataclass(frozen=True)
class FaceAuthResult:
    """One facial-authentication attempt; passes when ``matched and live``.

    ``distance`` is the best (smallest) distance to the reference, kept for the audit trail;
    ``None`` when no frame had a usable face.
    """

    matched: bool
    distance: float | None
    live: bool
    reasons: list[Rejection] = field(default_factory=list)
    threshold: float = 0.0
    distances: list[float] = field(default_factory=list)
    blinks: int = 0
    frames: int = 0
    frames_with_face: int = 0

    @property
    def passed(self) -> bool:
        """Both the face match and the liveness check succeeded."""
        return self.matched and self.live and not self.reasons
