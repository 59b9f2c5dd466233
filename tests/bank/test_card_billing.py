"""The monthly close of a credit card: installments, interest, the statement, payments."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bank.cards import billing, books, deferrals
from bank.core import migrate
from bank.core.db import make_engine, session_factory
from bank.ledger import posting
from bank.ledger import reconcile as ledger_reconcile
from bank.models import (
    Account,
    Card,
    CardDeferral,
    CardStatement,
    CardStatus,
    DeferralInstallment,
    DeferralStatus,
    JournalEntry,
    MoneyMovement,
    OutboundMessage,
    Posting,
)
from bank.payments.orders import MovementKind
from tests.bank.card_support import (
    RULES,
    SAVINGS,
    Clock,
    Holder,
    books_of,
    buy,
    card_of,
    close,
    defer,
    ecuador,
    french_rows,
    new_holder,
    pay,
    pay_directly,
    revolving_interest,
    the_morning_after,
)

C1, C2, C3, C4 = date(2026, 1, 25), date(2026, 2, 25), date(2026, 3, 25), date(2026, 4, 25)


@pytest.fixture
def clock(monkeypatch: pytest.MonkeyPatch) -> Clock:
    clock = Clock(ecuador(date(2026, 1, 1)))
    monkeypatch.setattr(posting, "utcnow", clock)
    return clock


@pytest.fixture
def holder(sessions: sessionmaker[Session]) -> Holder:
    with sessions.begin() as session:
        return new_holder(session)


def minimum(total: int, charges: int) -> int:
    """The documented rule, by hand: charges + min(principal, max($10, 10% × principal))."""
    principal = max(0, total - charges)
    share = max(1_000, (principal + 5) // 10)  # 10 %, half up
    return min(total, charges + min(principal, share))


def rows_billed_by(session: Session, statement_id: int) -> list[tuple[int, int]]:
    """(deferral id, row number) of the installments a statement billed."""
    return sorted(
        session.execute(
            select(DeferralInstallment.deferral_id, DeferralInstallment.number).where(
                DeferralInstallment.statement_id == statement_id
            )
        ).tuples()
    )


def entries(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return int(session.scalar(select(func.count()).select_from(JournalEntry)) or 0)


def statement_emails(session: Session) -> list[OutboundMessage]:
    return list(
        session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.template == "card_statement_ready")
            .order_by(OutboundMessage.id)
        )
    )


# --- The minimum payment -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("total", "charges", "expected"),
    [
        (0, 0, 0),
        (500, 0, 500),  # less than the floor: never more than is owed
        (5_000, 0, 1_000),  # the $10.00 floor
        (35_025, 0, 3_503),  # 10 % of $350.25 = $35.025, half up
        (200_000, 0, 20_000),
        (200_000, 45_000, 45_000 + 15_500),  # charges + 10 % of the rest
        (45_500, 45_000, 45_500),  # the rest is below the floor: all of it
        (45_000, 45_000, 45_000),  # only charges
    ],
)
def test_the_minimum_payment_rule(total, charges, expected):
    assert billing.minimum_payment(total, charges, RULES) == expected
    assert minimum(total, charges) == expected


@pytest.mark.parametrize(
    ("day", "cycle_end"),
    [
        (date(2026, 1, 25), date(2026, 1, 25)),
        (date(2026, 1, 26), date(2026, 1, 25)),
        (date(2026, 2, 24), date(2026, 1, 25)),
        (date(2026, 1, 3), date(2025, 12, 25)),
    ],
)
def test_the_cycle_a_day_belongs_to(day, cycle_end):
    assert billing.cycle_end_on(day, RULES.cycle_day) == cycle_end


# --- Four closes -------------------------------------------------------------------------


A, B, C, D, E = 120_000, 240_000, 35_025, 8_000, 4_567
"""Purchases: A deferred to 3 months, B to 12 months (15 %), C, D and E revolving."""
PARTIAL = 30_000
"""Paid on 2026-03-05 of the second statement (the rest is carried)."""


def run_cycles_one_and_two(
    sessions: sessionmaker[Session], holder: Holder, clock: Clock
) -> tuple[int, int, int, int]:
    """Cycle 1 (to Jan 25): three purchases, A and B deferred. Cycle 2: paid in full, D."""
    with sessions.begin() as session:
        a = buy(session, holder, A, ecuador(date(2026, 1, 5)), "ELECTRO ÉXITO")
        b = buy(session, holder, B, ecuador(date(2026, 1, 6)), "COMPUTRON")
        buy(session, holder, C, ecuador(date(2026, 1, 8)), "SUPERMAXI")
        three = defer(session, holder, a.id, A, 3, ecuador(date(2026, 1, 10)))
        twelve = defer(session, holder, b.id, B, 12, ecuador(date(2026, 1, 12)))
        three_id, twelve_id = three.id, twelve.id
    with sessions.begin() as session:
        first = close(session, holder, C1, clock)
        first_id, first_total = first.id, first.total_due_cents
    with sessions.begin() as session:
        pay(session, holder, first_total, ecuador(date(2026, 2, 10), 9), clock)
        buy(session, holder, D, ecuador(date(2026, 2, 12)), "FARMACIAS CRUZ AZUL")
    with sessions.begin() as session:
        second_id = close(session, holder, C2, clock).id
    return three_id, twelve_id, first_id, second_id


def test_four_closes_bill_one_installment_of_each_deferral(sessions, holder, clock):
    twelve = french_rows(B, 12)
    three_id, twelve_id, first_id, second_id = run_cycles_one_and_two(sessions, holder, clock)

    # --- close 1: first statement, no previous balance, no interest ------------------------
    with sessions() as session:
        s1 = session.get(CardStatement, first_id)
        assert s1 is not None
        installments1 = 40_000 + twelve[0].principal + twelve[0].interest
        total1 = C + installments1
        assert (s1.period_start, s1.cycle_end) == (date(2025, 12, 26), C1)
        assert s1.due_date == date(2026, 2, 14) == C1 + timedelta(days=20)
        assert s1.previous_balance_cents == 0
        assert s1.purchases_cents == A + B + C
        assert s1.payments_cents == 0
        assert s1.interest_cents == 0
        assert s1.installment_interest_cents == twelve[0].interest == 3_000
        assert s1.installments_cents == installments1
        assert s1.total_due_cents == total1
        assert s1.deferred_balance_cents == 80_000 + B - twelve[0].principal
        assert s1.minimum_payment_cents == minimum(total1, installments1)
        assert s1.minimum_payment_cents == installments1 + 3_503  # 10 % of $350.25, half up
        assert rows_billed_by(session, first_id) == [(three_id, 1), (twelve_id, 1)]

    # --- close 2: the first statement was paid in full: no interest --------------------------
    with sessions() as session:
        s2 = session.get(CardStatement, second_id)
        assert s2 is not None
        installments2 = 40_000 + twelve[1].principal + twelve[1].interest
        total2 = D + installments2
        assert (s2.period_start, s2.due_date) == (date(2026, 1, 26), date(2026, 3, 17))
        assert s2.previous_balance_cents == total1
        assert s2.payments_cents == total1
        assert s2.purchases_cents == D
        assert s2.interest_cents == 0
        assert s2.installments_cents == installments2
        assert s2.installment_interest_cents == twelve[1].interest
        assert s2.total_due_cents == total2
        assert s2.minimum_payment_cents == minimum(total2, installments2) == installments2 + 1_000
        assert s2.deferred_balance_cents == 40_000 + B - twelve[0].principal - twelve[1].principal
        assert rows_billed_by(session, second_id) == [(three_id, 2), (twelve_id, 2)]

    # --- cycle 3: part of the second statement paid; close 3 charges the rest's interest -----
    with sessions.begin() as session:
        pay(session, holder, PARTIAL, ecuador(date(2026, 3, 5), 17), clock)
        buy(session, holder, E, ecuador(date(2026, 3, 10)), "KFC")
    with sessions.begin() as session:
        s3 = close(session, holder, C3, clock)
        carried3 = total2 - PARTIAL
        interest3 = revolving_interest(carried3)
        installments3 = 40_000 + twelve[2].principal + twelve[2].interest
        total3 = carried3 + E + interest3 + installments3
        assert s3.previous_balance_cents == total2
        assert s3.payments_cents == PARTIAL
        assert s3.purchases_cents == E
        assert s3.interest_cents == interest3 > 0
        assert s3.installments_cents == installments3
        assert s3.total_due_cents == total3
        assert s3.minimum_payment_cents == minimum(total3, interest3 + installments3)
        assert s3.due_date == date(2026, 4, 14)
        assert s3.deferred_balance_cents == B - sum(row.principal for row in twelve[:3])
        assert rows_billed_by(session, s3.id) == [(three_id, 3), (twelve_id, 3)]
        three = session.get(CardDeferral, three_id)
        assert three is not None and three.status is DeferralStatus.CANCELADO
        assert three.closed_at == the_morning_after(C3)
        third_id = s3.id

    # --- cycle 4: a payment of interest, installments and $10 of the carried balance -------
    paid4 = interest3 + installments3 + 1_000
    with sessions.begin() as session:
        pay(session, holder, paid4, ecuador(date(2026, 4, 2), 10), clock)
    with sessions.begin() as session:
        s4 = close(session, holder, C4, clock)
        carried4 = total3 - paid4
        interest4 = revolving_interest(carried4)
        installments4 = twelve[3].principal + twelve[3].interest  # the 3-month one is done
        total4 = carried4 + interest4 + installments4
        assert s4.payments_cents == paid4
        assert s4.purchases_cents == 0
        assert s4.interest_cents == interest4
        assert s4.installments_cents == installments4
        assert s4.total_due_cents == total4
        assert s4.minimum_payment_cents == minimum(total4, interest4 + installments4)
        assert rows_billed_by(session, s4.id) == [(twelve_id, 4)]
        assert s4.deferred_balance_cents == B - sum(row.principal for row in twelve[:4])
        card = card_of(session, holder)
        assert card.revolving_used_cents == total4
        assert card.deferred_used_cents == s4.deferred_balance_cents
        assert card.minimum_payment_cents == s4.minimum_payment_cents
        assert card.payment_due_date == date(2026, 5, 15)
        twelve_deferral = session.get(CardDeferral, twelve_id)
        assert twelve_deferral is not None
        assert twelve_deferral.status is DeferralStatus.VIGENTE
        assert len(deferrals.unbilled(session, twelve_id)) == 8

        # the ledger: what the member paid left the savings account, income got the interest
        savings = session.get(Account, holder.savings_id)
        assert savings is not None
        assert savings.balance_cents == SAVINGS - total1 - PARTIAL - paid4
        movements = session.scalars(select(MoneyMovement.kind)).all()
        assert movements == [MovementKind.COOP_CARD_PAYMENT] * 3
        assert books.reconcile_cards(session) == []
        assert ledger_reconcile(session) == []
        emails = statement_emails(session)
        assert [m.idempotency_key for m in emails] == [
            f"card-statement:{statement_id}"
            for statement_id in (first_id, second_id, third_id, s4.id)
        ]


def test_each_close_posts_one_entry_moving_principal_and_charging_interest(sessions, holder, clock):
    twelve = french_rows(B, 12)
    *_, first_id, _ = run_cycles_one_and_two(sessions, holder, clock)
    with sessions() as session:
        card_books = books_of(session, holder)
        rows = session.execute(
            select(Posting.account_id, Posting.code, Posting.amount_cents, Posting.value_date)
            .join(JournalEntry, JournalEntry.id == Posting.entry_id)
            .where(JournalEntry.idempotency_key == f"card-close:{holder.card_id}:2026-01-25")
            .order_by(Posting.id)
        ).all()
        revolving, deferred = card_books.revolving_account_id, card_books.deferred_account_id
        billed = 40_000 + twelve[0].principal
        by_account: dict[tuple[int, int], int] = {}
        for account_id, code, amount, value_date in rows:
            assert value_date == C1
            by_account[(account_id, code)] = by_account.get((account_id, code), 0) + amount
        assert by_account[(deferred, 502)] == billed  # CUOTA DE DIFERIDO
        assert by_account[(revolving, 502)] == -billed
        assert by_account[(revolving, 503)] == -3_000  # INTERES CUOTA DE DIFERIDO
        assert sum(amount for _, _, amount, _ in rows) == 0
        assert (revolving, 504) not in by_account  # no revolving interest on a first statement
        statement = session.get(CardStatement, first_id)
        assert statement is not None and statement.installment_interest_cents == 3_000


def test_closing_the_same_cycle_twice_writes_nothing_more(sessions, holder, clock):
    with sessions.begin() as session:
        purchase = buy(session, holder, 90_000, ecuador(date(2026, 1, 5)))
        defer(session, holder, purchase.id, 90_000, 9, ecuador(date(2026, 1, 6)))
        buy(session, holder, 12_345, ecuador(date(2026, 1, 7)))
    with sessions.begin() as session:
        first = close(session, holder, C1, clock)
        first_id, first_total = first.id, first.total_due_cents
    before = entries(sessions)
    with sessions.begin() as session:
        card = card_of(session, holder)
        used = (card.revolving_used_cents, card.deferred_used_cents)
        again = billing.close_statement(
            session, holder.card_id, C1, RULES, the_morning_after(C1) + timedelta(hours=3)
        )
        assert again.id == first_id and again.total_due_cents == first_total
        assert (card.revolving_used_cents, card.deferred_used_cents) == used
    assert entries(sessions) == before
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(CardStatement)) == 1
        emails = statement_emails(session)
        assert len(emails) == 1
        assert emails[0].idempotency_key == f"card-statement:{first_id}"
        billed = session.scalar(
            select(func.count())
            .select_from(DeferralInstallment)
            .where(DeferralInstallment.statement_id.is_not(None))
        )
        assert billed == 1
        assert billing.cards_to_close(session, C1, 0, 100) == []
        assert billing.cards_to_close(session, C2, 0, 100) == [holder.card_id]


def test_the_email_tells_the_total_and_the_minimum(sessions, holder, clock):
    with sessions.begin() as session:
        buy(session, holder, 52_010, ecuador(date(2026, 1, 5)))
        statement = close(session, holder, C1, clock)
        [email] = statement_emails(session)
        assert statement.total_due_cents == 52_010
        assert statement.minimum_payment_cents == 5_201
        assert "520.10" in email.body_text and "52.01" in email.body_text


# --- A payment during the cycle, applied in the configured order -------------------------


@dataclass(frozen=True)
class ThirdStatement:
    statement_id: int
    interest: int
    installments_principal: int
    carried: int
    consumos: int
    minimum: int


def third_statement(
    sessions: sessionmaker[Session], holder: Holder, clock: Clock
) -> ThirdStatement:
    """A statement with all four parts: interest, installments, a carried balance, purchases."""
    run_cycles_one_and_two(sessions, holder, clock)
    twelve = french_rows(B, 12)
    with sessions() as session:
        total2 = session.scalars(
            select(CardStatement.total_due_cents).where(CardStatement.cycle_end == C2)
        ).one()
    with sessions.begin() as session:
        pay(session, holder, PARTIAL, ecuador(date(2026, 3, 5), 17), clock)
        buy(session, holder, E, ecuador(date(2026, 3, 10)), "KFC")
    with sessions.begin() as session:
        s3 = close(session, holder, C3, clock)
        carried = total2 - PARTIAL
        interest = revolving_interest(carried) + twelve[2].interest
        principal = 40_000 + twelve[2].principal
        assert s3.total_due_cents == interest + principal + carried + E
        return ThirdStatement(s3.id, interest, principal, carried, E, s3.minimum_payment_cents)


@pytest.mark.parametrize("extra", [0, 1, 2_500])
def test_a_payment_settles_interest_then_installments_then_the_carried_balance(
    sessions, holder, clock, extra
):
    third = third_statement(sessions, holder, clock)
    paid = third.interest + third.installments_principal + extra
    with sessions.begin() as session:
        pay(session, holder, paid, ecuador(date(2026, 4, 2), 10), clock)
    with sessions() as session:
        statement = session.get(CardStatement, third.statement_id)
        assert statement is not None
        revolving = books_of(session, holder).revolving_account_id
        left = billing.outstanding(session, statement, revolving, RULES, ecuador(date(2026, 4, 3)))
        assert left.parts == (
            ("INTERESES", 0),
            ("CUOTAS", 0),
            ("SALDO_ANTERIOR", third.carried - extra),
            ("CONSUMOS", third.consumos),
        )
        assert left.total_cents == statement.total_due_cents - paid
        assert left.minimum_left_cents == max(0, third.minimum - paid)


def test_a_small_payment_goes_to_interest_first(sessions, holder, clock):
    third = third_statement(sessions, holder, clock)
    with sessions.begin() as session:
        pay(session, holder, third.interest - 1, ecuador(date(2026, 3, 30)), clock)
        pay(session, holder, 500, ecuador(date(2026, 4, 1)), clock)
    with sessions() as session:
        statement = session.get(CardStatement, third.statement_id)
        assert statement is not None
        revolving = books_of(session, holder).revolving_account_id
        left = billing.outstanding(session, statement, revolving, RULES, ecuador(date(2026, 4, 2)))
        assert left.parts == (
            ("INTERESES", 0),
            ("CUOTAS", third.installments_principal - 499),
            ("SALDO_ANTERIOR", third.carried),
            ("CONSUMOS", third.consumos),
        )
        # before the payments (``now`` the close itself), everything is owed
        at_close = billing.outstanding(session, statement, revolving, RULES, the_morning_after(C3))
        assert at_close.total_cents == statement.total_due_cents
        assert at_close.minimum_left_cents == statement.minimum_payment_cents
        # a payment after ``now`` does not count yet
        march_31 = ecuador(date(2026, 3, 31))
        early = billing.outstanding(session, statement, revolving, RULES, march_31)
        assert dict(early.parts)["INTERESES"] == 1


def test_a_configured_order_other_than_the_default(sessions, holder, clock):
    third = third_statement(sessions, holder, clock)
    paid = third.consumos + third.carried + 700
    with sessions.begin() as session:
        pay(session, holder, paid, ecuador(date(2026, 4, 2), 10), clock)
    reversed_order = dataclasses.replace(
        RULES, payment_order=("CONSUMOS", "SALDO_ANTERIOR", "CUOTAS", "INTERESES")
    )
    with sessions() as session:
        statement = session.get(CardStatement, third.statement_id)
        assert statement is not None
        revolving = books_of(session, holder).revolving_account_id
        now = ecuador(date(2026, 4, 3))
        left = billing.outstanding(session, statement, revolving, reversed_order, now)
        assert left.parts == (
            ("CONSUMOS", 0),
            ("SALDO_ANTERIOR", 0),
            ("CUOTAS", third.installments_principal - 700),
            ("INTERESES", third.interest),
        )


def test_a_payment_posted_directly_on_the_revolving_account_counts_the_same(
    sessions, holder, clock
):
    with sessions.begin() as session:
        buy(session, holder, 100_000, ecuador(date(2026, 1, 5)))
        close(session, holder, C1, clock)
    with sessions.begin() as session:
        pay_directly(session, holder, 60_000, ecuador(date(2026, 2, 1)), clock)
        second = close(session, holder, C2, clock)
        assert second.payments_cents == 60_000
        assert second.interest_cents == revolving_interest(40_000) == 517  # 516.67 half up
        assert second.total_due_cents == 40_517
        assert books.reconcile_cards(session) == []


# --- Interest on what was left unpaid ----------------------------------------------------


def test_a_purchase_of_the_statement_deferred_afterwards_is_no_longer_charged_interest(
    sessions, holder, clock
):
    """Regression: deferring a billed purchase took it off the revolving balance, but the
    close still charged revolving interest on it (and ``outstanding`` asked for it again)."""
    with sessions.begin() as session:
        tv = buy(session, holder, 100_000, ecuador(date(2026, 1, 5)))
        buy(session, holder, 20_000, ecuador(date(2026, 1, 6)))
        assert close(session, holder, C1, clock).total_due_cents == 120_000
    with sessions.begin() as session:  # after the statement: defer the TV, pay nothing
        defer(session, holder, tv.id, 100_000, 3, ecuador(date(2026, 2, 1)))
        fresh = buy(session, holder, 30_000, ecuador(date(2026, 2, 3)))
        defer(session, holder, fresh.id, 30_000, 6, ecuador(date(2026, 2, 4)))  # a new one
        second = close(session, holder, C2, clock)
        installments = 33_333 + 5_000
        assert second.interest_cents == revolving_interest(20_000) == 258
        assert second.installments_cents == installments
        assert second.total_due_cents == 20_000 + 258 + installments
        revolving = books_of(session, holder).revolving_account_id
        left = billing.outstanding(session, second, revolving, RULES, the_morning_after(C2))
        assert left.parts == (
            ("INTERESES", 258),
            ("CUOTAS", installments),
            ("SALDO_ANTERIOR", 20_000),
            ("CONSUMOS", 0),
        )
        assert left.total_cents == second.total_due_cents


def test_a_statement_paid_in_full_costs_no_interest(sessions, holder, clock):
    with sessions.begin() as session:
        buy(session, holder, 75_000, ecuador(date(2026, 1, 5)))
        first = close(session, holder, C1, clock)
    with sessions.begin() as session:
        pay(session, holder, first.total_due_cents, ecuador(date(2026, 2, 14), 23, 59), clock)
        buy(session, holder, 10_000, ecuador(date(2026, 2, 20)))
        second = close(session, holder, C2, clock)
        assert second.interest_cents == 0
        assert second.total_due_cents == 10_000
    with sessions.begin() as session:
        pay(session, holder, 9_999, ecuador(date(2026, 3, 25), 23, 59), clock)  # a cent short
        third = close(session, holder, C3, clock)
        assert third.payments_cents == 9_999
        assert third.interest_cents == revolving_interest(1) == 0  # 0.0129 cents
    with sessions.begin() as session:
        fourth = close(session, holder, C4, clock)  # nothing paid: the cent is carried
        assert fourth.interest_cents == 0
        assert fourth.total_due_cents == 1


def test_a_payment_after_the_cycle_end_counts_in_the_next_cycle(sessions, holder, clock):
    with sessions.begin() as session:
        buy(session, holder, 100_000, ecuador(date(2026, 1, 5)))
        close(session, holder, C1, clock)
    with sessions.begin() as session:
        buy(session, holder, 50_000, ecuador(date(2026, 2, 25), 23, 59))  # still cycle 2
        pay(session, holder, 100_000, ecuador(date(2026, 2, 10)), clock)
        second = close(session, holder, C2, clock)
        assert (second.purchases_cents, second.payments_cents, second.interest_cents) == (
            50_000,
            100_000,
            0,
        )
    with sessions.begin() as session:
        pay(session, holder, 20_000, ecuador(date(2026, 2, 26), 9), clock)  # cycle 3
        third = close(session, holder, C3, clock)
        assert third.payments_cents == 20_000
        assert third.interest_cents == revolving_interest(30_000) == 388  # 387.5 half up


def test_a_deferral_made_after_the_cycle_end_starts_at_the_next_close(sessions, holder, clock):
    with sessions.begin() as session:
        purchase = buy(session, holder, 60_000, ecuador(date(2026, 1, 20)))
        close(session, holder, C1, clock)
        late = defer(session, holder, purchase.id, 60_000, 3, ecuador(date(2026, 1, 26), 8))
        late_id = late.id
    with sessions.begin() as session:
        second = close(session, holder, C2, clock)
        assert rows_billed_by(session, second.id) == [(late_id, 1)]
        assert second.installments_cents == 20_000


def test_an_inactive_card_is_not_closed(sessions, holder, clock):
    with sessions.begin() as session:
        other = new_holder(session)
        card = session.get(Card, other.card_id)
        assert card is not None
        card.status = CardStatus.INACTIVA
    with sessions() as session:
        assert billing.cards_to_close(session, C1, 0, 100) == [holder.card_id]


def test_a_payment_between_the_cycle_end_and_the_close_counts_once(sessions, holder, clock):
    with sessions.begin() as session:
        buy(session, holder, 100_000, ecuador(date(2026, 1, 5)))
        pay(session, holder, 40_000, ecuador(date(2026, 1, 26), 0, 30), clock)  # before 01:00
        first = close(session, holder, C1, clock)
    with sessions.begin() as session:
        second = close(session, holder, C2, clock)
        assert first.total_due_cents == 100_000  # what was owed at the cycle's end
        assert second.interest_cents == revolving_interest(100_000 - 40_000)


# --- SQLite, the embedded default --------------------------------------------------------


def test_a_cycle_on_sqlite(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    url = f"sqlite:///{tmp_path / 'cards.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    sessions = session_factory(engine)
    clock = Clock(ecuador(date(2026, 1, 1)))
    monkeypatch.setattr(posting, "utcnow", clock)
    try:
        with sessions.begin() as session:
            holder = new_holder(session)
            a = buy(session, holder, A, ecuador(date(2026, 1, 5)))
            b = buy(session, holder, B, ecuador(date(2026, 1, 6)))
            defer(session, holder, a.id, A, 3, ecuador(date(2026, 1, 10)))
            defer(session, holder, b.id, B, 12, ecuador(date(2026, 1, 12)))
        with sessions.begin() as session:
            first = close(session, holder, C1, clock)
            twelve = french_rows(B, 12)
            assert first.total_due_cents == 40_000 + twelve[0].principal + twelve[0].interest
            total1 = first.total_due_cents
        with sessions.begin() as session:
            pay(session, holder, total1 - 10_000, ecuador(date(2026, 2, 25), 23, 30), clock)
            second = close(session, holder, C2, clock)
            assert second.payments_cents == total1 - 10_000
            assert second.interest_cents == revolving_interest(10_000) == 129
            assert len(rows_billed_by(session, second.id)) == 2
        with sessions() as session:
            assert books.reconcile_cards(session) == []
            assert ledger_reconcile(session) == []
    finally:
        engine.dispose()
