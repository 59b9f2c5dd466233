"""The contract of enrollment: its ID, statuses and outcomes, the activities it calls (names,
payloads, retry policies) and what the API sends and reads.

``activities/enrollment.py`` implements the activities; :mod:`workflows.enrollment.workflow`
runs them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

WORKFLOW_ID_PREFIX = "enroll-"
OPERATION = "ENROLLMENT"
CODE_TTL = timedelta(minutes=5)
MAX_ATTEMPTS = 5
UPDATE_WAIT = timedelta(seconds=20)
"""How long ``submit_code`` waits for the credentials after a right code before answering."""
CODE_PATTERN = re.compile(r"[0-9]{6}")

FIND_MEMBER = "enrollment.find_member"
SEND_CODE = "enrollment.send_code"
VERIFY_CODE = "enrollment.verify_code"
ISSUE_CREDENTIALS = "enrollment.issue_credentials"

REFUSED = "EnrollmentRefused"
"""ApplicationError type of a business refusal by an activity: never retried."""

QUICK = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    maximum_interval=timedelta(seconds=10),
    maximum_attempts=5,
    non_retryable_error_types=[REFUSED],
)
PATIENT = RetryPolicy(
    initial_interval=timedelta(seconds=2),
    maximum_interval=timedelta(minutes=1),
    maximum_attempts=20,
    non_retryable_error_types=[REFUSED],
)


def refused(err: ActivityError) -> bool:
    """True when an activity refused for a business reason (see :data:`REFUSED`)."""
    return isinstance(err.cause, ApplicationError) and err.cause.type == REFUSED


def workflow_id(identification: str) -> str:
    """The business key of an enrollment: one open enrollment per identification."""
    return f"{WORKFLOW_ID_PREFIX}{identification}"


class Status(StrEnum):
    """Where an enrollment stands (the ``JourneyStatus`` search attribute)."""

    LOOKING_UP = "LOOKING_UP"
    AWAITING_CODE = "AWAITING_CODE"
    ISSUING_CREDENTIALS = "ISSUING_CREDENTIALS"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    """Five wrong codes, or a system error (``reason`` says which)."""
    EXPIRED = "EXPIRED"
    NOT_ELIGIBLE = "NOT_ELIGIBLE"
    """Unknown identification, no contact data, or too many codes asked: decoy course."""


TERMINAL = frozenset({Status.COMPLETED, Status.FAILED, Status.EXPIRED, Status.NOT_ELIGIBLE})


class Outcome(StrEnum):
    """What the member is told; identical for members and non-members."""

    PENDING = "PENDING"
    WRONG_CODE = "WRONG_CODE"
    PROCESSING = "PROCESSING"
    COMPLETED = "COMPLETED"
    FAILED = "FAILED"
    EXPIRED = "EXPIRED"


@dataclass(frozen=True)
class EnrollmentInput:
    identification_type: str
    """``CEDULA`` or ``PASAPORTE``."""
    identification: str


@dataclass(frozen=True)
class FindMemberInput:
    identification_type: str
    identification: str


@dataclass(frozen=True)
class MemberLookup:
    member_id: int | None
    eligible: bool
    reason: str | None = None
    """Why not eligible: ``NOT_FOUND``, ``NO_CONTACT`` or ``THROTTLED``."""
    has_user: bool = False


@dataclass(frozen=True)
class SendCodeInput:
    member_id: int
    reference: str
    """``<workflow id>/<run id>``: binds the OTP to this run and keys its SMS."""


@dataclass(frozen=True)
class VerifyCodeInput:
    member_id: int
    challenge_id: str
    reference: str
    code: str


@dataclass(frozen=True)
class VerifyCodeResult:
    valid: bool
    attempts_left: int
    expired: bool = False
    """The OTP service found the code past its lifetime (its clock, not the workflow's)."""


@dataclass(frozen=True)
class IssueCredentialsInput:
    member_id: int
    reference: str


@dataclass(frozen=True)
class Credentials:
    username: str
    reset: bool
    """True when the member already had a user and it was reset."""


@dataclass(frozen=True)
class CodeSubmission:
    code: str


@dataclass(frozen=True)
class CodeOutcome:
    outcome: Outcome
    attempts_left: int


@dataclass(frozen=True)
class EnrollmentState:
    """The officer's view (Query ``state``) and the workflow's result. Never sent to members."""

    status: Status
    outcome: Outcome
    attempts_left: int
    member_id: int | None = None
    reason: str | None = None
    expires_at: datetime | None = None
    username: str | None = None
    reset: bool = False
