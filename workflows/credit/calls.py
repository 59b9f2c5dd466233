"""Names, payloads and retry policies of the activities the credit journey calls.

``activities/credit.py`` implements the ``credit.*`` activities; the KYC and signing
activities have their contracts in ``bank.kyc.contracts`` and ``bank.signing.contracts``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from temporalio.common import RetryPolicy

from bank.credit.charges import ChargeRule
from bank.credit.simulation import LoanTerms
from bank.kyc.contracts import BAD_REQUEST
from bank.signing.contracts import NON_RETRYABLE as SIGNING_NON_RETRYABLE
from bank.signing.contracts import DocumentRef

LOAD_MEMBER_PROFILE = "credit.load_member_profile"
RECORD_CONSENT = "credit.record_consent"
CREATE_SIGNING_LINKS = "credit.create_signing_links"
VERIFY_IDENTITY = "credit.verify_identity"
ISSUE_SIGNING_OTP = "credit.issue_signing_otp"
VERIFY_SIGNING_OTP = "credit.verify_signing_otp"
DISBURSE = "credit.disburse"
SEND_SIGNED_DOCUMENTS = "credit.send_signed_documents"

REFUSED = "CreditRefused"
"""ApplicationError type of a business refusal by a ``credit.*`` activity: never retried."""

NON_RETRYABLE = [REFUSED, BAD_REQUEST, *SIGNING_NON_RETRYABLE]

QUICK = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    maximum_interval=timedelta(seconds=10),
    maximum_attempts=5,
    non_retryable_error_types=NON_RETRYABLE,
)
"""Steps a member is waiting on (an Update's answer): fail fast and tell them."""
PATIENT = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    maximum_interval=timedelta(minutes=2),
    maximum_attempts=0,
    non_retryable_error_types=NON_RETRYABLE,
)
"""Money and documents after the last signature: retry until done (activities are idempotent)."""

SHORT = timedelta(seconds=15)
MEDIUM = timedelta(seconds=60)
LONG = timedelta(minutes=3)


@dataclass(frozen=True)
class LoadProfileInput:
    member_id: int


@dataclass(frozen=True)
class ConsentInput:
    workflow_id: str
    campaign_id: str
    member_id: int
    origin: str
    at: datetime


@dataclass(frozen=True)
class LinkRecipient:
    """A signatory to invite (or to send the signed documents to)."""

    role: str
    member_id: int
    first_names: str
    email: str


@dataclass(frozen=True)
class LinksInput:
    workflow_id: str
    generation: int
    deadline: datetime
    recipients: tuple[LinkRecipient, ...]
    documents: tuple[DocumentRef, ...] = ()
    """The generation's rendered PDFs, attached to each signing-link email."""


@dataclass(frozen=True)
class LinkIssued:
    role: str
    token_digest: str
    """SHA-256 of the emailed token; the workflow checks presented tokens against it."""


@dataclass(frozen=True)
class IdentityInput:
    workflow_id: str
    role: str
    expected_identification: str
    cedula: str
    codigo_dactilar: str


@dataclass(frozen=True)
class IdentityVerdict:
    matched: bool
    code: str = ""
    message: str = ""


@dataclass(frozen=True)
class SigningOtpInput:
    workflow_id: str
    generation: int
    role: str
    member_id: int
    document_hashes: tuple[str, ...]


@dataclass(frozen=True)
class SigningOtpIssued:
    challenge_id: str
    sent_to: str
    expires_at: datetime


@dataclass(frozen=True)
class SigningOtpCheck:
    challenge_id: str
    workflow_id: str
    generation: int
    role: str
    member_id: int
    document_hashes: tuple[str, ...]
    code: str


@dataclass(frozen=True)
class SigningOtpVerdict:
    valid: bool
    attempts_left: int
    expired: bool = False


@dataclass(frozen=True)
class DisburseInput:
    workflow_id: str
    generation: int
    member_id: int
    campaign_id: str
    product_name: str
    amount_cents: int
    term_months: int
    terms: LoanTerms
    charges: tuple[ChargeRule, ...]


@dataclass(frozen=True)
class Disbursement:
    loan_id: int
    loan_number: str
    entry_id: int
    net_amount_cents: int
    replayed: bool = False


@dataclass(frozen=True)
class SignedDocumentsInput:
    workflow_id: str
    generation: int
    loan_number: str
    net_amount_cents: int
    recipients: tuple[LinkRecipient, ...]
    documents: tuple[DocumentRef, ...]
