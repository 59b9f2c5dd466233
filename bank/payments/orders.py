"""A payment order and what it becomes: the member's request, the preview the OTP authorises.

The vocabulary of a money movement (transfer, bill payment, card payment), shared by the
domain (``bank.payments``), the movement workflow's contract
(``workflows.movement.contract``) and the API. Plain frozen dataclasses with no I/O: they
travel in workflow payloads by field name, so renaming a field breaks committed histories.
Money is integer cents.
"""

from __future__ import annotations

import enum
import hashlib
import json
from dataclasses import asdict, dataclass

from bank.core.money import format_usd

MAX_RECEIPTS = 12
"""The most receipts one bill payment may cover."""


class MovementKind(enum.StrEnum):
    """What a movement is: the ``money_movements.kind`` column and the ``OperationKind``
    search attribute (stored by value: the values never change)."""

    OWN_TRANSFER = "OWN_TRANSFER"
    COOP_TRANSFER = "COOP_TRANSFER"
    INTERBANK_TRANSFER = "INTERBANK_TRANSFER"
    SERVICE_PAYMENT = "SERVICE_PAYMENT"
    COOP_CARD_PAYMENT = "COOP_CARD_PAYMENT"
    OTHER_CARD_PAYMENT = "OTHER_CARD_PAYMENT"


_PURPOSES = {
    MovementKind.OWN_TRANSFER: "Transferencia",
    MovementKind.COOP_TRANSFER: "Transferencia",
    MovementKind.INTERBANK_TRANSFER: "Transferencia interbancaria",
    MovementKind.SERVICE_PAYMENT: "Pago",
    MovementKind.COOP_CARD_PAYMENT: "Pago",
    MovementKind.OTHER_CARD_PAYMENT: "Pago",
}


SPI_KINDS = frozenset({MovementKind.INTERBANK_TRANSFER, MovementKind.OTHER_CARD_PAYMENT})
"""Movements that leave through the interbank clearing and may come back rejected."""


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

    kind: MovementKind
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

    kind: MovementKind
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

    def otp_purpose(self) -> str:
        """What the SMS says the code authorises: "Transferencia de $12.34 a XXXX7341"."""
        d = self.destination
        amount = format_usd(self.amount_cents)
        if self.fee_cents or self.iva_cents:
            amount = f"{amount} (total {format_usd(self.total_cents)})"
        if self.kind is MovementKind.SERVICE_PAYMENT:
            return f"Pago de {amount} a {d.company_name or d.company_code} {d.supply_number}"
        target = d.account_masked
        if self.kind in (MovementKind.COOP_CARD_PAYMENT, MovementKind.OTHER_CARD_PAYMENT):
            target = f"la tarjeta XXXX{target[-4:]}"
        return f"{_PURPOSES[self.kind]} de {amount} a {target}"

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
