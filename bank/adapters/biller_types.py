"""The biller network adapter's contract (water, power, phone, internet, TV, taxes…).

One interface, :class:`BillerNetwork`; the simulator lives in ``bank.adapters.billers``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date
from typing import Protocol


class BillerUnavailable(Exception):
    """The network did not answer; the caller retries later."""


@dataclass(frozen=True)
class Company:
    code: str
    name: str
    category: str
    """Category code, e.g. ``AGUA``."""
    reference_label: str
    """What the member types: "Número de suministro", "Número de cuenta", "Número de contrato"…"""
    reference_pattern: str
    """Regular expression the reference must match, e.g. ``[0-9]{6,13}``."""


@dataclass(frozen=True)
class Category:
    code: str
    name: str


@dataclass(frozen=True)
class Receipt:
    """A pending bill ("recibo")."""

    number: str
    amount_cents: int
    period: str
    """``YYYY-MM``."""
    due_on: date


class LookupState(enum.StrEnum):
    FOUND = "FOUND"
    NO_PENDING_BILL = "NO_PENDING_BILL"
    UNKNOWN_REFERENCE = "UNKNOWN_REFERENCE"


@dataclass(frozen=True)
class BillLookup:
    state: LookupState
    company_code: str
    reference: str
    holder_name: str | None = None
    receipts: tuple[Receipt, ...] = ()
    """Oldest first."""


class PaymentState(enum.StrEnum):
    ACCEPTED = "ACCEPTED"
    REJECTED = "REJECTED"


@dataclass(frozen=True)
class BillerPayment:
    """What Cooprogreso tells the biller it collected."""

    payment_reference: str
    """Idempotency key (the movement's workflow ID or the scheduled run's ID)."""
    company_code: str
    reference: str
    receipts: tuple[str, ...]
    amount_cents: int


@dataclass(frozen=True)
class BillerAck:
    state: PaymentState
    reason: str | None = None
    """For ``REJECTED``: e.g. ``RECIBO_YA_PAGADO``, ``RECIBO_INEXISTENTE``, ``MONTO_DISTINTO``."""


class BillerNetwork(Protocol):
    def categories(self) -> list[Category]: ...

    def companies(self, category: str | None = None) -> list[Company]: ...

    def company(self, code: str) -> Company | None: ...

    def lookup(self, company_code: str, reference: str) -> BillLookup:
        """Pending receipts of a supply / account / contract; raises :class:`BillerUnavailable`."""
        ...

    def pay(self, payment: BillerPayment) -> BillerAck:
        """Report a collected payment (idempotent by ``payment_reference``)."""
        ...
