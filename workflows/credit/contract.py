"""The contract of the preapproved credit journey: input, Updates, Query, statuses.

The API imports this module (never ``activities``); the workflow is
:class:`workflows.credit.journey.CreditJourneyWorkflow`, ID ``credit-<campaign>-<member>``.
Money is integer cents; rates are Decimal strings (fractions: ``"0.1583"`` is 15.83%).

Update rejections (validators, or a handler finding the state changed meanwhile) are
``ApplicationError`` whose ``type`` is one of the ``ERR_*`` codes below and whose message is
Spanish, ready for the member. See ``docs/credit-journey.md``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date, datetime

from temporalio.exceptions import ApplicationError

from bank.credit.charges import ChargeBasis, ChargeRule, ChargeTiming, Rubro
from bank.credit.requirements import DEFAULT_UTILITY_BILL_MONTHS, DocumentKind, Requirements
from bank.credit.simulation import LoanTerms, ScheduleRow, Simulation, Summary
from bank.signing.contracts import DocumentRef

__all__ = [
    "ChargeBasis",
    "ChargeRule",
    "ChargeTiming",
    "DocumentKind",
    "DocumentRef",
    "Requirements",
    "Rubro",
    "ScheduleRow",
    "Simulation",
    "Summary",
]

WORKFLOW_ID_PREFIX = "credit-"
MAX_IDENTITY_ATTEMPTS = 5
MAX_FACE_ATTEMPTS = 3
MAX_OTP_ATTEMPTS = 5
MAX_SIMULATIONS = 200
"""Bounds the history (each simulation's table is written once, as the Update's result)."""


def workflow_id(campaign_id: str, member_id: int | str) -> str:
    """The business key of a journey: one per offer (campaign and member)."""
    return f"{WORKFLOW_ID_PREFIX}{campaign_id}-{member_id}"


class Status(enum.StrEnum):
    """Where a journey stands (the ``CreditStatus`` search attribute)."""

    OFFERED = "OFFERED"
    ACCEPTED = "ACCEPTED"
    """Consent given, maximum revealed: simulating."""
    BLOCKED_REQUIREMENTS = "BLOCKED_REQUIREMENTS"
    """ID expired, civil status not up to date...: go to an agency (accept re-checks)."""
    SUMMARY = "SUMMARY"
    COLLECTING_DOCUMENTS = "COLLECTING_DOCUMENTS"
    AWAITING_SIGNATURES = "AWAITING_SIGNATURES"
    EXPIRED_AWAITING_REGENERATION = "EXPIRED_AWAITING_REGENERATION"
    DISBURSING = "DISBURSING"
    DISBURSED = "DISBURSED"
    DISBURSEMENT_FAILED = "DISBURSEMENT_FAILED"
    SIGNATURE_INVALID = "SIGNATURE_INVALID"
    """The sealed documents failed validation: nothing disbursed; an officer must regenerate."""
    DECLINED = "DECLINED"
    OFFER_EXPIRED = "OFFER_EXPIRED"
    CANCELLED = "CANCELLED"


TERMINAL = frozenset(
    {
        Status.DISBURSED,
        Status.DISBURSEMENT_FAILED,
        Status.DECLINED,
        Status.OFFER_EXPIRED,
        Status.CANCELLED,
    }
)
BEFORE_SENDING = frozenset(
    {
        Status.OFFERED,
        Status.ACCEPTED,
        Status.BLOCKED_REQUIREMENTS,
        Status.SUMMARY,
        Status.COLLECTING_DOCUMENTS,
    }
)
"""Statuses the offer's validity end applies to (afterwards the signing deadline rules)."""


class Role(enum.StrEnum):
    """Who signs."""

    MEMBER = "MEMBER"
    SPOUSE = "SPOUSE"


class Step(enum.StrEnum):
    """A signatory's next step (manual §8 Pasos 8-11)."""

    IDENTITY = "IDENTITY"
    FACE = "FACE"
    TERMS = "TERMS"
    OTP = "OTP"
    SIGNED = "SIGNED"
    LOCKED = "LOCKED"
    """Too many failed attempts: an officer must regenerate."""


# Machine codes of rejected Updates (ApplicationError.type); messages are Spanish.
ERR_STATE = "ESTADO_INVALIDO"
ERR_AMOUNT = "MONTO_FUERA_DE_RANGO"
ERR_TERM = "PLAZO_NO_PERMITIDO"
ERR_TOO_MANY_SIMULATIONS = "DEMASIADAS_SIMULACIONES"
ERR_DOCUMENT = "DOCUMENTO_INVALIDO"
ERR_DOCUMENTS_MISSING = "DOCUMENTOS_INCOMPLETOS"
ERR_AFTER_CUTOFF = "FUERA_DE_HORARIO"
ERR_LINK = "ENLACE_INVALIDO"
ERR_DEADLINE = "PLAZO_DE_FIRMA_VENCIDO"
ERR_STEP = "PASO_FUERA_DE_ORDEN"
ERR_HASHES = "DOCUMENTOS_NO_COINCIDEN"
ERR_CODE = "CODIGO_INVALIDO"
ERR_OFFICER = "OFICIAL_REQUERIDO"
ERR_SYSTEM = "ERROR_DEL_SISTEMA"
ERR_CONSENT = "CONSENTIMIENTO_REQUERIDO"
"""Frames sent before the signatory consented to the processing of their facial image."""


@dataclass(frozen=True)
class CreditOffer:
    """One campaign offer to one member: the workflow's input.

    Attributes:
        campaign_id: the campaign's code (part of the workflow ID).
        member_id: the member's id in the core system.
        max_amount_cents: maximum qualified amount (revealed on accept).
        min_amount_cents: the campaign's minimum.
        allowed_terms: terms in months the member may choose.
        annual_rate: nominal annual rate, Decimal string fraction.
        valid_until: the offer's validity end (timezone-aware).
        method: ``FRENCH`` or ``GERMAN``.
        day_count: ``30/360``, ``ACT/360`` or ``ACT/365``.
        insurance_monthly_rate: seguro de desgravamen, monthly fraction on the balance.
        charges: the campaign's charge rules (rubros).
        utility_bill_max_age_months: how old an uploaded utility bill may be (2 or 3).
        product_name: the loan's product name.
        kyc_task_queue: task queue of the CPU-heavy activities (KYC, PDF signing); None:
            the workflow's own queue.
        signing_cutoff: local time (``HH:MM``) by which a request sent that day must be
            signed; the institution's setting when the campaign was loaded.
        biometric_retention_hours: at the latest this long after capture, the journey deletes
            the camera frames and face encodings it holds (``COOP_BIOMETRIC_RETENTION_HOURS``).
    """

    campaign_id: str
    member_id: int
    max_amount_cents: int
    min_amount_cents: int
    allowed_terms: tuple[int, ...]
    annual_rate: str
    valid_until: datetime
    method: str = "FRENCH"
    day_count: str = "30/360"
    insurance_monthly_rate: str = "0"
    charges: tuple[ChargeRule, ...] = ()
    utility_bill_max_age_months: int = DEFAULT_UTILITY_BILL_MONTHS
    product_name: str = "CREDITO PREAPROBADO"
    kyc_task_queue: str | None = None
    signing_cutoff: str = "19:00"
    biometric_retention_hours: int = 24

    @property
    def terms(self) -> LoanTerms:
        """The pricing of the offer."""
        return LoanTerms(self.annual_rate, self.method, self.day_count, self.insurance_monthly_rate)


# ---- Update inputs -------------------------------------------------------------------------


@dataclass(frozen=True)
class AcceptRequest:
    """ "Aceptar y continuar": consent to the processing of personal and credit data."""

    origin: str
    """Where the consent was given (channel and client address), stored with its time."""


@dataclass(frozen=True)
class SimulationRequest:
    """ "Simular" and "Continuar"."""

    amount_cents: int
    term_months: int


@dataclass(frozen=True)
class DocumentUpload:
    """A file already in the document store, by key."""

    kind: str
    key: str
    filename: str
    content_type: str
    issued_on: date | None = None
    """Utility bills only: the issue date the member states (checked against the limit)."""


@dataclass(frozen=True)
class DocumentRemoval:
    """ "Eliminar" on an uploaded file."""

    kind: str


@dataclass(frozen=True)
class IdentityRequest:
    """Manual Paso 8: cédula and código dactilar."""

    role: str
    token: str
    cedula: str
    codigo_dactilar: str


@dataclass(frozen=True)
class BiometricConsentRequest:
    """Before Paso 9: the signatory authorises the processing of their facial image."""

    role: str
    token: str
    text_version: str
    """The version of the consent text the signatory was shown and accepted."""
    origin: str
    """Where it was given (channel and client address)."""


@dataclass(frozen=True)
class FaceRequest:
    """Manual Paso 9: the camera frames, already in the document store."""

    role: str
    token: str
    frame_keys: tuple[str, ...]


@dataclass(frozen=True)
class TermsRequest:
    """Manual Paso 10: the SHA-256 of every document the signatory reviewed and accepts."""

    role: str
    token: str
    document_hashes: tuple[str, ...]


@dataclass(frozen=True)
class OtpRequest:
    """Manual Paso 11: the code sent by SMS."""

    role: str
    token: str
    code: str


@dataclass(frozen=True)
class OfficerAction:
    """An officer's regenerate or cancel."""

    officer: str
    reason: str


# ---- Update results and the Query ----------------------------------------------------------


@dataclass(frozen=True)
class OfferTerms:
    """What accept reveals: the maximum and what may be chosen (or why it is blocked)."""

    status: Status
    max_amount_cents: int
    min_amount_cents: int
    allowed_terms: tuple[int, ...]
    annual_rate: str
    method: str
    blockers: tuple[str, ...] = ()
    messages: tuple[str, ...] = ()


@dataclass(frozen=True)
class ChoiceResult:
    """ "Continuar": the summary and the documents to upload."""

    summary: Summary
    required_documents: tuple[str, ...]


@dataclass(frozen=True)
class Reason:
    """A refusal with a stable code and a Spanish message."""

    code: str
    message: str


@dataclass(frozen=True)
class UploadedDocument:
    """An upload and its verdict."""

    kind: str
    key: str
    filename: str
    content_type: str
    accepted: bool
    reasons: tuple[Reason, ...] = ()
    issued_on: date | None = None
    reference_face_key: str | None = None


@dataclass(frozen=True)
class DocumentOutcome:
    """The answer to an upload: accepted, or the Spanish reasons."""

    kind: str
    accepted: bool
    reasons: tuple[Reason, ...]
    missing: tuple[str, ...]
    """Required kinds still without an accepted file."""


@dataclass(frozen=True)
class SignatoryContact:
    """Who was sent a signing link."""

    role: str
    name: str
    email: str
    mobile: str


@dataclass(frozen=True)
class FinalizeResult:
    """ "Finalizar": the request is sent. The spouse's contacts when married."""

    deadline: datetime
    signatories: tuple[SignatoryContact, ...]
    spouse_email: str | None = None
    spouse_mobile: str | None = None


@dataclass(frozen=True)
class StepResult:
    """The outcome of one signing step."""

    role: str
    step: str
    passed: bool
    next_step: str
    attempts_left: int
    status: Status
    reasons: tuple[Reason, ...] = ()
    sent_to: str | None = None
    """accept_terms: the masked mobile the OTP went to."""


@dataclass(frozen=True)
class SignatoryView:
    """One signatory's progress."""

    role: str
    member_id: int
    name: str
    email: str
    mobile: str
    next_step: Step
    identity_attempts_left: int
    face_attempts_left: int
    otp_attempts_left: int
    face_distance: float | None = None
    terms_accepted_at: datetime | None = None
    signed_at: datetime | None = None
    biometric_consent_at: datetime | None = None
    biometric_consent_version: str | None = None


@dataclass(frozen=True)
class AuditRecord:
    """One line of the journey's audit trail (every attempt, every officer action)."""

    at: datetime
    actor: str
    action: str
    detail: str = ""


@dataclass(frozen=True)
class CreditJourneyState:
    """The full state (Query ``state``). The API hides ``offer.max_amount_cents`` until
    ``consent_at`` is set."""

    status: Status
    offer: CreditOffer
    reason: str | None = None
    consent_at: datetime | None = None
    consent_origin: str | None = None
    dismissals: int = 0
    requirements: Requirements | None = None
    simulations: int = 0
    summary: Summary | None = None
    documents: tuple[UploadedDocument, ...] = ()
    generation: int = 0
    signing_documents: tuple[DocumentRef, ...] = ()
    """The documents as they stand (rendered, then each signature's revision, then sealed)."""
    document_hashes: tuple[str, ...] = ()
    """SHA-256s of the documents as rendered (sorted): what ``accept_terms`` must send and
    what each signatory's OTP is bound to."""
    signatories: tuple[SignatoryView, ...] = ()
    deadline: datetime | None = None
    loan_number: str | None = None
    net_amount_cents: int | None = None
    audit: tuple[AuditRecord, ...] = field(default=())
    biometrics_held: int = 0
    """Frames and face encodings in the document store the journey will still delete."""
    biometrics_deleted: int = 0
    """Frames and face encodings the journey has deleted so far."""


def reject(code: str, message: str) -> ApplicationError:
    """A refused Update: a stable code (the error's type) and a Spanish message."""
    return ApplicationError(message, type=code, non_retryable=True)
