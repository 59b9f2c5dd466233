"""The biller network simulator: lookups by magic suffix, stored bills, payments, races."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, date, datetime
from functools import partial
from typing import TypeVar

import pytest
from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session, sessionmaker

from bank.adapters.biller_types import (
    BillerNetwork,
    BillerPayment,
    BillerUnavailable,
    BillLookup,
    LookupState,
    PaymentState,
)
from bank.adapters.billers import SimulatedBillers, simulated_receipt_number
from bank.models import SimulatedBill

T = TypeVar("T")
NOV = datetime(2026, 11, 25, 15, 0, tzinfo=UTC)
REF = "1234567"  # EEQ supply number: one bill a month
REF2 = "7654322"  # ends in 2: owes last month's bill too


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock(NOV)


@pytest.fixture
def billers(sessions: sessionmaker[Session], clock: Clock) -> SimulatedBillers:
    return SimulatedBillers(sessions, clock=clock)


def found(billers: SimulatedBillers, reference: str = REF, company: str = "EEQ") -> BillLookup:
    answer = billers.lookup(company, reference)
    assert answer.state is LookupState.FOUND, answer
    return answer


def payment(answer: BillLookup, key: str = "wf-1", amount: int | None = None) -> BillerPayment:
    total = sum(r.amount_cents for r in answer.receipts)
    return BillerPayment(
        payment_reference=key,
        company_code=answer.company_code,
        reference=answer.reference,
        receipts=tuple(r.number for r in answer.receipts),
        amount_cents=total if amount is None else amount,
    )


def test_catalogue(billers: SimulatedBillers) -> None:
    network: BillerNetwork = billers  # mypy checks the simulator honours the contract
    assert network.company("EEQ") == billers.company("EEQ")
    assert "AGUA" in {c.code for c in billers.categories()}
    water = billers.companies("AGUA")
    assert water and all(c.category == "AGUA" for c in water)
    assert len(billers.companies()) > len(water)
    company = billers.company("EEQ")
    assert company is not None and company.category == "LUZ"
    assert billers.company("NOPE") is None


@pytest.mark.parametrize(
    ("company", "reference"),
    [
        ("NOPE", REF),  # unknown company
        ("EEQ", "12345"),  # too short for the pattern
        ("EEQ", "12345AB"),  # not digits
        ("CLARO", "0212345678"),  # a landline is not a Claro mobile number
        ("EEQ", "1234000"),  # magic suffix 000
    ],
)
def test_unknown_references(billers: SimulatedBillers, company: str, reference: str) -> None:
    answer = billers.lookup(company, reference)
    assert answer.state is LookupState.UNKNOWN_REFERENCE
    assert answer.receipts == () and answer.holder_name is None


def test_suffix_999_has_no_pending_bill(billers: SimulatedBillers) -> None:
    answer = billers.lookup("EEQ", "1234999")
    assert answer.state is LookupState.NO_PENDING_BILL
    assert answer.holder_name and answer.receipts == ()


def test_current_bill_is_deterministic(
    billers: SimulatedBillers, sessions: sessionmaker[Session], clock: Clock
) -> None:
    first = found(billers)
    (receipt,) = first.receipts
    assert receipt.period == "2026-11"
    assert receipt.due_on == date(2026, 11, 20)
    assert 500 <= receipt.amount_cents <= 8000
    assert len(receipt.number) == 9 and receipt.number.isdigit()
    assert first.holder_name
    assert found(billers) == first
    assert found(SimulatedBillers(sessions, clock=clock)) == first  # another process
    with sessions.begin() as session:  # forget it: it is derived again, identically
        session.execute(delete(SimulatedBill))
    assert found(billers) == first
    refs = ("1234561", "1234563", "1234564", "1234565")
    assert len({found(billers, ref).receipts[0].amount_cents for ref in refs}) > 1


def test_period_is_the_month_in_ecuador(billers: SimulatedBillers, clock: Clock) -> None:
    clock.now = datetime(2026, 12, 1, 3, 0, tzinfo=UTC)  # 22:00 on 30 November in Quito
    assert found(billers).receipts[0].period == "2026-11"


def test_reference_ending_in_2_owes_two_months(billers: SimulatedBillers, clock: Clock) -> None:
    answer = found(billers, REF2)
    assert [r.period for r in answer.receipts] == ["2026-10", "2026-11"]
    assert answer.receipts[0].number != answer.receipts[1].number
    clock.now = datetime(2027, 1, 10, 12, 0, tzinfo=UTC)
    assert [r.period for r in found(billers, REF2).receipts] == ["2026-12", "2027-01"]


def test_pay_then_lookup_has_no_pending_bill(billers: SimulatedBillers, clock: Clock) -> None:
    answer = found(billers)
    clock.now = datetime(2026, 11, 26, 14, 0, tzinfo=UTC)
    assert billers.pay(payment(answer)).state is PaymentState.ACCEPTED
    again = billers.lookup("EEQ", REF)
    assert again.state is LookupState.NO_PENDING_BILL and again.holder_name
    bill = billers.receipt_status("EEQ", answer.receipts[0].number)
    assert bill is not None
    assert (bill.paid_reference, bill.paid_at) == ("wf-1", clock.now)


def test_paying_the_older_receipt_leaves_the_current(billers: SimulatedBillers) -> None:
    answer = found(billers, REF2)
    older = BillLookup(answer.state, "EEQ", REF2, answer.holder_name, answer.receipts[:1])
    assert billers.pay(payment(older)).state is PaymentState.ACCEPTED
    assert found(billers, REF2).receipts == answer.receipts[1:]
    assert billers.pay(payment(answer, "wf-2")).reason == "RECIBO_YA_PAGADO"


def test_pay_is_idempotent_by_payment_reference(billers: SimulatedBillers) -> None:
    answer = found(billers, REF2)
    assert billers.pay(payment(answer)).state is PaymentState.ACCEPTED
    assert billers.pay(payment(answer)).state is PaymentState.ACCEPTED  # replay
    other = billers.pay(payment(answer, "wf-other"))
    assert (other.state, other.reason) == (PaymentState.REJECTED, "RECIBO_YA_PAGADO")
    for receipt in answer.receipts:
        bill = billers.receipt_status("EEQ", receipt.number)
        assert bill is not None and bill.paid_reference == "wf-1"


def test_amount_must_match_the_receipts(billers: SimulatedBillers) -> None:
    answer = found(billers, REF2)
    total = sum(r.amount_cents for r in answer.receipts)
    for wrong in (total - 1, total + 1, answer.receipts[0].amount_cents):
        ack = billers.pay(payment(answer, amount=wrong))
        assert (ack.state, ack.reason) == (PaymentState.REJECTED, "MONTO_DISTINTO")
    assert found(billers, REF2) == answer  # still unpaid


def test_unknown_receipts_are_rejected(billers: SimulatedBillers) -> None:
    answer = found(billers)
    number = answer.receipts[0].number
    amount = answer.receipts[0].amount_cents
    cases = [
        BillerPayment("wf-1", "EEQ", REF, ("000000001",), amount),
        BillerPayment("wf-1", "EEQ", "7777777", (number,), amount),  # another supply
        BillerPayment("wf-1", "CNEL", REF, (number,), amount),  # another company
        BillerPayment("wf-1", "EEQ", REF, (), 0),
    ]
    for case in cases:
        ack = billers.pay(case)
        assert (ack.state, ack.reason) == (PaymentState.REJECTED, "RECIBO_INEXISTENTE")
    twice = billers.pay(BillerPayment("wf-1", "EEQ", REF, (number, number), 2 * amount))
    assert twice.reason == "RECIBO_DUPLICADO"
    assert found(billers) == answer


def run_together(*calls: Callable[[], T]) -> list[T]:
    """Run the calls in threads released at the same instant; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[T | None] = [None] * len(calls)

    def run(i: int) -> None:
        barrier.wait()
        results[i] = calls[i]()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(len(calls))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert all(r is not None for r in results)
    return [r for r in results if r is not None]


def test_concurrent_payments_of_one_receipt_only_one_succeeds(
    billers: SimulatedBillers,
) -> None:
    for i in range(5):
        answer = found(billers, f"55500{i}1")
        acks = run_together(
            partial(billers.pay, payment(answer, f"wf-a{i}")),
            partial(billers.pay, payment(answer, f"wf-b{i}")),
        )
        assert sorted(a.state for a in acks) == [PaymentState.ACCEPTED, PaymentState.REJECTED]
        assert {a.reason for a in acks} == {None, "RECIBO_YA_PAGADO"}


def test_concurrent_first_lookups_create_one_bill(
    billers: SimulatedBillers, sessions: sessionmaker[Session]
) -> None:
    answers = run_together(*[lambda: billers.lookup("EEQ", REF2)] * 4)
    assert len(set(answers)) == 1 and answers[0].state is LookupState.FOUND
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(SimulatedBill)) == 2


def test_receipt_number_collision_is_resolved(
    billers: SimulatedBillers, sessions: sessionmaker[Session]
) -> None:
    taken = simulated_receipt_number("EEQ", REF, "2026-11", 0)
    with sessions.begin() as session:
        session.add(
            SimulatedBill(
                company_code="EEQ",
                supply_number="9999991",
                receipt_number=taken,
                period="2026-11",
                amount_cents=1000,
                due_on=date(2026, 11, 20),
            )
        )
    (receipt,) = found(billers).receipts
    assert receipt.number == simulated_receipt_number("EEQ", REF, "2026-11", 1)
    assert found(billers).receipts == (receipt,)


def test_issue_bill_controls_the_amount(billers: SimulatedBillers) -> None:
    issued = billers.issue_bill("EEQ", REF, 4_250)
    assert (issued.amount_cents, issued.period) == (4_250, "2026-11")
    assert found(billers).receipts == (issued,)
    reissued = billers.issue_bill("EEQ", REF, 1_999)
    assert reissued.number == issued.number
    assert found(billers).receipts[0].amount_cents == 1_999
    older = billers.issue_bill("EEQ", REF2, 12_000, period="2026-10")
    answer = found(billers, REF2)
    assert answer.receipts[0] == older
    assert billers.pay(payment(answer)).state is PaymentState.ACCEPTED
    with pytest.raises(ValueError):
        billers.issue_bill("EEQ", REF2, 500, period="2026-10")  # already paid


@pytest.mark.parametrize(
    ("company", "reference", "amount", "period"),
    [
        ("NOPE", REF, 100, None),
        ("EEQ", "12AB", 100, None),
        ("EEQ", REF, 0, None),
        ("EEQ", REF, 100, "2026-13"),
    ],
)
def test_issue_bill_refuses_nonsense(
    billers: SimulatedBillers, company: str, reference: str, amount: int, period: str | None
) -> None:
    with pytest.raises(ValueError):
        billers.issue_bill(company, reference, amount, period)


def test_a_new_month_brings_a_new_bill(billers: SimulatedBillers, clock: Clock) -> None:
    november = found(billers)
    assert billers.pay(payment(november)).state is PaymentState.ACCEPTED
    clock.now = datetime(2026, 12, 2, 15, 0, tzinfo=UTC)
    (december,) = found(billers).receipts
    assert december.period == "2026-12" and december.due_on == date(2026, 12, 20)
    assert december.number != november.receipts[0].number


def test_failure_rate_one_makes_the_network_unavailable(
    sessions: sessionmaker[Session], clock: Clock
) -> None:
    down = SimulatedBillers(sessions, clock=clock, failure_rate=1.0)
    with pytest.raises(BillerUnavailable):
        down.lookup("EEQ", REF)
    with pytest.raises(BillerUnavailable):
        down.pay(BillerPayment("wf-1", "EEQ", REF, ("000000001",), 100))
    assert down.categories()  # the catalogue is local
