"""Helpers shared by the credit card book tests: a card, the ledger's clock, the operations.

Instants are Ecuador wall-clock times (``ecuador(day, hour)``); the ledger stamps postings
with ``bank.ledger.posting.utcnow``, which :class:`Clock` replaces so a payment falls in the
billing cycle the test means. Expected amounts are computed here independently of
``bank.credit.amortization``: the textbook annuity with :class:`~decimal.Decimal`.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from decimal import ROUND_HALF_UP, Decimal, localcontext

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bank.adapters.billers import SimulatedBillers
from bank.cards import billing, books, deferrals, purchases
from bank.cards.config import CardRules, CardSettings
from bank.ledger import EntryKind, EntryRequest, Leg, posting
from bank.ledger import movement_codes as mc
from bank.models import Card, CardBooks, CardDeferral, CardKind, CardPurchase, CardStatement
from bank.models import Posting as PostingRow
from bank.payments.config import PaymentSettings
from bank.payments.execute import move
from bank.payments.orders import CardOption, MovementKind, Order
from bank.payments.prepare import build_preview
from tests import factories

ECUADOR = billing.ECUADOR
RULES: CardRules = CardSettings(_env_file=None).rules()  # the shipped defaults, no .env
LIMIT = 1_000_000
"""$10,000.00 of credit."""
SAVINGS = 5_000_000
"""What the member's savings account starts with (card payments come from it)."""
MONTHLY = Decimal("0.15") / 12
"""The French deferrals' monthly rate: 15.00% nominal."""
REVOLVING_MONTHLY = Decimal("0.155") / 12


def ecuador(day: date, hour: int = 12, minute: int = 0) -> datetime:
    """``day`` at ``hour:minute`` in America/Guayaquil, as an aware UTC instant."""
    return datetime.combine(day, time(hour, minute), ECUADOR).astimezone(UTC)


def the_morning_after(cycle_end: date) -> datetime:
    """When the schedule runs a close: 01:00 the day after the cycle's end."""
    return ecuador(cycle_end + timedelta(days=1), 1)


@dataclass
class Clock:
    """The ledger's notion of now (``bank.ledger.posting.utcnow``), set by the test."""

    now: datetime

    def __call__(self) -> datetime:
        return self.now

    def set(self, instant: datetime) -> datetime:
        self.now = instant
        return instant


def half_up(value: Decimal) -> int:
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def annuity_cents(amount_cents: int, monthly: Decimal, months: int) -> int:
    """The textbook cuota ``P·i / (1 − (1 + i)^−n)``, half up to the cent."""
    with localcontext() as ctx:
        ctx.prec = 60
        return half_up(Decimal(amount_cents) * monthly / (1 - (1 + monthly) ** -months))


@dataclass(frozen=True)
class Expected:
    principal: int
    interest: int


def french_rows(amount_cents: int, months: int, monthly: Decimal = MONTHLY) -> list[Expected]:
    """Interest = balance × i (half up), principal = cuota − interest, the last row the rest.

    (A few cents deferred long enough round the cuota up past what is left: a row then takes
    only the balance, and the following rows are empty.)
    """
    payment = annuity_cents(amount_cents, monthly, months)
    balance, rows = amount_cents, []
    for number in range(1, months + 1):
        interest = half_up(balance * monthly)
        principal = balance if number == months else min(balance, payment - interest)
        balance -= principal
        rows.append(Expected(principal, interest))
    return rows


def even_rows(amount_cents: int, months: int) -> list[Expected]:
    """Interest-free: P/n half up per row, the last row takes the residual."""
    share = half_up(Decimal(amount_cents) / months)
    balance, rows = amount_cents, []
    for number in range(1, months + 1):
        principal = balance if number == months else min(balance, share)
        balance -= principal
        rows.append(Expected(principal, 0))
    return rows


def revolving_interest(carried_cents: int) -> int:
    """Carried × 15.50% / 12, half up."""
    return half_up(Decimal(carried_cents) * Decimal("0.1550") / 12)


@dataclass(frozen=True)
class Holder:
    """A member with savings and a credit card (ids: read them again in each transaction)."""

    member_id: int
    card_id: int
    savings_id: int
    savings_number: str


def new_holder(session: Session, limit_cents: int = LIMIT) -> Holder:
    member = factories.make_member(session)
    savings = factories.make_account(session, member)
    factories.deposit(session, savings, SAVINGS, on=date(2025, 12, 1))
    card = factories.make_card(session, member, CardKind.CREDIT, limit_cents=limit_cents)
    return Holder(member.id, card.id, savings.id, savings.number)


def card_of(session: Session, holder: Holder) -> Card:
    """The holder's credit card, row-locked (as every operation on it takes it)."""
    return books.credit_card(session, holder.member_id, holder.card_id, lock=True)


def _stamp(at: datetime) -> None:
    """The ledger stamps the operation's postings at ``at`` (when a test moves its clock)."""
    if isinstance(posting.utcnow, Clock):
        posting.utcnow.set(at)


def buy(
    session: Session, holder: Holder, cents: int, at: datetime, merchant: str = "COMERCIO"
) -> CardPurchase:
    _stamp(at)
    return purchases.record_purchase(
        session, card_of(session, holder), f"auth-{uuid.uuid4()}", merchant, cents, at
    )


def defer(
    session: Session,
    holder: Holder,
    purchase_id: int,
    cents: int,
    months: int,
    at: datetime,
    *,
    key: str | None = None,
    rules: CardRules = RULES,
) -> CardDeferral:
    """Simulate and confirm a deferral at ``at`` (its table starts at the next close)."""
    _stamp(at)
    card = card_of(session, holder)
    today = at.astimezone(ECUADOR).date()
    plan = deferrals.simulate(session, card, purchase_id, cents, months, rules, today)
    return deferrals.defer(session, card, key or f"card-deferral-{uuid.uuid4()}", plan, at)


def pay(session: Session, holder: Holder, cents: int, at: datetime, clock: Clock) -> None:
    """A Cooprogreso card payment from the member's savings, the way the API moves it."""
    clock.set(at)
    rules = PaymentSettings(_env_file=None).rules()
    order = Order(
        kind=MovementKind.COOP_CARD_PAYMENT,
        member_id=holder.member_id,
        origin_account=holder.savings_number,
        amount_cents=cents,
        card_id=holder.card_id,
        card_option=CardOption.OTRO,
    )
    billers = SimulatedBillers(session_factory=None)  # type: ignore[arg-type]  # unused here
    preview = build_preview(session, order, rules, billers, at)
    move(session, f"card-payment-{uuid.uuid4()}", preview, rules, at)


def pay_directly(session: Session, holder: Holder, cents: int, at: datetime, clock: Clock) -> None:
    """The entry a card payment posts (``bank.payments.legs``), then ``books.sync``."""
    clock.set(at)
    card = card_of(session, holder)
    card_books = books.open_books(session, card)
    books.post(
        session,
        card,
        card_books,
        EntryRequest(
            idempotency_key=f"card-payment-{uuid.uuid4()}:post",
            kind=EntryKind.CARD_PAYMENT,
            description="Pago tarjeta Cooprogreso",
            legs=(
                Leg.of(mc.CARD_PAYMENT, holder.savings_id, -cents),
                Leg.of(mc.CARD_PAYMENT_CREDIT, card_books.revolving_account_id, cents),
            ),
        ),
    )


def close(
    session: Session, holder: Holder, cycle_end: date, clock: Clock, rules: CardRules = RULES
) -> CardStatement:
    """The close of ``cycle_end`` as the schedule runs it, the morning after."""
    now = clock.set(the_morning_after(cycle_end))
    return billing.close_statement(session, holder.card_id, cycle_end, rules, now)


def books_of(session: Session, holder: Holder) -> CardBooks:
    found = session.get(CardBooks, holder.card_id)
    assert found is not None
    return found


def unbalanced_entries(session: Session, account_ids: tuple[int, ...]) -> list[tuple[int, int]]:
    """(entry id, sum) of every entry touching these accounts whose legs do not sum to 0."""
    touching = select(PostingRow.entry_id).where(PostingRow.account_id.in_(account_ids))
    rows = session.execute(
        select(PostingRow.entry_id, func.sum(PostingRow.amount_cents))
        .where(PostingRow.entry_id.in_(touching))
        .group_by(PostingRow.entry_id)
        .having(func.sum(PostingRow.amount_cents) != 0)
    ).tuples()
    return [(int(entry), int(total)) for entry, total in rows]
