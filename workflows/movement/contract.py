"""The contract of a money movement (transfer, bill payment, card payment).

One workflow per movement, ID ``mov-<member>-<Idempotency-Key>``: the API starts it with
the member's order, reads the preview through the ``preview`` Update, confirms it with the
OTP through ``confirm``; the ``state`` Query answers at any time (also after it closed).
Money is integer cents. The API imports this module, never ``activities``. The order and
its preview (``Order``, ``Preview``, ``MovementKind``…) belong to the payments domain
(``bank.payments.orders``); this module adds what the workflow, its activities and the API
exchange around them.

Refusals carry a stable ``code`` and a Spanish ``message`` (see :class:`Refusal`).
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from temporalio.common import RetryPolicy

from bank.payments.orders import MovementKind, NewBeneficiary, Order, Preview

WORKFLOW_ID_PREFIX = "mov-"
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")
"""What a client's ``Idempotency-Key`` header may hold (a UUID fits)."""
CODE_PATTERN = re.compile(r"[0-9]{6}")
OTP_WINDOW = timedelta(minutes=5)
"""How long the preview waits for its code (the OTP's own lifetime)."""

# Activity names (activities/movements.py implements them).
PREPARE = "movement.prepare"
EXECUTE = "movement.execute"
SPI_SUBMIT = "movement.spi_submit"
SPI_STATUS = "movement.spi_status"
BILLER_PAY = "movement.biller_pay"
SETTLE = "movement.settle"
REVERSE = "movement.reverse"

REFUSED = "MovementRefused"
"""ApplicationError type of a business refusal raised by an activity: never retried."""
CONFLICT = "IDEMPOTENCY_CONFLICT"
"""Update rejection: the Idempotency-Key was used for a different order."""


def workflow_id(member_id: int, key: str) -> str:
    """A member's movement for one Idempotency-Key (two members may use the same key)."""
    return f"{WORKFLOW_ID_PREFIX}{member_id}-{key}"


REJECTION_REASONS = {
    "CUENTA_INEXISTENTE": "La cuenta de destino no existe en la institución receptora.",
    "CUENTA_CERRADA": "La cuenta de destino está cerrada.",
    "INSTITUCION_NO_DISPONIBLE": "La institución receptora no está disponible.",
    "RECIBO_YA_PAGADO": "La empresa informa que la factura ya fue pagada por otro medio.",
    "RECIBO_INEXISTENTE": "La empresa no reconoce el recibo.",
    "MONTO_DISTINTO": "El valor de la factura cambió en la empresa.",
    "RECIBO_DUPLICADO": "El mismo recibo se envió dos veces en el pago.",
}
"""The member's words for a refusal code of the SPI or of a biller."""


def rejection_reason(code: str | None) -> str:
    """Spanish text of a refusal, for the member's email and the movement's state."""
    return REJECTION_REASONS.get(code or "", "La institución receptora rechazó la operación.")


class Status(enum.StrEnum):
    """Where a movement stands (the ``JourneyStatus`` search attribute)."""

    PREPARING = "PREPARING"
    AWAITING_OTP = "AWAITING_OTP"
    CONFIRMING = "CONFIRMING"
    POSTED = "POSTED"
    """Debited; the receiving side (SPI, biller) has not answered yet: "en proceso"."""
    COMPLETED = "COMPLETED"
    REVERSED = "REVERSED"
    """The receiving side refused: amount, fee and IVA were credited back."""
    REJECTED = "REJECTED"
    """Refused before any money moved (funds, limits, bill already paid…)."""
    EXPIRED = "EXPIRED"
    """The code was not entered within 5 minutes."""
    FAILED = "FAILED"
    """Five wrong codes."""
    CANCELLED = "CANCELLED"


FINAL = frozenset(
    {
        Status.COMPLETED,
        Status.REVERSED,
        Status.REJECTED,
        Status.EXPIRED,
        Status.FAILED,
        Status.CANCELLED,
    }
)


@dataclass(frozen=True)
class MovementInput:
    order: Order
    order_digest: str
    idempotency_key: str


@dataclass(frozen=True)
class Refusal:
    code: str
    message: str


@dataclass(frozen=True)
class Prepared:
    preview: Preview
    challenge_id: str
    sent_to: str
    expires_at: datetime


@dataclass(frozen=True)
class ExecuteInput:
    movement_id: str
    preview: Preview
    challenge_id: str
    code: str
    new_beneficiary: NewBeneficiary | None = None


@dataclass(frozen=True)
class Executed:
    """``ok``: posted (``entry_id``); else ``wrong_code`` with attempts left, or a refusal."""

    ok: bool
    entry_id: int | None = None
    movement_row_id: int | None = None
    attempts_left: int = 0
    refusal: Refusal | None = None
    locked: bool = False
    """The code was refused for good (5 wrong, expired, voided): the movement fails."""


@dataclass(frozen=True)
class SettlementInput:
    movement_id: str
    preview: Preview
    submitted_at: datetime | None = None
    as_of: datetime | None = None
    """The workflow's clock when asking for the outcome (the simulator answers as of it)."""


@dataclass(frozen=True)
class SpiAnswer:
    state: str
    """``PENDING``, ``CREDITED``, ``REJECTED``."""
    settles_at: datetime
    reason: str | None = None


@dataclass(frozen=True)
class ReverseInput:
    movement_id: str
    preview: Preview
    reason_code: str
    reason: str
    """Spanish, for the member's email."""


@dataclass(frozen=True)
class Confirmation:
    code: str


@dataclass
class MovementState:
    """The ``state`` Query: everything the member and an officer see."""

    status: Status
    kind: MovementKind
    order_digest: str
    preview: Preview | None = None
    otp_sent_to: str = ""
    otp_expires_at: datetime | None = None
    attempts_left: int = 5
    refusal: Refusal | None = None
    entry_id: int | None = None
    settles_at: datetime | None = None
    completed_at: datetime | None = None
    history: list[str] = field(default_factory=list)


# ---- how the workflow calls its activities ----------------------------------------------

QUICK = RetryPolicy(
    initial_interval=timedelta(milliseconds=200),
    maximum_interval=timedelta(seconds=5),
    maximum_attempts=6,
    non_retryable_error_types=[REFUSED],
)
"""The preview: the member is waiting; a persistent failure is answered quickly."""
POSTING = RetryPolicy(
    initial_interval=timedelta(milliseconds=200),
    maximum_interval=timedelta(seconds=10),
    maximum_attempts=0,
    non_retryable_error_types=[REFUSED],
)
"""The posting: idempotent, and once tried it may have moved money, so never given up."""
PATIENT = RetryPolicy(
    initial_interval=timedelta(seconds=1),
    maximum_interval=timedelta(minutes=2),
    maximum_attempts=0,
)
"""Settlement: money already left the account; keep trying until the other side answers."""
POSTING_TIMEOUT = timedelta(seconds=10)
"""One posting is milliseconds; an attempt lost with its worker is retried after this."""
CONFIRM_WAIT = timedelta(seconds=10)
"""How long ``confirm`` waits for a bill payment's biller answer before saying "en proceso"."""
STATUS_POLL = timedelta(minutes=1)
