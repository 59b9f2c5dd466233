"""The member's cards and investments (both are single-table reads)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bank.models import Account, Card, Investment
from bank.queries.position import CardSummary, InvestmentSummary

_ACCOUNT_NUMBER = select(Account.number).where(Account.id == Card.account_id).scalar_subquery()

_CARDS = select(
    Card.id,
    Card.kind,
    Card.brand,
    Card.masked_number,
    Card.status,
    _ACCOUNT_NUMBER.label("account_number"),
    Card.credit_limit_cents,
    Card.revolving_used_cents,
    Card.deferred_used_cents,
    Card.minimum_payment_cents,
    Card.payment_due_date,
).where(Card.member_id == bindparam("member_id"))

_INVESTMENTS = (
    select(
        Investment.id,
        Investment.number,
        Investment.status,
        Investment.amount_cents,
        Investment.issued_on,
        Investment.matures_on,
        Investment.annual_rate,
        Investment.days,
        Investment.interest_earned_cents,
        Investment.interest_paid_cents,
    )
    .where(Investment.member_id == bindparam("member_id"))
    .order_by(Investment.number)
)


def _card(row: tuple[Any, ...]) -> CardSummary:
    id_, kind, brand, masked, status, *rest = row
    return CardSummary(id_, str(kind), brand, masked, str(status), *rest)


async def list_cards(conn: AsyncConnection, member_id: int) -> list[CardSummary]:
    """The member's cards, credit cards first."""
    rows = await conn.execute(_CARDS.order_by(Card.kind, Card.id), {"member_id": member_id})
    return [_card(tuple(row)) for row in rows]


async def get_card(conn: AsyncConnection, member_id: int, card_id: int) -> CardSummary | None:
    """The member's card with that id, or None (also for another member's card)."""
    stmt = _CARDS.where(Card.id == bindparam("card_id"))
    row = (await conn.execute(stmt, {"member_id": member_id, "card_id": card_id})).first()
    return None if row is None else _card(tuple(row))


async def list_investments(conn: AsyncConnection, member_id: int) -> list[InvestmentSummary]:
    """The member's investments (term deposits)."""
    rows = await conn.execute(_INVESTMENTS, {"member_id": member_id})
    return [InvestmentSummary(*tuple(row)) for row in rows]
