"""What an estado de cuenta shows: its frozen figures, its purchases and its installments."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bank.cards.billing import end_of_day, start_of_day
from bank.credit.deadline import GUAYAQUIL
from bank.models import (
    Card,
    CardDeferral,
    CardPurchase,
    CardStatement,
    DeferralInstallment,
    Member,
)


@dataclass(frozen=True)
class StatementLine:
    """A purchase of the period, or an installment billed by the close."""

    day: date
    description: str
    amount_cents: int


@dataclass(frozen=True)
class StatementDocument:
    holder: str
    brand: str
    masked_number: str
    credit_limit_cents: int
    statement: CardStatement
    purchases: tuple[StatementLine, ...]
    installments: tuple[StatementLine, ...]


def statement_document(session: Session, card: Card, statement: CardStatement) -> StatementDocument:
    """Everything the statement's PDF prints (read only)."""
    member = session.get(Member, card.member_id)
    since, until = start_of_day(statement.period_start), end_of_day(statement.cycle_end)
    bought = session.scalars(
        select(CardPurchase)
        .where(
            CardPurchase.card_id == card.id,
            CardPurchase.posted_at >= since,
            CardPurchase.posted_at < until,
        )
        .order_by(CardPurchase.posted_at, CardPurchase.id)
    )
    billed = session.execute(
        select(DeferralInstallment, CardDeferral, CardPurchase.merchant)
        .join(CardDeferral, CardDeferral.id == DeferralInstallment.deferral_id)
        .join(CardPurchase, CardPurchase.id == CardDeferral.purchase_id)
        .where(DeferralInstallment.statement_id == statement.id)
        .order_by(CardDeferral.id)
    ).tuples()
    return StatementDocument(
        holder=member.full_name if member else "",
        brand=card.brand,
        masked_number=card.masked_number,
        credit_limit_cents=card.credit_limit_cents,
        statement=statement,
        purchases=tuple(
            StatementLine(
                row.posted_at.astimezone(GUAYAQUIL).date(), row.merchant, row.amount_cents
            )
            for row in bought
        ),
        installments=tuple(
            StatementLine(
                statement.cycle_end,
                f"{merchant} cuota {row.number}/{deferral.term_months}",
                row.principal_cents + row.interest_cents,
            )
            for row, deferral, merchant in billed
        ),
    )
