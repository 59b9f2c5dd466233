"""Diferido de tarjetas: the installment tables, the refusals, the books, early payoff."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bank.cards import books, deferrals
from bank.cards.config import CardSettings
from bank.cards.errors import (
    AlreadyDeferred,
    DeferralClosed,
    DeferralNotFound,
    InvalidAmount,
    InvalidTerm,
    NotEnoughRevolving,
    PurchaseNotFound,
)
from bank.core.rates import RateAboveCeiling, effective_annual_rate
from bank.ledger import posting
from bank.ledger import reconcile as ledger_reconcile
from bank.models import (
    Account,
    CardBooks,
    CardDeferral,
    DeferralInstallment,
    DeferralStatus,
    JournalEntry,
)
from tests.bank.card_support import (
    LIMIT,
    RULES,
    Clock,
    Holder,
    annuity_cents,
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
)

AMOUNT = 123_457
"""$1,234.57: not a multiple of any term, so every table has a residual to place."""
TODAY = date(2026, 1, 10)
FIRST_CLOSE = date(2026, 1, 25)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock(ecuador(TODAY))
    monkeypatch.setattr(posting, "utcnow", clock)
    return clock


@pytest.fixture
def holder(sessions: sessionmaker[Session]) -> Holder:
    with sessions.begin() as session:
        return new_holder(session)


def closes_from(first: date, count: int) -> list[date]:
    """``count`` monthly closes on the 25th from ``first``."""
    out, year, month = [], first.year, first.month
    for _ in range(count):
        out.append(date(year, month, 25))
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


# --- The tables --------------------------------------------------------------------------


def test_the_configured_terms_are_the_issues():
    assert RULES.deferral_terms == (3, 6, 9, 12, 18, 24)
    assert RULES.interest_free_terms == frozenset({3, 6})
    assert RULES.deferral_annual_rate == Decimal("0.15")
    assert RULES.cycle_day == 25


@pytest.mark.parametrize("months", [3, 6])
def test_an_interest_free_term_splits_the_principal_evenly_the_last_row_the_residual(months):
    rate, rows = deferrals.installment_table(AMOUNT, months, RULES, TODAY)
    assert rate == 0
    share = (AMOUNT * 2 + months) // (2 * months)  # AMOUNT / months, half up
    assert [row.principal_cents for row in rows[:-1]] == [share] * (months - 1)
    assert rows[-1].principal_cents == AMOUNT - share * (months - 1)
    assert [(r.principal_cents, r.interest_cents) for r in rows] == [
        (e.principal, e.interest) for e in even_rows(AMOUNT, months)
    ]
    assert all(row.interest_cents == 0 for row in rows)
    assert all(row.installment_cents == row.principal_cents for row in rows)
    assert sum(row.principal_cents for row in rows) == AMOUNT
    assert rows[-1].balance_after_cents == 0
    assert [row.cycle_end for row in rows] == closes_from(FIRST_CLOSE, months)


def test_interest_free_residuals_to_the_cent():
    # 123457 / 3 = 41152.33 → 41152, 41152, 41153; / 6 = 20576.17 → 20576 ×5 and 20577
    _, three = deferrals.installment_table(AMOUNT, 3, RULES, TODAY)
    _, six = deferrals.installment_table(AMOUNT, 6, RULES, TODAY)
    assert [r.principal_cents for r in three] == [41152, 41152, 41153]
    assert [r.principal_cents for r in six] == [20576] * 5 + [20577]
    # a half cent rounds up: 100001 / 6 = 16666.83 → 16667 ×5, the last 16666
    _, halves = deferrals.installment_table(100_001, 6, RULES, TODAY)
    assert [r.principal_cents for r in halves] == [16667] * 5 + [16666]


@pytest.mark.parametrize("months", [9, 12, 18, 24])
@pytest.mark.parametrize("amount", [AMOUNT, 100_000, 987_654])
def test_a_french_term_matches_the_annuity_at_fifteen_percent_to_the_cent(months, amount):
    rate, rows = deferrals.installment_table(amount, months, RULES, TODAY)
    assert rate == Decimal("0.15")
    expected = french_rows(amount, months)
    cuota = annuity_cents(amount, Decimal("0.15") / 12, months)
    assert rows[0].installment_cents == cuota
    assert all(row.installment_cents == cuota for row in rows[:-1])
    # a few rows exactly: the first, the second, the middle and the last
    for index in (0, 1, months // 2, months - 1):
        assert (rows[index].principal_cents, rows[index].interest_cents) == (
            expected[index].principal,
            expected[index].interest,
        )
    assert sum(r.interest_cents for r in rows) == sum(e.interest for e in expected)
    assert [(r.principal_cents, r.interest_cents) for r in rows] == [
        (e.principal, e.interest) for e in expected
    ]
    assert sum(row.principal_cents for row in rows) == amount
    assert rows[-1].balance_after_cents == 0
    assert all(r.installment_cents == r.principal_cents + r.interest_cents for r in rows)
    assert rows[0].interest_cents == (amount * 125 + 5_000) // 10_000  # amount × 1.25 %, half up
    assert [row.cycle_end for row in rows] == closes_from(FIRST_CLOSE, months)


@pytest.mark.parametrize(
    ("amount", "months", "cuota", "total_interest"),
    [
        # $1,000.00 at 15% nominal: the textbook cuotas (any annuity calculator agrees)
        (100_000, 9, 11_817, 6_354),
        (100_000, 12, 9_026, 8_310),
        (100_000, 18, 6_238, 12_295),
        (100_000, 24, 4_849, 16_365),
        (AMOUNT, 12, 11_143, 10_259),
        (AMOUNT, 24, 5_986, 20_210),
    ],
)
def test_french_cuota_and_total_interest_literal_values(amount, months, cuota, total_interest):
    card_plan = deferrals.installment_table(amount, months, RULES, TODAY)[1]
    assert card_plan[0].installment_cents == cuota
    assert sum(row.interest_cents for row in card_plan) == total_interest


@pytest.mark.parametrize(
    ("today", "first"),
    [
        (date(2026, 1, 10), date(2026, 1, 25)),
        (date(2026, 1, 25), date(2026, 1, 25)),  # the close day itself: it closes at day's end
        (date(2026, 1, 26), date(2026, 2, 25)),
        (date(2026, 12, 26), date(2027, 1, 25)),
        (date(2026, 2, 28), date(2026, 3, 25)),
    ],
)
def test_the_first_row_is_billed_by_the_next_close_on_or_after_today(today, first):
    for months in RULES.deferral_terms:
        _, rows = deferrals.installment_table(50_000, months, RULES, today)
        assert rows[0].cycle_end == first
        assert rows[-1].cycle_end == closes_from(first, months)[-1]


def test_a_term_not_offered_is_refused():
    for months in (0, 1, 2, 4, 36):
        with pytest.raises(InvalidTerm) as refused:
            deferrals.installment_table(AMOUNT, months, RULES, TODAY)
        assert refused.value.code == "PLAZO_INVALIDO"


def test_a_rate_above_the_ceiling_is_refused():
    expensive = dataclasses.replace(RULES, deferral_annual_rate=Decimal("0.20"))
    assert effective_annual_rate(Decimal("0.20")) > Decimal("0.1677")
    for months in (9, 12, 18, 24):
        with pytest.raises(RateAboveCeiling) as refused:
            deferrals.installment_table(AMOUNT, months, expensive, TODAY)
        assert refused.value.code == "TASA_SUPERA_TECHO"
        assert "21.94%" in refused.value.message and "16.77%" in refused.value.message
    rate, _ = deferrals.installment_table(AMOUNT, 3, expensive, TODAY)  # interest-free: fine
    assert rate == 0
    # 15.00% nominal is 16.08% effective: under the ceiling
    assert effective_annual_rate(Decimal("0.15")).quantize(Decimal("0.0001")) == Decimal("0.1608")


def test_settings_priced_above_the_ceiling_do_not_load(monkeypatch: pytest.MonkeyPatch):
    # the validator's refusal propagates as itself (pydantic wraps only ValueError)
    monkeypatch.setenv("COOP_CARD_DEFERRAL_ANNUAL_RATE", "0.20")
    with pytest.raises(RateAboveCeiling, match=r"21\.94% supera la tasa máxima de 16\.77%"):
        CardSettings(_env_file=None)
    monkeypatch.setenv("COOP_CARD_DEFERRAL_ANNUAL_RATE", "0.1550")  # 16.65% effective: fine
    assert CardSettings(_env_file=None).rules().deferral_annual_rate == Decimal("0.1550")
    monkeypatch.setenv("COOP_CARD_REVOLVING_ANNUAL_RATE", "0.1600")  # 17.23% effective
    with pytest.raises(RateAboveCeiling, match=r"17\.23% supera"):
        CardSettings(_env_file=None)


# --- Deferring a purchase ----------------------------------------------------------------


def test_deferring_part_of_a_purchase_moves_it_to_the_deferred_balance(sessions, holder, clock):
    with sessions.begin() as session:
        purchase = buy(session, holder, 250_000, ecuador(date(2026, 1, 5)), "ELECTRO ÉXITO")
        buy(session, holder, 10_000, ecuador(date(2026, 1, 6)))
        before = card_of(session, holder).available_credit_cents
        assert before == LIMIT - 260_000
        deferral = defer(session, holder, purchase.id, 120_000, 12, ecuador(TODAY))
        card = card_of(session, holder)
        assert (card.revolving_used_cents, card.deferred_used_cents) == (140_000, 120_000)
        assert card.available_credit_cents == before
        assert deferral.principal_cents == 120_000 and deferral.term_months == 12
        assert deferral.annual_rate == Decimal("0.15")
        assert deferral.status is DeferralStatus.VIGENTE
        assert deferral.installment_cents == annuity_cents(120_000, Decimal("0.0125"), 12)
        rows = session.scalars(
            select(DeferralInstallment)
            .where(DeferralInstallment.deferral_id == deferral.id)
            .order_by(DeferralInstallment.number)
        ).all()
        assert [(r.principal_cents, r.interest_cents) for r in rows] == [
            (e.principal, e.interest) for e in french_rows(120_000, 12)
        ]
        assert all(r.statement_id is None and not r.voided for r in rows)
        card_books = books_of(session, holder)
        assert card.revolving_used_cents == -account_balance(session, card_books, "R")
        assert card.deferred_used_cents == -account_balance(session, card_books, "D")
        assert books.reconcile_cards(session) == []
        assert ledger_reconcile(session) == []
        [(listed, billed, left)] = [
            (d.id, billed, left) for d, _, billed, left in deferrals.deferrals_of(session, card.id)
        ]
        assert (listed, billed, left) == (deferral.id, 0, 120_000)


def account_balance(session: Session, card_books: CardBooks, which: str) -> int:
    account_id = card_books.revolving_account_id if which == "R" else card_books.deferred_account_id
    account = session.get(Account, account_id, populate_existing=True)
    assert account is not None
    return account.balance_cents


def test_the_simulation_is_what_the_deferral_writes(sessions, holder, clock):
    with sessions.begin() as session:
        purchase = buy(session, holder, 90_000, ecuador(date(2026, 1, 5)), "  almacenes   tía ")
        card = card_of(session, holder)
        plan = deferrals.simulate(session, card, purchase.id, 90_000, 6, RULES, TODAY)
        assert plan.merchant == "ALMACENES TÍA"
        assert plan.interest_free and plan.total_interest_cents == 0
        assert plan.effective_rate == 0
        assert plan.installment_cents == 15_000
        twelve = deferrals.simulate(session, card, purchase.id, 90_000, 12, RULES, TODAY)
        assert not twelve.interest_free
        assert twelve.effective_rate.quantize(Decimal("0.0001")) == Decimal("0.1608")
        assert twelve.total_interest_cents == sum(e.interest for e in french_rows(90_000, 12))
        deferral = deferrals.defer(session, card, "journey-1/run-1", twelve, ecuador(TODAY))
        assert deferral.installment_cents == twelve.installment_cents
        written = session.scalars(
            select(DeferralInstallment.principal_cents).where(
                DeferralInstallment.deferral_id == deferral.id
            )
        ).all()
        assert sorted(written) == sorted(row.principal_cents for row in twelve.rows)


def test_a_purchase_is_deferred_once(sessions, holder, clock):
    with sessions.begin() as session:
        purchase = buy(session, holder, 100_000, ecuador(date(2026, 1, 5)))
        first = defer(session, holder, purchase.id, 40_000, 3, ecuador(TODAY))
        with pytest.raises(AlreadyDeferred) as refused:
            defer(session, holder, purchase.id, 30_000, 6, ecuador(TODAY))
        assert refused.value.code == "CONSUMO_YA_DIFERIDO"
        card = card_of(session, holder)
        assert (card.revolving_used_cents, card.deferred_used_cents) == (60_000, 40_000)
        assert deferrals.deferral_of(session, purchase.id) == first


def test_another_journey_deferring_the_same_purchase_meanwhile_is_refused(sessions, holder, clock):
    with sessions.begin() as session:
        purchase = buy(session, holder, 100_000, ecuador(date(2026, 1, 5)))
        card = card_of(session, holder)
        plan = deferrals.simulate(session, card, purchase.id, 100_000, 9, RULES, TODAY)
        deferrals.defer(session, card, "journey-a/run", plan, ecuador(TODAY))
        with pytest.raises(AlreadyDeferred):
            deferrals.defer(session, card, "journey-b/run", plan, ecuador(TODAY))
        assert card.deferred_used_cents == 100_000


@pytest.mark.parametrize("cents", [0, -1, 100_001, 5_000_000])
def test_an_amount_of_zero_or_above_the_purchase_is_refused(sessions, holder, clock, cents):
    with sessions.begin() as session:
        purchase = buy(session, holder, 100_000, ecuador(date(2026, 1, 5)))
        buy(session, holder, 200_000, ecuador(date(2026, 1, 6)))  # enough revolving
        with pytest.raises(InvalidAmount) as refused:
            defer(session, holder, purchase.id, cents, 3, ecuador(TODAY))
        assert refused.value.code == "MONTO_INVALIDO"
        assert session.scalar(select(func.count()).select_from(CardDeferral)) == 0


def test_other_refusals_of_a_simulation(sessions, holder, clock):
    with sessions.begin() as session:
        purchase = buy(session, holder, 100_000, ecuador(date(2026, 1, 5)))
        other = new_holder(session)
        theirs = buy(session, other, 5_000, ecuador(date(2026, 1, 5)))
        with pytest.raises(PurchaseNotFound):
            defer(session, holder, theirs.id, 5_000, 3, ecuador(TODAY))
        with pytest.raises(InvalidTerm):
            defer(session, holder, purchase.id, 50_000, 5, ecuador(TODAY))
        expensive = dataclasses.replace(RULES, deferral_annual_rate=Decimal("0.20"))
        with pytest.raises(RateAboveCeiling):
            defer(session, holder, purchase.id, 50_000, 12, ecuador(TODAY), rules=expensive)
        assert session.scalar(select(func.count()).select_from(CardDeferral)) == 0


def test_more_than_the_revolving_balance_is_refused(sessions, holder, clock):
    with sessions.begin() as session:
        purchase = buy(session, holder, 100_000, ecuador(date(2026, 1, 5)))
        pay_directly(session, holder, 70_000, ecuador(date(2026, 1, 8)), clock)
        with pytest.raises(NotEnoughRevolving):
            defer(session, holder, purchase.id, 30_001, 3, ecuador(TODAY))
        defer(session, holder, purchase.id, 30_000, 3, ecuador(TODAY))
        card = card_of(session, holder)
        assert (card.revolving_used_cents, card.deferred_used_cents) == (0, 30_000)
        assert books.reconcile_cards(session) == []


def test_deferring_twice_with_the_same_key_writes_one_deferral(sessions, holder, clock):
    with sessions.begin() as session:
        purchase = buy(session, holder, 100_000, ecuador(date(2026, 1, 5)))
        card = card_of(session, holder)
        plan = deferrals.simulate(session, card, purchase.id, 80_000, 18, RULES, TODAY)
    entries_before = count(sessions, JournalEntry)
    with sessions.begin() as session:
        card = card_of(session, holder)
        first = deferrals.defer(session, card, "card-deferral-7/run-1", plan, ecuador(TODAY))
        first_id = first.id
    with sessions.begin() as session:  # the activity retried after its commit
        card = card_of(session, holder)
        again = deferrals.defer(session, card, "card-deferral-7/run-1", plan, ecuador(TODAY))
        assert again.id == first_id
    assert count(sessions, CardDeferral) == 1
    assert count(sessions, DeferralInstallment) == 18
    assert count(sessions, JournalEntry) == entries_before + 1
    with sessions() as session:
        card = card_of(session, holder)
        assert (card.revolving_used_cents, card.deferred_used_cents) == (20_000, 80_000)
        assert books.reconcile_cards(session) == []


def count(sessions: sessionmaker[Session], model: type) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(model)) or 0)


# --- Paying off early --------------------------------------------------------------------


def test_paying_off_after_one_installment_ends_the_table(sessions, holder, clock):
    amount = 240_000
    expected = french_rows(amount, 12)
    with sessions.begin() as session:
        purchase = buy(session, holder, amount, ecuador(date(2026, 1, 5)))
        deferral = defer(session, holder, purchase.id, amount, 12, ecuador(TODAY))
        deferral_id = deferral.id
    with sessions.begin() as session:
        first = close(session, holder, date(2026, 1, 25), clock)
        assert first.installments_cents == expected[0].principal + expected[0].interest
        assert first.installment_interest_cents == expected[0].interest == 3_000
    left = amount - expected[0].principal
    with sessions.begin() as session:
        card = card_of(session, holder)
        revolving_before = card.revolving_used_cents
        available_before = card.available_credit_cents
        assert card.deferred_used_cents == left
        moved = deferrals.pay_off(session, card, deferral_id, ecuador(date(2026, 2, 3)))
        assert moved == left
        assert card.deferred_used_cents == 0
        assert card.revolving_used_cents == revolving_before + left
        assert card.available_credit_cents == available_before
        deferral = session.get(CardDeferral, deferral_id)
        assert deferral is not None and deferral.status is DeferralStatus.PRECANCELADO
        assert deferral.closed_at == ecuador(date(2026, 2, 3))
        rows = session.scalars(
            select(DeferralInstallment)
            .where(DeferralInstallment.deferral_id == deferral_id)
            .order_by(DeferralInstallment.number)
        ).all()
        assert rows[0].statement_id == first.id and not rows[0].voided
        assert all(r.voided and r.statement_id is None for r in rows[1:])
        assert deferrals.unbilled(session, deferral_id) == []
    for cycle_end in (date(2026, 2, 25), date(2026, 3, 25)):
        with sessions.begin() as session:
            statement = close(session, holder, cycle_end, clock)
            assert statement.installments_cents == 0
            assert statement.installment_interest_cents == 0
            assert statement.deferred_balance_cents == 0
    with sessions.begin() as session:
        card = card_of(session, holder)
        with pytest.raises(DeferralClosed) as refused:
            deferrals.pay_off(session, card, deferral_id, ecuador(date(2026, 4, 1)))
        assert refused.value.code == "DIFERIDO_NO_VIGENTE"
        billed = session.scalar(
            select(func.count())
            .select_from(DeferralInstallment)
            .where(
                DeferralInstallment.deferral_id == deferral_id,
                DeferralInstallment.statement_id.is_not(None),
            )
        )
        assert billed == 1
        assert books.reconcile_cards(session) == []
        assert ledger_reconcile(session) == []


def test_paying_off_before_any_installment_returns_the_whole_principal(sessions, holder, clock):
    with sessions.begin() as session:
        purchase = buy(session, holder, 60_000, ecuador(date(2026, 1, 5)))
        deferral = defer(session, holder, purchase.id, 60_000, 3, ecuador(TODAY))
        card = card_of(session, holder)
        assert deferrals.pay_off(session, card, deferral.id, ecuador(TODAY)) == 60_000
        assert (card.revolving_used_cents, card.deferred_used_cents) == (60_000, 0)
        with pytest.raises(DeferralClosed):
            deferrals.pay_off(session, card, deferral.id, ecuador(TODAY))
        with pytest.raises(AlreadyDeferred):  # once, ever: a paid-off purchase stays deferred
            defer(session, holder, purchase.id, 60_000, 3, ecuador(TODAY))


def test_a_deferral_fully_billed_cannot_be_paid_off(sessions, holder, clock):
    with sessions.begin() as session:
        purchase = buy(session, holder, 30_000, ecuador(date(2026, 1, 5)))
        deferral_id = defer(session, holder, purchase.id, 30_000, 3, ecuador(TODAY)).id
    for cycle_end in (date(2026, 1, 25), date(2026, 2, 25), date(2026, 3, 25)):
        with sessions.begin() as session:
            close(session, holder, cycle_end, clock)
    with sessions.begin() as session:
        card = card_of(session, holder)
        deferral = session.get(CardDeferral, deferral_id)
        assert deferral is not None and deferral.status is DeferralStatus.CANCELADO
        with pytest.raises(DeferralClosed):
            deferrals.pay_off(session, card, deferral_id, ecuador(date(2026, 3, 28)))


def test_another_cards_deferral_is_not_found(sessions, holder, clock):
    with sessions.begin() as session:
        other = new_holder(session)
        purchase = buy(session, other, 30_000, ecuador(date(2026, 1, 5)))
        theirs = defer(session, other, purchase.id, 30_000, 3, ecuador(TODAY))
        with pytest.raises(DeferralNotFound):
            deferrals.pay_off(session, card_of(session, holder), theirs.id, ecuador(TODAY))
        with pytest.raises(DeferralNotFound):
            deferrals.pay_off(session, card_of(session, holder), 999_999, ecuador(TODAY))
