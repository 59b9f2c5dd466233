"""KYC thresholds from the environment (prefix ``COOP_KYC_``), built in ``workers/``.

Kept apart from ``bank.core.settings`` so the thresholds travel as one object to
:class:`activities.kyc.KycActivities`; every field has the default documented in
``docs/kyc.md``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from pydantic_settings import BaseSettings, SettingsConfigDict

from bank.kyc.documents import DocumentLimits
from bank.kyc.faces import FaceLimits
from bank.kyc.liveness import LivenessLimits


@dataclass(frozen=True)
class KycLimits:
    """Every KYC threshold, grouped by check."""

    documents: DocumentLimits = field(default_factory=DocumentLimits)
    faces: FaceLimits = field(default_factory=FaceLimits)
    liveness: LivenessLimits = field(default_factory=LivenessLimits)
    max_frames: int = 30
    """Frames accepted per facial-authentication attempt (bounds the CPU per attempt)."""
    frames: DocumentLimits = field(default_factory=lambda: DocumentLimits(max_pixels=2_100_000))
    """Decoding limits of camera frames: at most about 1920×1080."""


class KycSettings(BaseSettings):
    """The tunable KYC thresholds; e.g. ``COOP_KYC_FACE_THRESHOLD=0.45``."""

    model_config = SettingsConfigDict(
        env_prefix="COOP_KYC_", env_file=".env", extra="ignore", use_attribute_docstrings=True
    )

    max_upload_mb: float = 10.0
    """Largest upload accepted."""
    max_pdf_pages: int = 5
    """Most pages a PDF document may have (one document per file)."""
    max_image_megapixels: float = 40.0
    """Declared image size above which a file is a decompression bomb."""
    min_width: int = 640
    """Smallest width of a photographed document, in pixels."""
    min_height: int = 400
    """Smallest height of a photographed document, in pixels."""
    blur_floor: float = 100.0
    """Variance of the Laplacian below which a document is blurred."""
    glare_max_share: float = 0.05
    """Largest share of near-white pixels (glare) on an ID card photo."""
    face_threshold: float = 0.5
    """Largest face distance accepted as the same person (stricter than the library's 0.6)."""
    face_same_person: float = 0.6
    """Distance under which two frames of one clip show the same face."""
    frame_side: int = 320
    """Camera frames are downscaled to this long side before face detection."""
    card_side: int = 640
    """ID card images are downscaled to this long side before face detection."""
    max_encoded_frames: int = 2
    """Frames per attempt whose face is encoded and compared."""
    blink_closed_ratio: float = 0.75
    """Eye aspect ratio below this share of the clip's open-eye baseline is a closed eye."""
    blink_max_closed_frames: int = 3
    """Longest run of closed-eye frames that still counts as a blink."""
    min_frames_with_face: int = 5
    """Fewest frames with a face for a liveness decision."""
    max_frames: int = 30
    """Most frames accepted per facial-authentication attempt."""

    def limits(self) -> KycLimits:
        """The thresholds as the dataclasses the checks take."""
        return KycLimits(
            documents=DocumentLimits(
                max_bytes=int(self.max_upload_mb * 1024 * 1024),
                max_pdf_pages=self.max_pdf_pages,
                max_pixels=int(self.max_image_megapixels * 1_000_000),
                min_width=self.min_width,
                min_height=self.min_height,
                blur_floor=self.blur_floor,
                glare_max_share=self.glare_max_share,
            ),
            faces=FaceLimits(
                threshold=self.face_threshold,
                same_person=self.face_same_person,
                frame_side=self.frame_side,
                card_side=self.card_side,
                max_encoded_frames=self.max_encoded_frames,
            ),
            liveness=LivenessLimits(
                min_frames_with_face=self.min_frames_with_face,
                closed_ratio=self.blink_closed_ratio,
                max_closed_frames=self.blink_max_closed_frames,
            ),
            max_frames=self.max_frames,
        )
