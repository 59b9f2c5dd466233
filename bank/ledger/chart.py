"""The institution's chart of internal general-ledger accounts.

Every money movement is a balanced entry, so each member movement has a counterpart on one of
these accounts: a deposit credits the member and debits cash, a transfer fee credits fee
income, its IVA credits IVA payable, and so on. Internal accounts have product ``INTERNAL``,
no member, and may go negative (a debit balance on an asset account such as cash or the loan
portfolio is normal under this engine's single sign convention, see ``docs/ledger.md``).

Later code names accounts by constant (``chart.FEE_INCOME``) and resolves ids once with
:func:`ensure_chart`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Table, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bank.models import Account, AccountStatus, ProductType

CASH = "CASH"
FEE_INCOME = "FEE_INCOME"
IVA_PAYABLE = "IVA_PAYABLE"
SPI_CLEARING = "SPI_CLEARING"
LOAN_PORTFOLIO = "LOAN_PORTFOLIO"
INTEREST_INCOME = "INTEREST_INCOME"
INTEREST_EXPENSE = "INTEREST_EXPENSE"
BILLER_SETTLEMENT = "BILLER_SETTLEMENT"
CARD_SETTLEMENT = "CARD_SETTLEMENT"


@dataclass(frozen=True)
class GlAccount:
    """One internal account: a stable code for code, a number and a name for people."""

    code: str
    number: str
    name: str


CHART: tuple[GlAccount, ...] = (
    GlAccount(CASH, "GL-1101", "CAJA / BOVEDA"),
    GlAccount(SPI_CLEARING, "GL-1103", "COMPENSACION SPI"),
    GlAccount(LOAN_PORTFOLIO, "GL-1401", "CARTERA DE CREDITOS"),
    GlAccount(IVA_PAYABLE, "GL-2501", "IVA POR PAGAR"),
    GlAccount(BILLER_SETTLEMENT, "GL-2502", "RECAUDACION SERVICIOS"),
    GlAccount(CARD_SETTLEMENT, "GL-2503", "TARJETAS DE CREDITO"),
    GlAccount(INTEREST_EXPENSE, "GL-4101", "INTERESES PAGADOS"),
    GlAccount(INTEREST_INCOME, "GL-5101", "INTERESES GANADOS"),
    GlAccount(FEE_INCOME, "GL-5401", "COMISIONES POR TRANSFERENCIAS"),
)
"""The whole chart; numbers follow the usual Ecuadorian catalogue groups (1 assets,
2 liabilities, 4 expenses, 5 income)."""

BY_CODE: dict[str, GlAccount] = {account.code: account for account in CHART}


def ensure_chart(session: Session) -> dict[str, int]:
    """Create the internal accounts that are missing and return every one's id.

    Idempotent and safe when two processes run it at once (``INSERT … ON CONFLICT DO
    NOTHING`` on the unique account number). The caller owns the transaction.

    Args:
        session: the caller's session; nothing is committed here.

    Returns:
        A map from chart code (for example ``chart.FEE_INCOME``) to account id.
    """
    session.flush()
    existing = account_ids(session)
    missing = [gl for gl in CHART if gl.code not in existing]
    if not missing:
        return existing
    conn = session.connection()
    table: Table = Account.__table__  # type: ignore[assignment]
    rows = [
        {
            "number": gl.number,
            "member_id": None,
            "product": ProductType.INTERNAL,
            "status": AccountStatus.ACTIVO,
            "name": gl.name,
            "allow_negative": True,
            "opened_on": date.today(),
        }
        for gl in missing
    ]
    insert = postgresql.insert if conn.dialect.name == "postgresql" else sqlite.insert
    # A concurrent ensure_chart may insert the same numbers first: skip those, then re-read.
    conn.execute(insert(table).on_conflict_do_nothing(index_elements=["number"]), rows)
    return account_ids(session)


def account_ids(session: Session) -> dict[str, int]:
    """The ids of the chart's accounts that exist (read only; see :func:`ensure_chart`)."""
    by_number = {gl.number: gl.code for gl in CHART}
    result = session.execute(
        select(Account.number, Account.id).where(Account.number.in_(by_number))
    )
    return {by_number[number]: account_id for number, account_id in result}
