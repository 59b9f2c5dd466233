"""SPI simulator: the interbank clearing of the Banco Central del Ecuador, stand-in.

Stateless and deterministic: every answer follows from the order itself, so the API and
the workers (any process, any restart) agree without sharing state. Institutions with
"acreditación inmediata" settle a few seconds after submission; the rest settle at the
next batch clearing cycle (09:00, 12:00, 15:00 and 18:00 America/Guayaquil, business days
only: Monday to Friday except Ecuador's public holidays). The outcome is chosen by the
beneficiary account number's suffix (see ``docs/simulators.md``).
"""

from __future__ import annotations

import random
import time as _time
from collections.abc import Sequence
from datetime import UTC, date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import holidays

from bank.adapters.spi_institutions import INSTITUTIONS, institution
from bank.adapters.spi_types import (
    Institution,
    SpiAck,
    SpiOrder,
    SpiState,
    SpiStatus,
    SpiUnavailable,
)

LOCAL_TZ = ZoneInfo("America/Guayaquil")
DEFAULT_CYCLES: tuple[time, ...] = (time(9), time(12), time(15), time(18))
DEFAULT_IMMEDIATE_DELAY = timedelta(seconds=3)

ACCOUNT_NOT_FOUND = "CUENTA_INEXISTENTE"
ACCOUNT_CLOSED = "CUENTA_CERRADA"
INSTITUTION_UNAVAILABLE = "INSTITUCION_NO_DISPONIBLE"

_NOT_FOUND_SUFFIX = "0000"
_CLOSED_SUFFIX = "1111"
_MAX_DAYS_AHEAD = 60
"""No run of non-business days in Ecuador is anywhere near this long."""


@lru_cache(maxsize=32)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("EC", years=year))


def is_business_day(day: date) -> bool:
    """Monday to Friday and not an Ecuadorian public holiday."""
    return day.weekday() < 5 and day not in _public_holidays(day.year)


def next_business_cycle(moment: datetime, cycles: Sequence[time] = DEFAULT_CYCLES) -> datetime:
    """The first clearing cycle strictly after ``moment``, in UTC.

    Cycles are local (America/Guayaquil) times of day and only run on business days; an
    order arriving exactly at a cycle's time misses it and waits for the next one.
    """
    if moment.tzinfo is None:
        raise ValueError("naive datetime: pass a timezone-aware moment")
    if not cycles:
        raise ValueError("at least one clearing cycle is needed")
    ordered = sorted(cycles)
    local = moment.astimezone(LOCAL_TZ)
    day = local.date()
    for _ in range(_MAX_DAYS_AHEAD):
        if is_business_day(day):
            for cycle in ordered:
                candidate = datetime.combine(day, cycle, tzinfo=LOCAL_TZ)
                if candidate > local:
                    return candidate.astimezone(UTC)
        day += timedelta(days=1)
    raise RuntimeError(f"no business day within {_MAX_DAYS_AHEAD} days of {moment}")


class SimulatedSpi:
    """A stand-in for the SPI with configurable latency and failure rate."""

    def __init__(
        self,
        *,
        immediate_delay: timedelta = DEFAULT_IMMEDIATE_DELAY,
        cycles: tuple[time, ...] = DEFAULT_CYCLES,
        latency: float = 0.0,
        failure_rate: float = 0.0,
        rng: random.Random | None = None,
    ) -> None:
        """``latency`` seconds are slept and ``failure_rate`` is the chance of
        :class:`SpiUnavailable` on every ``submit`` and ``status`` call."""
        if not cycles:
            raise ValueError("at least one clearing cycle is needed")
        self.immediate_delay = immediate_delay
        self.cycles = tuple(sorted(cycles))
        self.latency = latency
        self.failure_rate = failure_rate
        self.rng = rng or random.Random()

    def institutions(self) -> list[Institution]:
        """The catalogue, sorted by name (a local list: no latency, never fails)."""
        return sorted(INSTITUTIONS, key=lambda i: i.name)

    def settles_at(self, order: SpiOrder) -> datetime:
        """When the order's outcome is known (UTC); a pure function of the order."""
        if order.submitted_at.tzinfo is None:
            raise ValueError("naive submitted_at: orders carry timezone-aware UTC times")
        target = institution(order.institution_code)
        if target is None or target.immediate:
            return (order.submitted_at + self.immediate_delay).astimezone(UTC)
        return next_business_cycle(order.submitted_at, self.cycles)

    def submit(self, order: SpiOrder) -> SpiAck:
        """Take the order; the same order always gets the same acknowledgement."""
        self._network_call()
        return SpiAck(order.order_id, self.settles_at(order))

    def status(self, order: SpiOrder, as_of: datetime) -> SpiStatus:
        """PENDING before ``settles_at``; then CREDITED or REJECTED (see module doc)."""
        self._network_call()
        settles_at = self.settles_at(order)
        if as_of < settles_at:
            return SpiStatus(order.order_id, SpiState.PENDING)
        reason = _rejection(order)
        if reason is not None:
            return SpiStatus(order.order_id, SpiState.REJECTED, reason=reason)
        return SpiStatus(order.order_id, SpiState.CREDITED, settled_at=settles_at)

    def _network_call(self) -> None:
        if self.latency:
            _time.sleep(self.latency)
        if self.failure_rate and self.rng.random() < self.failure_rate:
            raise SpiUnavailable("simulated SPI outage")


def _rejection(order: SpiOrder) -> str | None:
    if institution(order.institution_code) is None:
        return INSTITUTION_UNAVAILABLE
    account = order.account_number.strip()
    if account.endswith(_NOT_FOUND_SUFFIX):
        return ACCOUNT_NOT_FOUND
    if account.endswith(_CLOSED_SUFFIX):
        return ACCOUNT_CLOSED
    return None
