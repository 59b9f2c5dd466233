"""The contract of a purchase's deferral ("Diferido de tarjetas").

One workflow per card, ID ``card-deferral-<card id>``: starting a new deferral replaces a
pending one. The API simulates first (``bank.cards.deferrals.simulate``) and starts the
journey with the purchase, amount and term the member saw; the workflow checks them again,
sends an OTP bound to exactly those three (a code cannot confirm another amount or term),
waits for the code (``confirm``) and writes the deferral with its installment rows.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime

from workflows.code_step import CODE_PATTERN as CODE_PATTERN
from workflows.code_step import OTP_WINDOW as OTP_WINDOW
from workflows.code_step import STEP_TIMEOUT as STEP_TIMEOUT
from workflows.code_step import Refusal as Refusal
from workflows.code_step import quick_retry

WORKFLOW_ID_PREFIX = "card-deferral-"

PREPARE = "card_deferral.prepare"
DEFER = "card_deferral.defer"

REFUSED = "CardDeferralRefused"
"""ApplicationError type of a business refusal by a ``card_deferral.*`` activity."""

QUICK = quick_retry(REFUSED)


def workflow_id(card_id: int) -> str:
    """The business key: one pending deferral per card."""
    return f"{WORKFLOW_ID_PREFIX}{card_id}"


class Status(enum.StrEnum):
    CHECKING = "CHECKING"
    AWAITING_OTP = "AWAITING_OTP"
    CONFIRMING = "CONFIRMING"
    DEFERRED = "DEFERRED"
    REFUSED = "REFUSED"
    """The purchase cannot be deferred (already deferred, paid, term or rate refused)."""
    FAILED = "FAILED"
    """Five wrong codes."""
    EXPIRED = "EXPIRED"
    CANCELLED = "CANCELLED"


FINAL = frozenset(
    {Status.DEFERRED, Status.REFUSED, Status.FAILED, Status.EXPIRED, Status.CANCELLED}
)


@dataclass(frozen=True)
class DeferralInput:
    member_id: int
    card_id: int
    purchase_id: int
    amount_cents: int
    term_months: int


@dataclass(frozen=True)
class StepInput:
    """What both activities act on; ``deferral_key`` is ``<workflow id>/<run id>``."""

    deferral_key: str
    member_id: int
    card_id: int
    purchase_id: int
    amount_cents: int
    term_months: int
    challenge_id: str = ""
    code: str = ""


@dataclass(frozen=True)
class Prepared:
    """The purchase can be deferred so and the code went out; or why not."""

    ok: bool
    challenge_id: str = ""
    sent_to: str = ""
    expires_at: datetime | None = None
    installment_cents: int = 0
    refusal: Refusal | None = None


@dataclass(frozen=True)
class Deferred:
    """The deferral is written; or the code was wrong (``attempts_left``) or refused."""

    ok: bool
    deferral_id: int = 0
    attempts_left: int = 0
    refusal: Refusal | None = None
    locked: bool = False


@dataclass(frozen=True)
class Confirmation:
    code: str


@dataclass
class DeferralState:
    """What the member and an officer see of the journey."""

    status: Status
    card_id: int
    purchase_id: int
    amount_cents: int
    term_months: int
    installment_cents: int = 0
    otp_sent_to: str = ""
    otp_expires_at: datetime | None = None
    otp_attempts_left: int = 5
    deferral_id: int = 0
    refusal: Refusal | None = None
