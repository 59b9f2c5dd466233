"""The consolidated position (Resumen de Productos) in one statement.

The four sections of the manual's summary (Cuentas, Préstamos, Inversiones, Tarjetas) are
read with a single ``UNION ALL`` over a common column layout, so the hot endpoint of the
API costs one round trip. Each branch is filtered by ``member_id`` through its own index.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import (
    BigInteger,
    Date,
    Numeric,
    Select,
    String,
    bindparam,
    cast,
    literal,
    null,
    select,
    type_coerce,
    union_all,
)
from sqlalchemy.ext.asyncio import AsyncConnection

from bank.models import Account, Card, Installment, Investment, Loan, ProductType


@dataclass(frozen=True, slots=True)
class AccountSummary:
    """A row of "Cuentas"."""

    id: int
    number: str
    product: ProductType
    status: str
    balance_cents: int
    held_cents: int

    @property
    def available_cents(self) -> int:
        """Saldo disponible: always 0 for contribution certificates."""
        if self.product is ProductType.CERTIFICATES:
            return 0
        return self.balance_cents - self.held_cents


@dataclass(frozen=True, slots=True)
class LoanSummary:
    """A row of "Préstamos"; ``next_*`` describe the first unpaid installment."""

    id: int
    number: str
    product_name: str
    status: str
    amount_cents: int
    principal_balance_cents: int
    issued_on: date
    annual_rate: Decimal
    next_due_on: date | None
    next_installment_cents: int | None


@dataclass(frozen=True, slots=True)
class InvestmentSummary:
    """A row of "Inversiones"."""

    id: int
    number: str
    status: str
    amount_cents: int
    issued_on: date
    matures_on: date
    annual_rate: Decimal
    days: int
    interest_earned_cents: int
    interest_paid_cents: int


@dataclass(frozen=True, slots=True)
class CardSummary:
    """A row of "Tarjetas": debit cards carry their account, credit cards their balances."""

    id: int
    kind: str
    brand: str
    masked_number: str
    status: str
    account_number: str | None
    credit_limit_cents: int
    revolving_used_cents: int
    deferred_used_cents: int
    minimum_payment_cents: int
    payment_due_date: date | None

    @property
    def available_credit_cents(self) -> int:
        """Cupo disponible: limit minus revolving and deferred balances, never negative."""
        used = self.revolving_used_cents + self.deferred_used_cents
        return max(0, self.credit_limit_cents - used)


@dataclass(frozen=True, slots=True)
class Position:
    """The member's consolidated position."""

    accounts: list[AccountSummary]
    loans: list[LoanSummary]
    investments: list[InvestmentSummary]
    cards: list[CardSummary]


def _none(type_: Any) -> Any:
    return cast(null(), type_)


def _text(column: Any) -> Any:
    return type_coerce(column, String)


_MEMBER = bindparam("member_id", type_=BigInteger)


def _next_installment(column: Any) -> Any:
    """A correlated subquery on the loan's first unpaid installment."""
    return (
        select(column)
        .where(Installment.loan_id == Loan.id, Installment.paid_on.is_(None))
        .order_by(Installment.number)
        .limit(1)
        .scalar_subquery()
    )


def _accounts() -> Select[Any]:
    return select(
        literal("A").label("kind"),
        Account.id,
        Account.number,
        _text(Account.product).label("label"),
        _text(Account.status).label("status"),
        _none(String).label("extra"),
        _none(String).label("extra2"),
        Account.balance_cents.label("a"),
        Account.held_cents.label("b"),
        _none(BigInteger).label("c"),
        _none(BigInteger).label("d"),
        _none(Date).label("d1"),
        _none(Date).label("d2"),
        _none(Numeric(7, 4)).label("rate"),
    ).where(Account.member_id == _MEMBER)


def _loans() -> Select[Any]:
    total = (
        Installment.principal_cents
        + Installment.interest_cents
        + Installment.late_fee_cents
        + Installment.insurance_cents
    )
    return select(
        literal("L"),
        Loan.id,
        Loan.number,
        Loan.product_name,
        _text(Loan.status),
        _none(String),
        _none(String),
        Loan.amount_cents,
        Loan.principal_balance_cents,
        _next_installment(total),
        _none(BigInteger),
        _next_installment(Installment.due_date),
        Loan.issued_on,
        Loan.annual_rate,
    ).where(Loan.member_id == _MEMBER)


def _investments() -> Select[Any]:
    return select(
        literal("I"),
        Investment.id,
        Investment.number,
        _none(String),
        Investment.status,
        _none(String),
        _none(String),
        Investment.amount_cents,
        Investment.interest_earned_cents,
        Investment.interest_paid_cents,
        cast(Investment.days, BigInteger),
        Investment.issued_on,
        Investment.matures_on,
        Investment.annual_rate,
    ).where(Investment.member_id == _MEMBER)


def _cards() -> Select[Any]:
    account_number = select(Account.number).where(Account.id == Card.account_id).scalar_subquery()
    return select(
        literal("C"),
        Card.id,
        Card.masked_number,
        Card.brand,
        _text(Card.status),
        _text(Card.kind),
        account_number,
        Card.credit_limit_cents,
        Card.revolving_used_cents,
        Card.deferred_used_cents,
        Card.minimum_payment_cents,
        Card.payment_due_date,
        _none(Date),
        _none(Numeric(7, 4)),
    ).where(Card.member_id == _MEMBER)


POSITION_QUERY = union_all(_accounts(), _loans(), _investments(), _cards())
"""The whole position; rows are told apart by ``kind`` (A, L, I, C)."""

_SAVINGS_FIRST = {ProductType.SAVINGS: 0, ProductType.CERTIFICATES: 1}


def _parse(rows: Any) -> Position:
    position = Position(accounts=[], loans=[], investments=[], cards=[])
    for kind, id_, number, label, status, extra, extra2, a, b, c, d, d1, d2, rate in rows:
        if kind == "A":
            position.accounts.append(AccountSummary(id_, number, ProductType(label), status, a, b))
        elif kind == "L":
            position.loans.append(LoanSummary(id_, number, label, status, a, b, d2, rate, d1, c))
        elif kind == "I":
            position.investments.append(
                InvestmentSummary(id_, number, status, a, d1, d2, rate, d, b, c)
            )
        else:
            position.cards.append(
                CardSummary(id_, extra, label, number, status, extra2, a, b, c, d, d1)
            )
    position.accounts.sort(key=lambda acc: (_SAVINGS_FIRST.get(acc.product, 9), acc.number))
    position.loans.sort(key=lambda loan: loan.number)
    position.investments.sort(key=lambda inv: inv.number)
    position.cards.sort(key=lambda card: (card.kind != "CREDIT", card.id))
    return position


async def fetch_position(conn: AsyncConnection, member_id: int) -> Position:
    """The member's accounts, loans, investments and cards, in one round trip."""
    result = await conn.execute(POSITION_QUERY, {"member_id": member_id})
    return _parse(result.all())
