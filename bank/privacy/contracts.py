"""Names and payloads of the privacy activities, for the workflows that call them by name.

Standard library only, so a workflow can import it inside the sandbox. Payloads carry
document-store keys and counts, never images or face encodings.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

RECORD_BIOMETRIC_CONSENT = "privacy.record_biometric_consent"
DELETE_BIOMETRICS = "privacy.delete_biometrics"

BIOMETRIC_CONSENT_VERSION = "BIO-2026-01"
BIOMETRIC_PURPOSE = "verificación de identidad para la firma electrónica del crédito"
BIOMETRIC_CONSENT_TEXT = (
    "Autorizo a Cooprogreso a tratar mis datos biométricos (imagen facial) con la única "
    "finalidad de verificar mi identidad para firmar este crédito. Las imágenes de la cámara y "
    "los patrones faciales se eliminan cuando termina la firma y, a más tardar, en el plazo "
    "de conservación de la cooperativa; no se usan para ningún otro fin ni se comparten con "
    "terceros. Puedo negarme: en ese caso firmo en una agencia de Cooprogreso."
)
"""What the signatory reads next to the checkbox; a new wording needs a new version."""
CONSENT_TEXTS = {BIOMETRIC_CONSENT_VERSION: BIOMETRIC_CONSENT_TEXT}
"""Every version ever shown, so a recorded consent can always be read in its words."""

CONSENT_ACTION = "BIOMETRIA_CONSENTIMIENTO"
DELETED_ACTION = "BIOMETRIA_ELIMINADA"
"""``audit_events.action`` of the consent and of a deletion of biometric data."""


@dataclass(frozen=True)
class BiometricConsentInput:
    """One signatory's consent to the processing of their facial image."""

    workflow_id: str
    role: str
    member_id: int
    text_version: str
    purpose: str
    origin: str
    at: datetime


@dataclass(frozen=True)
class DeleteBiometricsInput:
    """Frames and face encodings of a journey to remove from the document store."""

    workflow_id: str
    keys: tuple[str, ...]
    reason: str
    """Why now: the signing ended (``firmas.completas``, ``firmas.vencidas``, ``fin``) or the
    retention window passed (``plazo``)."""
    batch: int = 1
    """The journey's n-th deletion: a retried activity finds its audit event by it."""


@dataclass(frozen=True)
class DeletedBiometrics:
    """What a deletion removed (keys already missing count as deleted)."""

    deleted: int
    audit_id: int
