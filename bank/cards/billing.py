"""The monthly close of a credit card's statement (estado de cuenta), and what is left of it.

At the close (the configured cycle day, end of day in America/Guayaquil) each active credit
card, in one transaction: bills the next installment of each of its deferrals (principal
from the deferred to the revolving balance, interest charged), charges interest at the
revolving rate on what was left unpaid of the previous statement (a statement paid in full
costs no interest: purchases have a grace period until their own due date), and freezes the
statement's figures with its minimum payment and due date. Idempotent by (card, cycle end):
a retried or repeated close writes nothing more. See ``docs/cards.md``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bank.cards import books
from bank.cards.config import CardRules
from bank.cards.deferrals import unbilled
from bank.core import metrics
from bank.core.money import from_cents
from bank.credit.amortization import add_months
from bank.credit.deadline import GUAYAQUIL
from bank.ledger import EntryKind, EntryRequest, Leg, chart
from bank.ledger import movement_codes as mc
from bank.models import (
    Card,
    CardBooks,
    CardDeferral,
    CardKind,
    CardPurchase,
    CardStatement,
    CardStatus,
    Channel,
    DeferralStatus,
    Member,
    Posting,
)
from bank.notifications.outbox import enqueue

ECUADOR = GUAYAQUIL
"""The cycle's days are Ecuador's (``bank.credit.deadline.GUAYAQUIL``)."""


def cycle_end_on(day: date, cycle_day: int) -> date:
    """The close that ``day`` belongs to (the schedule fires the morning after it)."""
    this_month = day.replace(day=cycle_day)
    return this_month if day >= this_month else add_months(this_month, -1)


def cards_to_close(session: Session, cycle_end: date, after_id: int, limit: int) -> list[int]:
    """Ids of active credit cards without a statement for ``cycle_end``, in id order."""
    closed = select(CardStatement.card_id).where(CardStatement.cycle_end == cycle_end)
    return list(
        session.scalars(
            select(Card.id)
            .where(
                Card.kind == CardKind.CREDIT,
                Card.status != CardStatus.INACTIVA,
                Card.id > after_id,
                Card.id.not_in(closed),
            )
            .order_by(Card.id)
            .limit(limit)
        )
    )


@dataclass(frozen=True)
class _Billed:
    principal_cents: int
    interest_cents: int


def close_statement(
    session: Session, card_id: int, cycle_end: date, rules: CardRules, now: datetime
) -> CardStatement:
    """Close ``card_id``'s statement for ``cycle_end`` (or return it, already closed)."""
    found = _statement(session, card_id, cycle_end)
    if found is not None:
        return found
    card = session.get(Card, card_id, with_for_update=True)
    assert card is not None
    found = _statement(session, card_id, cycle_end)  # closed while we waited for the lock
    if found is not None:
        return found
    card_books = books.open_books(session, card)
    previous = session.scalar(
        select(CardStatement)
        .where(CardStatement.card_id == card_id, CardStatement.cycle_end < cycle_end)
        .order_by(CardStatement.cycle_end.desc())
        .limit(1)
    )
    start = previous.cycle_end + timedelta(days=1) if previous else add_months(cycle_end, -1)
    if previous is None:
        start += timedelta(days=1)
    since, until = start_of_day(start), end_of_day(cycle_end)
    payments = _payments(session, card_books.revolving_account_id, since, until)
    previous_due = previous.total_due_cents if previous else 0
    carried = _carried(session, card_id, previous_due, payments, since, until)
    statement = CardStatement(
        card_id=card_id,
        cycle_end=cycle_end,
        period_start=start,
        due_date=cycle_end + timedelta(days=rules.due_days),
        previous_balance_cents=previous_due,
        purchases_cents=_purchases(session, card_id, since, until),
        payments_cents=payments,
        installments_cents=0,
        installment_interest_cents=0,
        interest_cents=_round(Decimal(carried) * rules.revolving_annual_rate / 12),
        total_due_cents=0,
        minimum_payment_cents=0,
        deferred_balance_cents=0,
        closed_at=now,
    )
    session.add(statement)
    session.flush()
    # The close runs after the cycle's end: what was posted since is next cycle's.
    later_revolving = _posted_after(session, card_books.revolving_account_id, until, cycle_end)
    later_deferred = _posted_after(session, card_books.deferred_account_id, until, cycle_end)
    billed = _bill_installments(session, statement, until)
    legs = _legs(card_books, chart.ensure_chart(session), billed, statement.interest_cents)
    if legs:
        books.post(
            session,
            card,
            card_books,
            EntryRequest(
                idempotency_key=f"card-close:{card_id}:{cycle_end.isoformat()}",
                kind=EntryKind.CARD_BILLING,
                description=f"Corte de tarjeta {cycle_end.isoformat()}",
                legs=legs,
                value_date=cycle_end,
            ),
        )
    statement.installments_cents = billed.principal_cents + billed.interest_cents
    statement.installment_interest_cents = billed.interest_cents
    statement.total_due_cents = card.revolving_used_cents + later_revolving
    statement.deferred_balance_cents = card.deferred_used_cents + later_deferred
    statement.minimum_payment_cents = minimum_payment(
        statement.total_due_cents,
        statement.interest_cents + statement.installments_cents,
        rules,
    )
    card.minimum_payment_cents = statement.minimum_payment_cents
    card.payment_due_date = statement.due_date
    session.flush()
    _announce(session, card, statement)
    metrics.count("coop_card_statements_closed")
    return statement


def minimum_payment(total_due_cents: int, charges_cents: int, rules: CardRules) -> int:
    """Pago mínimo: interest and installments, plus a share of the principal (with a floor).

    ``min(total, charges + min(principal, max(floor, percent × principal)))``, where the
    principal is the total due less this cycle's interest and installments.
    """
    principal = max(0, total_due_cents - charges_cents)
    share = max(rules.minimum_floor_cents, _round(Decimal(principal) * rules.minimum_percent))
    return max(0, min(total_due_cents, charges_cents + min(principal, share)))


def _bill_installments(session: Session, statement: CardStatement, until: datetime) -> _Billed:
    """Bill the next row of every deferral the member made before this close."""
    principal = interest = 0
    deferrals = session.scalars(
        select(CardDeferral).where(
            CardDeferral.card_id == statement.card_id,
            CardDeferral.status == DeferralStatus.VIGENTE,
            CardDeferral.created_at < until,
        )
    )
    for deferral in deferrals:
        rows = unbilled(session, deferral.id)
        if not rows:
            continue
        rows[0].statement_id = statement.id
        principal += rows[0].principal_cents
        interest += rows[0].interest_cents
        if len(rows) == 1:
            deferral.status, deferral.closed_at = DeferralStatus.CANCELADO, statement.closed_at
    return _Billed(principal, interest)


def _legs(
    card_books: CardBooks, gl: dict[str, int], billed: _Billed, interest: int
) -> tuple[Leg, ...]:
    revolving, deferred = card_books.revolving_account_id, card_books.deferred_account_id
    legs = []
    if billed.principal_cents:
        legs += [
            Leg.of(mc.CARD_INSTALLMENT, deferred, billed.principal_cents),
            Leg.of(mc.CARD_INSTALLMENT, revolving, -billed.principal_cents),
        ]
    if billed.interest_cents:
        legs += [
            Leg.of(mc.CARD_INSTALLMENT_INTEREST, revolving, -billed.interest_cents),
            Leg.of(mc.CARD_INSTALLMENT_INTEREST, gl[chart.INTEREST_INCOME], billed.interest_cents),
        ]
    if interest:
        legs += [
            Leg.of(mc.CARD_INTEREST, revolving, -interest),
            Leg.of(mc.CARD_INTEREST, gl[chart.INTEREST_INCOME], interest),
        ]
    return tuple(legs)


def _statement(session: Session, card_id: int, cycle_end: date) -> CardStatement | None:
    return session.scalar(
        select(CardStatement).where(
            CardStatement.card_id == card_id, CardStatement.cycle_end == cycle_end
        )
    )


def end_of_day(day: date) -> datetime:
    """The instant ``day`` ends in Ecuador (the next day's midnight)."""
    return start_of_day(day + timedelta(days=1))


def start_of_day(day: date) -> datetime:
    """Midnight at the start of ``day`` in Ecuador, as an aware instant."""
    return datetime.combine(day, time(0), ECUADOR)


def _round(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _carried(
    session: Session,
    card_id: int,
    previous_due: int,
    payments: int,
    since: datetime,
    until: datetime,
) -> int:
    """What is left unpaid of the previous statement: its total less the cycle's payments and
    the principal deferred during the cycle of purchases it billed (no longer revolving)."""
    deferred = session.scalar(
        select(func.coalesce(func.sum(CardDeferral.principal_cents), 0))
        .join(CardPurchase, CardPurchase.id == CardDeferral.purchase_id)
        .where(
            CardDeferral.card_id == card_id,
            CardDeferral.created_at >= since,
            CardDeferral.created_at < until,
            CardPurchase.posted_at < since,
        )
    )
    return max(0, previous_due - payments - int(deferred or 0))


def _purchases(session: Session, card_id: int, since: datetime, until: datetime) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(CardPurchase.amount_cents), 0)).where(
            CardPurchase.card_id == card_id,
            CardPurchase.posted_at >= since,
            CardPurchase.posted_at < until,
        )
    )
    return int(total or 0)


def _posted_after(session: Session, account_id: int, until: datetime, cycle_end: date) -> int:
    """The net posted on ``account_id`` after the cut (credits positive): written from
    ``until`` on with a value date after ``cycle_end`` (a purchase the network reports late
    carries its own day and stays in its cycle)."""
    total = session.scalar(
        select(func.coalesce(func.sum(Posting.amount_cents), 0)).where(
            Posting.account_id == account_id,
            Posting.created_at >= until,
            Posting.value_date > cycle_end,
        )
    )
    return int(total or 0)


def _payments(session: Session, revolving_id: int, since: datetime, until: datetime) -> int:
    total = session.scalar(
        select(func.coalesce(func.sum(Posting.amount_cents), 0)).where(
            Posting.account_id == revolving_id,
            Posting.code == mc.CARD_PAYMENT_CREDIT.code,
            Posting.created_at >= since,
            Posting.created_at < until,
        )
    )
    return int(total or 0)


def _announce(session: Session, card: Card, statement: CardStatement) -> None:
    """The "estado de cuenta" email (sent once: keyed by the statement)."""
    member = session.get(Member, card.member_id)
    if member is None or not member.email:
        return
    enqueue(
        session,
        key=f"card-statement:{statement.id}",
        channel=Channel.EMAIL,
        recipient=member.email,
        template="card_statement_ready",
        context={
            "name": member.full_name,
            "card_number": card.masked_number,
            "brand": card.brand,
            "cycle_end": statement.cycle_end.isoformat(),
            "due_date": statement.due_date.isoformat(),
            "total_due": str(from_cents(statement.total_due_cents)),
            "minimum": str(from_cents(statement.minimum_payment_cents)),
            "at": statement.closed_at.isoformat(),
        },
    )


@dataclass(frozen=True)
class Outstanding:
    """What is left of a statement after the payments since its close, part by part."""

    parts: tuple[tuple[str, int], ...]
    minimum_left_cents: int

    @property
    def total_cents(self) -> int:
        return sum(cents for _, cents in self.parts)


def outstanding(
    session: Session, statement: CardStatement, revolving_id: int, rules: CardRules, now: datetime
) -> Outstanding:
    """Apply the payments made since the close to the statement, in the configured order."""
    paid = _payments(session, revolving_id, end_of_day(statement.cycle_end), now)
    interest = statement.interest_cents + statement.installment_interest_cents
    installments = statement.installments_cents - statement.installment_interest_cents
    carried = _carried(
        session,
        statement.card_id,
        statement.previous_balance_cents,
        statement.payments_cents,
        start_of_day(statement.period_start),
        end_of_day(statement.cycle_end),
    )
    owed = {
        "INTERESES": interest,
        "CUOTAS": installments,
        "SALDO_ANTERIOR": carried,
        "CONSUMOS": max(0, statement.total_due_cents - interest - installments - carried),
    }
    parts = []
    left = paid
    for name in rules.payment_order:
        settled = min(left, owed[name])
        left -= settled
        parts.append((name, owed[name] - settled))
    return Outstanding(tuple(parts), max(0, statement.minimum_payment_cents - paid))
