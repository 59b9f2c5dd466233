"""An account's detail, its movements (ledger postings) and the cards that draw on it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncConnection

from bank.models import Account, Card, CardKind, Member, Posting, ProductType


@dataclass(frozen=True, slots=True)
class AccountDetail:
    """One of the member's accounts, with what "Compartir" needs about its holder."""

    id: int
    number: str
    product: ProductType
    status: str
    currency: str
    balance_cents: int
    held_cents: int
    holder_name: str
    identification: str

    @property
    def available_cents(self) -> int:
        """Saldo disponible: always 0 for contribution certificates."""
        if self.product is ProductType.CERTIFICATES:
            return 0
        return self.balance_cents - self.held_cents


@dataclass(frozen=True, slots=True)
class Movement:
    """One posting on the account, with the balance right after it."""

    id: int
    value_date: date
    code: int
    description: str
    amount_cents: int
    balance_after_cents: int


@dataclass(frozen=True, slots=True)
class DebitCard:
    """A debit card drawing on the account."""

    id: int
    brand: str
    masked_number: str
    status: str


@dataclass(frozen=True, slots=True)
class MovementPage:
    """A page of movements and the total number in the range."""

    total: int
    movements: list[Movement]


_ACCOUNT = (
    select(
        Account.id,
        Account.number,
        Account.product,
        Account.status,
        Account.currency,
        Account.balance_cents,
        Account.held_cents,
        Member.first_names,
        Member.last_names,
        Member.identification,
    )
    .join(Member, Member.id == Account.member_id)
    .where(Account.member_id == bindparam("member_id"), Account.number == bindparam("number"))
)

_MOVEMENT_COLUMNS = (
    Posting.id,
    Posting.value_date,
    Posting.code,
    Posting.description,
    Posting.amount_cents,
    Posting.balance_after_cents,
)


async def get_account(conn: AsyncConnection, member_id: int, number: str) -> AccountDetail | None:
    """The member's account with that number, or None (also for another member's account)."""
    row = (await conn.execute(_ACCOUNT, {"member_id": member_id, "number": number})).first()
    if row is None:
        return None
    return AccountDetail(
        id=row.id,
        number=row.number,
        product=ProductType(row.product),
        status=str(row.status),
        currency=row.currency,
        balance_cents=row.balance_cents,
        held_cents=row.held_cents,
        holder_name=f"{row.first_names} {row.last_names}",
        identification=row.identification,
    )


async def last_movements(conn: AsyncConnection, account_id: int, limit: int = 10) -> list[Movement]:
    """The account's latest postings, newest first."""
    stmt = (
        select(*_MOVEMENT_COLUMNS)
        .where(Posting.account_id == account_id)
        .order_by(Posting.id.desc())
        .limit(limit)
    )
    return [Movement(*row) for row in await conn.execute(stmt)]


async def movements_between(
    conn: AsyncConnection,
    account_id: int,
    since: date,
    until: date,
    *,
    page: int,
    page_size: int,
) -> MovementPage:
    """Postings with a value date in ``[since, until]``, newest first, one page of them."""
    where = (
        Posting.account_id == account_id,
        Posting.value_date >= since,
        Posting.value_date <= until,
    )
    total = (await conn.execute(select(func.count()).where(*where))).scalar_one()
    stmt = (
        select(*_MOVEMENT_COLUMNS)
        .where(*where)
        .order_by(Posting.id.desc())
        .limit(page_size)
        .offset((page - 1) * page_size)
    )
    return MovementPage(total=total, movements=[Movement(*row) for row in await conn.execute(stmt)])


async def debit_cards(conn: AsyncConnection, account_id: int) -> list[DebitCard]:
    """The debit cards drawing on the account."""
    stmt = (
        select(Card.id, Card.brand, Card.masked_number, Card.status)
        .where(Card.account_id == account_id, Card.kind == CardKind.DEBIT)
        .order_by(Card.id)
    )
    return [
        DebitCard(row.id, row.brand, row.masked_number, str(row.status))
        for row in await conn.execute(stmt)
    ]
