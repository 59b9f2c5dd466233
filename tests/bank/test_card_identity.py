"""Property: any sequence of purchases, deferrals, payments, closes and payoffs keeps the books.

After every operation: ``revolving + deferred + available = cupo total``; the card's counters
are minus its two accounts' balances (``reconcile_cards`` is empty); every journal entry on
them sums to zero; and the counters are what an independent model of the rules expects
(installment tables by the textbook formulas, interest on what was left unpaid).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from bank.cards import billing, books, deferrals
from bank.cards.errors import (
    AlreadyDeferred,
    CardRefused,
    DeferralClosed,
    InvalidAmount,
    InvalidTerm,
    NotEnoughRevolving,
    OverLimit,
)
from bank.credit.amortization import add_months
from bank.ledger import posting
from bank.ledger import reconcile as ledger_reconcile
from bank.models import Card, CardBooks, DeferralStatus
from tests.bank.card_support import (
    LIMIT,
    RULES,
    Clock,
    Expected,
    Holder,
    books_of,
    buy,
    card_of,
    close,
    defer,
    ecuador,
    even_rows,
    french_rows,
    new_holder,
    pay_directly,
    revolving_interest,
    unbalanced_entries,
)

FIRST_CYCLE_END = date(2026, 1, 25)
CEILING = LIMIT * 6 // 10
"""Purchases stop at 60 % of the limit, so thirty months of interest (≤ 1.3 % a month) never
overdraw it (the counters' identity is exact only while the limit holds)."""
TERMS = (*RULES.deferral_terms, 5)  # 5 months is not offered

purchases_ = st.tuples(st.just("buy"), st.integers(1, 150_000))
big_purchases = st.tuples(st.just("buy"), st.integers(600_000, 1_200_000))
deferrals_ = st.tuples(
    st.just("defer"), st.integers(0, 30), st.integers(1, 110), st.sampled_from(TERMS)
)
payments = st.tuples(
    st.just("pay"), st.sampled_from(["TOTAL", "MINIMO", "PARTE"]), st.integers(1, 99)
)
closes = st.tuples(st.just("close"))
payoffs = st.tuples(st.just("payoff"), st.integers(0, 30))
operations = st.lists(
    st.one_of(
        purchases_, purchases_, big_purchases, deferrals_, deferrals_, payments, closes, payoffs
    ),
    min_size=12,
    max_size=30,
)


@dataclass
class Bought:
    id: int
    cents: int
    cycle: int
    deferred: bool = False


@dataclass
class Deferred:
    id: int
    purchase_id: int
    rows: list[Expected]
    status: DeferralStatus = DeferralStatus.VIGENTE

    @property
    def active(self) -> bool:
        return self.status is DeferralStatus.VIGENTE


@dataclass
class Model:
    """The card as the rules say it should be, updated only by accepted operations."""

    holder: Holder
    clock: Clock
    revolving: int = 0
    deferred: int = 0
    cycle: int = 0
    previous_due: int = 0
    paid_in_cycle: int = 0
    deferred_from_earlier: int = 0
    bought: list[Bought] = field(default_factory=list)
    plans: list[Deferred] = field(default_factory=list)
    at: datetime = field(default_factory=lambda: ecuador(date(2026, 1, 1), 9))

    @property
    def cycle_end(self) -> date:
        return add_months(FIRST_CYCLE_END, self.cycle)

    def tick(self) -> datetime:
        """The next instant inside the current cycle (at most its last minute)."""
        self.at = min(self.at + timedelta(hours=20), ecuador(self.cycle_end, 23, 59))
        return self.at

    def buy(self, s: Session, cents: int) -> None:
        available = LIMIT - self.revolving - self.deferred
        if cents <= available and self.revolving + self.deferred + cents > CEILING:
            return
        try:
            purchase = buy(s, self.holder, cents, self.tick())
        except OverLimit:
            assert cents > available
        else:
            assert cents <= available
            self.revolving += cents
            self.bought.append(Bought(purchase.id, cents, self.cycle))

    def defer(self, s: Session, pick: int, percent: int, months: int) -> None:
        if not self.bought:
            return
        purchase = self.bought[pick % len(self.bought)]
        cents = max(1, purchase.cents * percent // 100)
        expected: type[CardRefused] | None = None
        if purchase.deferred:
            expected = AlreadyDeferred
        elif cents > purchase.cents:
            expected = InvalidAmount
        elif cents > self.revolving:
            expected = NotEnoughRevolving
        elif months not in RULES.deferral_terms:
            expected = InvalidTerm
        try:
            deferral = defer(s, self.holder, purchase.id, cents, months, self.tick())
        except CardRefused as refused:
            assert type(refused) is expected, (refused, expected)
            return
        assert expected is None
        purchase.deferred = True
        self.revolving -= cents
        self.deferred += cents
        if purchase.cycle < self.cycle:  # billed by an earlier statement
            self.deferred_from_earlier += cents
        rows = (
            even_rows(cents, months)
            if months in RULES.interest_free_terms
            else french_rows(cents, months)
        )
        self.plans.append(Deferred(deferral.id, purchase.id, rows))

    def pay(self, s: Session, mode: str, percent: int) -> None:
        if self.revolving == 0:
            return
        card = card_of(s, self.holder)
        if mode == "TOTAL":
            cents = self.revolving
        elif mode == "MINIMO":
            cents = min(card.minimum_payment_cents, self.revolving) or self.revolving
        else:
            cents = max(1, self.revolving * percent // 100)
        pay_directly(s, self.holder, cents, self.tick(), self.clock)
        self.revolving -= cents
        self.paid_in_cycle += cents

    def payoff(self, s: Session, pick: int) -> None:
        if not self.plans:
            return
        plan = self.plans[pick % len(self.plans)]
        card = card_of(s, self.holder)
        try:
            moved = deferrals.pay_off(s, card, plan.id, self.tick())
        except DeferralClosed:
            assert not plan.active
            return
        assert plan.active
        assert moved == sum(row.principal for row in plan.rows)
        self.revolving += moved
        self.deferred -= moved
        plan.status, plan.rows = DeferralStatus.PRECANCELADO, []

    def close(self, s: Session) -> None:
        carried = max(0, self.previous_due - self.paid_in_cycle - self.deferred_from_earlier)
        interest = revolving_interest(carried)
        installments = 0
        for plan in self.plans:
            if plan.active and plan.rows:
                row = plan.rows.pop(0)
                self.deferred -= row.principal
                self.revolving += row.principal + row.interest
                installments += row.principal + row.interest
                if not plan.rows:
                    plan.status = DeferralStatus.CANCELADO
        self.revolving += interest
        statement = close(s, self.holder, self.cycle_end, self.clock)
        assert statement.interest_cents == interest
        assert statement.installments_cents == installments
        assert statement.payments_cents == self.paid_in_cycle
        assert statement.total_due_cents == self.revolving
        assert statement.deferred_balance_cents == self.deferred
        assert 0 <= statement.minimum_payment_cents <= statement.total_due_cents
        revolving_id = books_of(s, self.holder).revolving_account_id
        owed = billing.outstanding(s, statement, revolving_id, RULES, self.clock.now)
        assert owed.total_cents == statement.total_due_cents
        for plan in self.plans:
            stored = deferrals.deferral_of(s, plan.purchase_id)
            assert stored is not None and stored.id == plan.id
            assert stored.status is plan.status
            left = sum(row.principal for row in plan.rows)
            assert left == sum(r.principal_cents for r in deferrals.unbilled(s, plan.id))
        self.previous_due = self.revolving
        self.paid_in_cycle = self.deferred_from_earlier = 0
        self.cycle += 1
        self.at = self.clock.now + timedelta(hours=1)


def check(sessions: sessionmaker[Session], model: Model) -> None:
    with sessions() as s:
        card = s.get(Card, model.holder.card_id)
        assert card is not None
        used = card.revolving_used_cents + card.deferred_used_cents
        assert used + card.available_credit_cents == card.credit_limit_cents == LIMIT
        assert (card.revolving_used_cents, card.deferred_used_cents) == (
            model.revolving,
            model.deferred,
        )
        assert books.reconcile_cards(s) == []
        card_books = s.get(CardBooks, card.id)
        if card_books is not None:
            accounts = (card_books.revolving_account_id, card_books.deferred_account_id)
            assert unbalanced_entries(s, accounts) == []


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock(ecuador(date(2026, 1, 1)))
    monkeypatch.setattr(posting, "utcnow", clock)
    return clock


@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(ops=operations)
def test_any_sequence_of_card_operations_keeps_the_books(sessions, clock, ops):
    with sessions.begin() as s:
        holder = new_holder(s)
    model = Model(holder, clock)
    check(sessions, model)
    for name, *args in ops:
        with sessions.begin() as s:
            getattr(model, name)(s, *args)
        check(sessions, model)
    with sessions() as s:
        assert ledger_reconcile(s) == []
