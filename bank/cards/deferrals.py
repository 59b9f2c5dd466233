"""Diferido de tarjetas: simulate, defer (once per purchase) and pay off early.

A deferral moves (part of) a purchase from the revolving to the deferred balance: available
credit does not change. Its table has one installment per billing cycle from the next close
on; interest-free terms split the principal evenly (the last row takes the cent residual),
the others use the French method at the configured nominal rate, a whole month per row.
Paying off early moves the remaining principal back to the revolving balance: the member
pays it with the next statement, and the future rows (with their interest) are voided.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session

from bank.cards import books
from bank.cards.config import CardRules
from bank.cards.errors import (
    AlreadyDeferred,
    DeferralClosed,
    DeferralNotFound,
    InvalidAmount,
    InvalidTerm,
    NotEnoughRevolving,
    PurchaseNotFound,
)
from bank.core.rates import check_ceiling, effective_annual_rate
from bank.credit.amortization import add_months, schedule
from bank.credit.deadline import local_date
from bank.ledger import EntryKind, EntryRequest, Leg
from bank.ledger import movement_codes as mc
from bank.models import (
    Card,
    CardDeferral,
    CardPurchase,
    DeferralInstallment,
    DeferralStatus,
)


@dataclass(frozen=True)
class PlanRow:
    """One installment: billed by the statement that closes on ``cycle_end``."""

    number: int
    cycle_end: date
    principal_cents: int
    interest_cents: int
    installment_cents: int
    balance_after_cents: int


@dataclass(frozen=True)
class DeferralPlan:
    """The simulation the member sees, and what a confirmed deferral writes."""

    purchase_id: int
    merchant: str
    amount_cents: int
    term_months: int
    annual_rate: Decimal
    effective_rate: Decimal
    installment_cents: int
    rows: tuple[PlanRow, ...]

    @property
    def interest_free(self) -> bool:
        return self.annual_rate == 0

    @property
    def total_interest_cents(self) -> int:
        return sum(row.interest_cents for row in self.rows)


def next_cycle_end(day: date, cycle_day: int) -> date:
    """The first statement close on or after ``day`` (a statement closes at the day's end)."""
    this_month = day.replace(day=cycle_day)
    return this_month if day <= this_month else add_months(this_month, 1)


def installment_table(
    amount_cents: int, term_months: int, rules: CardRules, today: date
) -> tuple[Decimal, tuple[PlanRow, ...]]:
    """The nominal rate and the rows of deferring ``amount_cents`` over ``term_months``.

    Raises:
        InvalidTerm: a term the configuration does not offer.
        RateAboveCeiling: the term's rate is above the regulatory ceiling.
    """
    if term_months not in rules.deferral_terms:
        raise InvalidTerm()
    rate = rules.deferral_rate(term_months)
    check_ceiling(rate, rules.rate_ceilings)
    first = next_cycle_end(today, rules.cycle_day)
    table = schedule(
        amount_cents,
        rate,
        term_months,
        "GERMAN" if rate == 0 else "FRENCH",
        add_months(first, -1),
        first_due=first,
        business_days=False,
    )
    rows = tuple(
        PlanRow(
            row.number,
            row.due_date,
            row.principal_cents,
            row.interest_cents,
            row.installment_cents,
            row.balance_after_cents,
        )
        for row in table.rows
    )
    return rate, rows


def simulate(
    session: Session,
    card: Card,
    purchase_id: int,
    amount_cents: int,
    term_months: int,
    rules: CardRules,
    today: date,
) -> DeferralPlan:
    """Check the purchase can be deferred by that much and return its table.

    Raises:
        PurchaseNotFound, AlreadyDeferred, InvalidAmount, NotEnoughRevolving, InvalidTerm,
        RateAboveCeiling.
    """
    purchase = session.get(CardPurchase, purchase_id)
    if purchase is None or purchase.card_id != card.id:
        raise PurchaseNotFound()
    if deferral_of(session, purchase.id) is not None:
        raise AlreadyDeferred()
    if not 0 < amount_cents <= purchase.amount_cents:
        raise InvalidAmount()
    if amount_cents > card.revolving_used_cents:
        raise NotEnoughRevolving()
    return _plan(purchase, amount_cents, term_months, rules, today)


def planned(
    session: Session,
    card: Card,
    purchase_id: int,
    amount_cents: int,
    term_months: int,
    rules: CardRules,
    today: date,
) -> DeferralPlan | None:
    """The table of a journey's deferral as the member saw it (no checks: it may be done)."""
    purchase = session.get(CardPurchase, purchase_id)
    if purchase is None or purchase.card_id != card.id:
        return None
    return _plan(purchase, amount_cents, term_months, rules, today)


def _plan(
    purchase: CardPurchase, amount_cents: int, term_months: int, rules: CardRules, today: date
) -> DeferralPlan:
    rate, rows = installment_table(amount_cents, term_months, rules, today)
    return DeferralPlan(
        purchase.id,
        purchase.merchant,
        amount_cents,
        term_months,
        rate,
        effective_annual_rate(rate),
        rows[0].installment_cents,
        rows,
    )


def defer(
    session: Session,
    card: Card,
    key: str,
    plan: DeferralPlan,
    now: datetime,
) -> CardDeferral:
    """Write the deferral of a simulated ``plan`` (idempotent by the journey's ``key``).

    The caller holds the card's row lock and simulated ``plan`` under it.

    Raises:
        AlreadyDeferred: the purchase was deferred by another journey meanwhile.
    """
    found = session.scalar(select(CardDeferral).where(CardDeferral.key == key))
    if found is not None:
        return found
    if deferral_of(session, plan.purchase_id) is not None:
        raise AlreadyDeferred()
    deferral = CardDeferral(
        card_id=card.id,
        purchase_id=plan.purchase_id,
        key=key,
        principal_cents=plan.amount_cents,
        term_months=plan.term_months,
        annual_rate=plan.annual_rate,
        installment_cents=plan.installment_cents,
        status=DeferralStatus.VIGENTE,
        created_at=now,
    )
    session.add(deferral)
    session.flush()
    session.add_all(
        DeferralInstallment(
            deferral_id=deferral.id,
            number=row.number,
            principal_cents=row.principal_cents,
            interest_cents=row.interest_cents,
        )
        for row in plan.rows
    )
    card_books = books.open_books(session, card)
    books.post(
        session,
        card,
        card_books,
        EntryRequest(
            idempotency_key=f"card-deferral:{deferral.id}",
            kind=EntryKind.CARD_DEFERRAL,
            description=f"Diferido a {plan.term_months} meses {plan.merchant}",
            value_date=local_date(now),
            legs=(
                Leg.of(mc.CARD_DEFERRAL, card_books.revolving_account_id, plan.amount_cents),
                Leg.of(mc.CARD_DEFERRAL, card_books.deferred_account_id, -plan.amount_cents),
            ),
        ),
    )
    return deferral


def pay_off(session: Session, card: Card, deferral_id: int, now: datetime) -> int:
    """Precancelar: the remaining principal to the revolving balance; returns it in cents.

    The caller holds the card's row lock.

    Raises:
        DeferralNotFound: not this card's. DeferralClosed: nothing left to bill.
    """
    deferral = session.get(CardDeferral, deferral_id, with_for_update=True)
    if deferral is None or deferral.card_id != card.id:
        raise DeferralNotFound()
    if deferral.status is not DeferralStatus.VIGENTE:
        raise DeferralClosed()
    pending = unbilled(session, deferral.id)
    remaining = sum(row.principal_cents for row in pending)
    for row in pending:
        row.voided = True
    deferral.status, deferral.closed_at = DeferralStatus.PRECANCELADO, now
    card_books = books.open_books(session, card)
    if remaining:
        books.post(
            session,
            card,
            card_books,
            EntryRequest(
                idempotency_key=f"card-prepayment:{deferral.id}",
                kind=EntryKind.CARD_PREPAYMENT,
                description="Precancelación de diferido",
                value_date=local_date(now),
                legs=(
                    Leg.of(mc.CARD_PREPAYMENT, card_books.deferred_account_id, remaining),
                    Leg.of(mc.CARD_PREPAYMENT, card_books.revolving_account_id, -remaining),
                ),
            ),
        )
    session.flush()
    return remaining


def deferral_of(session: Session, purchase_id: int) -> CardDeferral | None:
    """The purchase's deferral, if it was ever deferred."""
    return session.scalar(select(CardDeferral).where(CardDeferral.purchase_id == purchase_id))


def unbilled(session: Session, deferral_id: int) -> list[DeferralInstallment]:
    """The rows still to bill, in order (none once billed, voided or paid off)."""
    return list(
        session.scalars(
            select(DeferralInstallment)
            .where(
                DeferralInstallment.deferral_id == deferral_id,
                DeferralInstallment.statement_id.is_(None),
                DeferralInstallment.voided.is_(False),
            )
            .order_by(DeferralInstallment.number)
        )
    )


def deferrals_of(
    session: Session, card_id: int, deferral_id: int | None = None
) -> list[tuple[CardDeferral, CardPurchase, int, int]]:
    """The card's deferrals (or just ``deferral_id``), newest first: each with its purchase,
    the rows billed and the principal left to bill (one query)."""
    row = DeferralInstallment
    pending = and_(row.statement_id.is_(None), row.voided.is_(False))
    query = (
        select(
            CardDeferral,
            CardPurchase,
            func.count(row.statement_id),
            func.coalesce(func.sum(case((pending, row.principal_cents), else_=0)), 0),
        )
        .join(CardPurchase, CardPurchase.id == CardDeferral.purchase_id)
        .outerjoin(row, row.deferral_id == CardDeferral.id)
        .where(CardDeferral.card_id == card_id)
        .group_by(CardDeferral.id, CardPurchase.id)
        .order_by(CardDeferral.created_at.desc(), CardDeferral.id.desc())
    )
    if deferral_id is not None:
        query = query.where(CardDeferral.id == deferral_id)
    return [
        (deferral, purchase, int(billed), int(left))
        for deferral, purchase, billed, left in session.execute(query).tuples()
    ]
