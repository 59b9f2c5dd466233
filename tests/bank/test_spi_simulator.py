"""The SPI simulator: settlement times (immediate, batch cycles, holidays) and outcomes."""

from __future__ import annotations

import random
import time as _time
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from bank.adapters.spi import SimulatedSpi, is_business_day, next_business_cycle
from bank.adapters.spi_institutions import INSTITUTIONS
from bank.adapters.spi_types import SpiNetwork, SpiOrder, SpiState, SpiUnavailable

EC = ZoneInfo("America/Guayaquil")
IMMEDIATE = "0010"  # BANCO PICHINCHA
BATCH = "0037"  # BANCO BOLIVARIANO


def local(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=EC)


def order(
    submitted_at: datetime,
    *,
    institution: str = BATCH,
    account: str = "2200123456",
    order_id: str = "mov-1",
) -> SpiOrder:
    return SpiOrder(
        order_id=order_id,
        institution_code=institution,
        account_number=account,
        account_type="AHORROS",
        beneficiary_name="MARIA ANDRADE",
        beneficiary_identification="1710034065",
        amount_cents=12_345,
        reference="Pago arriendo",
        submitted_at=submitted_at.astimezone(UTC),
    )


def test_institutions_are_the_catalogue_sorted_by_name() -> None:
    network: SpiNetwork = SimulatedSpi()  # mypy checks the simulator honours the contract
    listed = network.institutions()
    assert [i.name for i in listed] == sorted(i.name for i in INSTITUTIONS)
    assert set(listed) == set(INSTITUTIONS)


def test_immediate_institution_settles_seconds_after_submission() -> None:
    submitted = local(2026, 11, 28, 23, 50)  # a Saturday night: immediate ignores cycles
    ack = SimulatedSpi().submit(order(submitted, institution=IMMEDIATE))
    assert ack.order_id == "mov-1"
    assert ack.settles_at == submitted + timedelta(seconds=3)
    assert ack.settles_at.tzinfo == UTC
    slow = SimulatedSpi(immediate_delay=timedelta(seconds=30))
    assert slow.submit(order(submitted, institution=IMMEDIATE)).settles_at == submitted + (
        timedelta(seconds=30)
    )


@pytest.mark.parametrize(
    ("submitted", "expected"),
    [
        (local(2026, 11, 24, 7, 0), local(2026, 11, 24, 9, 0)),  # before the first cycle
        (local(2026, 11, 24, 10, 15), local(2026, 11, 24, 12, 0)),
        (local(2026, 11, 24, 12, 0), local(2026, 11, 24, 15, 0)),  # at the cut: next one
        (local(2026, 11, 24, 17, 59), local(2026, 11, 24, 18, 0)),
        (local(2026, 11, 24, 18, 1), local(2026, 11, 25, 9, 0)),  # after the last cycle
        (local(2026, 11, 27, 18, 30), local(2026, 11, 30, 9, 0)),  # Friday night -> Monday
        (local(2026, 11, 29, 11, 0), local(2026, 11, 30, 9, 0)),  # Sunday
        (local(2026, 12, 24, 18, 30), local(2026, 12, 28, 9, 0)),  # Christmas Friday skipped
        (local(2026, 12, 25, 10, 0), local(2026, 12, 28, 9, 0)),  # on the holiday itself
        (local(2026, 2, 13, 19, 0), local(2026, 2, 18, 9, 0)),  # Carnival Monday and Tuesday
        (local(2026, 12, 31, 20, 0), local(2027, 1, 4, 9, 0)),  # New Year, across the year
    ],
)
def test_batch_institution_settles_at_next_business_cycle(
    submitted: datetime, expected: datetime
) -> None:
    ack = SimulatedSpi().submit(order(submitted))
    assert ack.settles_at == expected
    assert ack.settles_at.tzinfo == UTC
    assert next_business_cycle(submitted) == expected


def test_business_days_follow_ecuadorian_holidays() -> None:
    assert is_business_day(date(2026, 11, 24))
    assert not is_business_day(date(2026, 11, 28))  # Saturday
    assert not is_business_day(date(2026, 12, 25))  # Christmas
    assert not is_business_day(date(2026, 8, 10))  # Primer Grito de Independencia


def test_batch_settlement_is_always_within_one_business_day() -> None:
    spi = SimulatedSpi()
    moment = local(2026, 1, 1, 0, 0)
    while moment < local(2027, 1, 1, 0, 0):
        settles = spi.submit(order(moment)).settles_at.astimezone(EC)
        assert settles > moment
        assert settles.time() in {time(9), time(12), time(15), time(18)}
        assert is_business_day(settles.date())
        # No business day is skipped: at most the next business day after submission.
        day = moment.date() + timedelta(days=1)
        while day < settles.date():
            assert not is_business_day(day)
            day += timedelta(days=1)
        moment += timedelta(minutes=97)


def test_custom_cycles() -> None:
    spi = SimulatedSpi(cycles=(time(16, 30), time(10)))
    assert spi.submit(order(local(2026, 11, 24, 11, 0))).settles_at == local(2026, 11, 24, 16, 30)
    assert spi.submit(order(local(2026, 11, 24, 17, 0))).settles_at == local(2026, 11, 25, 10, 0)
    with pytest.raises(ValueError):
        SimulatedSpi(cycles=())


def test_naive_submission_time_is_refused() -> None:
    with pytest.raises(ValueError):
        next_business_cycle(datetime(2026, 11, 24, 10, 0))


def test_pending_until_settlement_then_credited() -> None:
    spi = SimulatedSpi()
    sent = order(local(2026, 11, 24, 10, 15))
    settles_at = spi.submit(sent).settles_at
    before = spi.status(sent, settles_at - timedelta(seconds=1))
    assert before.state is SpiState.PENDING
    assert before.settled_at is None and before.reason is None
    at = spi.status(sent, settles_at)
    assert at.state is SpiState.CREDITED
    assert at.settled_at == settles_at
    later = SimulatedSpi().status(sent, settles_at + timedelta(days=3))  # another process
    assert later == at


@pytest.mark.parametrize(
    ("account", "reason"),
    [("2200120000", "CUENTA_INEXISTENTE"), ("2200121111", "CUENTA_CERRADA")],
)
@pytest.mark.parametrize("institution", [IMMEDIATE, BATCH])
def test_account_suffix_rejects_after_settlement(
    account: str, reason: str, institution: str
) -> None:
    spi = SimulatedSpi()
    sent = order(local(2026, 11, 24, 10, 15), institution=institution, account=account)
    settles_at = spi.submit(sent).settles_at
    assert spi.status(sent, settles_at - timedelta(seconds=1)).state is SpiState.PENDING
    answer = spi.status(sent, settles_at)
    assert answer.state is SpiState.REJECTED
    assert answer.reason == reason
    assert answer.settled_at is None


def test_unknown_institution_is_acknowledged_then_rejected() -> None:
    spi = SimulatedSpi()
    submitted = local(2026, 11, 27, 18, 30)  # would wait for Monday if it were batch
    sent = order(submitted, institution="9999")
    ack = spi.submit(sent)
    assert ack.settles_at == submitted + timedelta(seconds=3)
    assert spi.status(sent, submitted).state is SpiState.PENDING
    answer = spi.status(sent, ack.settles_at)
    assert (answer.state, answer.reason) == (SpiState.REJECTED, "INSTITUCION_NO_DISPONIBLE")


def test_submit_is_idempotent_and_the_same_in_every_process() -> None:
    sent = order(local(2026, 11, 27, 18, 30), order_id="mov-42")
    first = SimulatedSpi().submit(sent)
    assert SimulatedSpi().submit(sent) == first
    spi = SimulatedSpi()
    assert spi.submit(sent) == spi.submit(sent) == first
    assert first.order_id == "mov-42"


def test_failure_rate_one_makes_the_clearing_unavailable() -> None:
    spi = SimulatedSpi(failure_rate=1.0)
    sent = order(local(2026, 11, 24, 10, 15))
    with pytest.raises(SpiUnavailable):
        spi.submit(sent)
    with pytest.raises(SpiUnavailable):
        spi.status(sent, local(2026, 11, 25, 10, 0))
    assert spi.institutions()  # the catalogue is local: it never fails


def test_partial_failure_rate_follows_the_rng() -> None:
    spi = SimulatedSpi(failure_rate=0.5, rng=random.Random(7))
    sent = order(local(2026, 11, 24, 10, 15))
    outcomes = []
    for _ in range(200):
        try:
            spi.submit(sent)
            outcomes.append(True)
        except SpiUnavailable:
            outcomes.append(False)
    assert 40 < outcomes.count(False) < 160


def test_latency_is_slept_on_each_call() -> None:
    spi = SimulatedSpi(latency=0.05)
    started = _time.monotonic()
    spi.submit(order(local(2026, 11, 24, 10, 15)))
    assert _time.monotonic() - started >= 0.05
