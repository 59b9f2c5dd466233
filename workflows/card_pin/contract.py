"""The contract of a card PIN change ("Cambiar clave" of a debit or credit card).

One workflow per card, ID ``card-pin-<card id>``: starting a new change replaces a pending
one. The API checks the new PIN's rules in clear and passes only keyed digests
(``bank.cards.pins.pin_digest``): no PIN ever enters the workflow's history. The workflow
checks the previous PIN (three wrong ones block the card's PIN changes), sends an OTP that
says what it authorises, waits for the code (``confirm``) and sets the new PIN.
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

WORKFLOW_ID_PREFIX = "card-pin-"

PREPARE = "card_pin.prepare"
CHANGE = "card_pin.change"

REFUSED = "CardPinRefused"
"""ApplicationError type of a business refusal by a ``card_pin.*`` activity: never retried."""

QUICK = quick_retry(REFUSED)


def workflow_id(card_id: int) -> str:
    """The business key: one pending PIN change per card."""
    return f"{WORKFLOW_ID_PREFIX}{card_id}"


class Status(enum.StrEnum):
    CHECKING = "CHECKING"
    AWAITING_OTP = "AWAITING_OTP"
    CONFIRMING = "CONFIRMING"
    CHANGED = "CHANGED"
    REFUSED = "REFUSED"
    """The previous PIN was wrong, the PIN is blocked, or the card cannot be used."""
    FAILED = "FAILED"
    """Five wrong codes."""
    EXPIRED = "EXPIRED"
    CANCELLED = "CANCELLED"


FINAL = frozenset({Status.CHANGED, Status.REFUSED, Status.FAILED, Status.EXPIRED, Status.CANCELLED})


@dataclass(frozen=True)
class PinChangeInput:
    member_id: int
    card_id: int
    previous_digest: str
    new_digest: str


@dataclass(frozen=True)
class PrepareInput:
    change_key: str
    """``<workflow id>/<run id>``: this change (one card's changes share the workflow ID)."""
    member_id: int
    card_id: int
    previous_digest: str
    new_digest: str


@dataclass(frozen=True)
class Prepared:
    """The previous PIN was right and the code went out; or why not."""

    ok: bool
    challenge_id: str = ""
    sent_to: str = ""
    expires_at: datetime | None = None
    attempts_left: int = 0
    refusal: Refusal | None = None


@dataclass(frozen=True)
class ChangeInput:
    change_key: str
    member_id: int
    card_id: int
    challenge_id: str
    new_digest: str
    code: str


@dataclass(frozen=True)
class Changed:
    """The new PIN is set; or the code was wrong (``attempts_left``) or refused."""

    ok: bool
    attempts_left: int = 0
    refusal: Refusal | None = None
    locked: bool = False


@dataclass(frozen=True)
class Confirmation:
    code: str


@dataclass
class PinChangeState:
    """What the member and an officer see of the change (never a PIN or its digest)."""

    status: Status
    card_id: int
    otp_sent_to: str = ""
    otp_expires_at: datetime | None = None
    otp_attempts_left: int = 5
    pin_attempts_left: int = 0
    refusal: Refusal | None = None
