"""The interbank clearing (SPI, Banco Central del Ecuador) adapter's contract.

One interface, :class:`SpiNetwork`; the simulator lives in ``bank.adapters.spi``. Orders
are idempotent by ``order_id`` (the movement's workflow ID): submitting the same order
twice is one order.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol


class SpiUnavailable(Exception):
    """The clearing did not answer; the caller retries later."""


@dataclass(frozen=True)
class Institution:
    """A financial institution reachable through the SPI."""

    code: str
    name: str
    immediate: bool
    """Credits within seconds ("acreditación inmediata"); the rest clear in batch cycles."""


class SpiState(enum.StrEnum):
    PENDING = "PENDING"
    CREDITED = "CREDITED"
    REJECTED = "REJECTED"


@dataclass(frozen=True)
class SpiOrder:
    """A credit order to another institution."""

    order_id: str
    institution_code: str
    account_number: str
    account_type: str
    """``AHORROS``, ``CORRIENTE`` or ``TARJETA`` (a credit card payment)."""
    beneficiary_name: str
    beneficiary_identification: str
    amount_cents: int
    reference: str
    submitted_at: datetime
    """When the order was sent (UTC, timezone-aware); the clearing cycle follows from it."""


@dataclass(frozen=True)
class SpiAck:
    """The clearing took the order; its outcome is known at or after ``settles_at``."""

    order_id: str
    settles_at: datetime


@dataclass(frozen=True)
class SpiStatus:
    order_id: str
    state: SpiState
    reason: str | None = None
    """For ``REJECTED``: ``CUENTA_INEXISTENTE``, ``CUENTA_CERRADA`` or
    ``INSTITUCION_NO_DISPONIBLE``."""
    settled_at: datetime | None = None


class SpiNetwork(Protocol):
    """Sends credit orders to other institutions and reports their outcome."""

    def institutions(self) -> list[Institution]:
        """Every reachable institution, sorted by name."""
        ...

    def submit(self, order: SpiOrder) -> SpiAck:
        """Send an order (idempotent by ``order_id``); raise :class:`SpiUnavailable` if down."""
        ...

    def status(self, order: SpiOrder, as_of: datetime) -> SpiStatus:
        """The order's state at ``as_of`` (PENDING before it settles)."""
        ...
