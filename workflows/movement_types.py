"""The contract of a money movement (transfer, bill payment, card payment).

One workflow per movement, ID ``mov-<member>-<Idempotency-Key>``: the API starts it with
the member's order, reads the preview through the ``preview`` Update, confirms it with the
OTP through ``confirm``; the ``state`` Query answers at any time (also after it closed).
Money is integer cents. The API imports this module, never ``activities``.

Refusals carry a stable ``code`` and a Spanish ``message`` (see :class:`Refusal`).
"""

from __future__ import annotations

import enum
import hashlib
import json
import re
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta

WORKFLOW_ID_PREFIX = "mov-"
IDEMPOTENCY_KEY = re.compile(r"[A-Za-z0-9_-]{8,64}")
"""What a client's ``Idempotency-Key`` header may hold (a UUID fits)."""
CODE_PATTERN = re.compile(r"[0-9]{6}")
OTP_WINDOW = timedelta(minutes=5)
"""How long the preview waits for its code (the OTP's own lifetime)."""
MAX_RECEIPTS = 12

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


class Kind(enum.StrEnum):
    """Mirrors ``bank.models.MovementKind`` (the ``OperationKind`` search attribute)."""

    OWN_TRANSFER = "OWN_TRANSFER"
    COOP_TRANSFER = "COOP_TRANSFER"
    INTERBANK_TRANSFER = "INTERBANK_TRANSFER"
    SERVICE_PAYMENT = "SERVICE_PAYMENT"
    COOP_CARD_PAYMENT = "COOP_CARD_PAYMENT"
    OTHER_CARD_PAYMENT = "OTHER_CARD_PAYMENT"


SPI_KINDS = frozenset({Kind.INTERBANK_TRANSFER, Kind.OTHER_CARD_PAYMENT})
"""Movements that leave through the interbank clearing and may come back rejected."""

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


class CardOption(enum.StrEnum):
    MINIMO = "MINIMO"
    TOTAL = "TOTAL"
    OTRO = "OTRO"


@dataclass(frozen=True)
class NewBeneficiary:
    """A payee typed in for this transfer; ``save`` keeps it among the beneficiaries."""

    name: str
    identification_type: str
    identification: str
    account_number: str
    institution_code: str = ""
    """SPI code; empty for a Cooprogreso account."""
    account_type: str = "AHORROS"
    save: bool = False


@dataclass(frozen=True)
class Order:
    """What the member asked for, as the API received it (validated for shape only)."""

    kind: Kind
    member_id: int
    origin_account: str
    channel: str = "WEB"
    amount_cents: int = 0
    """Transfers and "other amount" card payments; 0 where the amount comes from elsewhere."""
    reference: str = ""
    destination_account: str = ""
    """Own and Cooprogreso transfers by account number."""
    beneficiary_id: int | None = None
    new_beneficiary: NewBeneficiary | None = None
    company_code: str = ""
    supply_number: str = ""
    receipts: tuple[str, ...] = ()
    card_id: int | None = None
    """A Cooprogreso credit card (``cards.id``)."""
    registered_card_id: int | None = None
    """Another bank's card the member registered."""
    card_option: CardOption = CardOption.OTRO

    def digest(self) -> str:
        """SHA-256 of the order: the same key with another order is a conflict."""
        canonical = json.dumps(asdict(self), sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True)
class MovementInput:
    order: Order
    order_digest: str
    idempotency_key: str


@dataclass(frozen=True)
class ReceiptLine:
    number: str
    amount_cents: int
    period: str
    fee_cents: int
    iva_cents: int


@dataclass(frozen=True)
class Destination:
    """What the member sees as the destination; ``account_id`` only for Cooprogreso accounts."""

    name: str
    account_masked: str = ""
    institution_code: str = "COOPROGRESO"
    institution_name: str = "COOPROGRESO"
    account_type: str = ""
    identification: str = ""
    account_number: str = ""
    """Full number: needed to credit it (the API shows ``account_masked``)."""
    account_id: int | None = None
    immediate: bool = True
    """Interbank: the institution credits within seconds (else within 24 business hours)."""
    company_code: str = ""
    company_name: str = ""
    category: str = ""
    supply_number: str = ""
    receipts: tuple[ReceiptLine, ...] = ()
    card_id: int | None = None
    registered_card_id: int | None = None


@dataclass(frozen=True)
class Preview:
    """Exactly what the OTP authorises: amount, commission, IVA, total, destination."""

    kind: Kind
    member_id: int
    channel: str
    origin_account_id: int
    origin_account_number: str
    amount_cents: int
    fee_cents: int
    iva_cents: int
    destination: Destination
    reference: str
    counts_to_limit: bool

    @property
    def total_cents(self) -> int:
        return self.amount_cents + self.fee_cents + self.iva_cents

    def otp_payload(self, movement_id: str) -> dict[str, object]:
        """What the code is bound to: any change needs a new code."""
        d = self.destination
        return {
            "movement": movement_id,
            "kind": str(self.kind),
            "origin": self.origin_account_number,
            "amount": self.amount_cents,
            "fee": self.fee_cents,
            "iva": self.iva_cents,
            "destination": [d.institution_code, d.account_number, d.company_code, d.supply_number],
            "receipts": [r.number for r in d.receipts],
            "card": [d.card_id, d.registered_card_id],
        }


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
    kind: Kind
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
