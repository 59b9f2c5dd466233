"""Bulk data for the API benchmark: N members with every product and ~50 movements each.

Written with PostgreSQL ``COPY`` (seconds, not minutes) but shaped exactly as the ledger
writes it: one balanced journal entry per movement (member account against cash), each
posting with its running balance, account balances equal to the sum of their postings.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterable, Sequence
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any

from sqlalchemy import Engine, insert, text
from sqlalchemy.orm import Session

from bank.access.security import hash_password
from bank.ledger import chart
from bank.ledger.movement_codes import DEPOSIT, TRANSFER_DEBIT, WITHDRAWAL
from bank.models import Account, Card, Installment, Investment, Loan, Member, User

PASSWORD = "BenchClave2024"


def username(i: int) -> str:
    """The login of bench member ``i``."""
    return f"bench{i:05d}"


def _copy(
    engine: Engine, table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        with cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        raw.commit()
    finally:
        raw.close()


def _members(n: int) -> list[dict[str, Any]]:
    return [
        {
            "id": i,
            "identification_type": "CEDULA",
            "identification": f"17{i:08d}",
            "first_names": f"SOCIO {i}",
            "last_names": "BENCH",
            "birth_date": date(1985, 1, 1) + timedelta(days=i),
            "civil_status": "SOLTERO",
            "civil_status_verified": True,
            "created_at": datetime.now(UTC),
        }
        for i in range(1, n + 1)
    ]


def _movements(rng: random.Random, count: int, today: date) -> list[tuple[int, int, str, date]]:
    """(amount, code, description, value date) oldest first; never overdraws."""
    balance, out = 0, []
    start = today - timedelta(days=360)
    for k in range(count):
        day = start + timedelta(days=k * 360 // count)
        if balance < 5_000 or rng.random() < 0.45:
            amount, code, desc = rng.randint(2_000, 60_000), DEPOSIT.code, DEPOSIT.description
        else:
            amount = -rng.randint(100, balance // 2)
            code, desc = rng.choice(
                [(WITHDRAWAL.code, WITHDRAWAL.description),
                 (TRANSFER_DEBIT.code, TRANSFER_DEBIT.description)]
            )  # fmt: skip
        balance += amount
        out.append((amount, code, desc, day))
    return out


def _ledger(engine: Engine, accounts: dict[int, int], cash_id: int, today: date) -> int:
    """COPY entries and postings for every member account; return how many postings."""
    rng = random.Random(7)
    now = datetime.now(UTC)
    entries: list[tuple[Any, ...]] = []
    postings: list[tuple[Any, ...]] = []
    balances: dict[int, int] = {}
    cash = 0
    for account_id, count in accounts.items():
        balance = 0
        movements = _movements(rng, count, today) if count > 1 else [
            (43_290, 10, "APORTE CERTIFICADOS DE APORTACION", today - timedelta(days=400))
        ]  # fmt: skip
        for amount, code, desc, day in movements:
            entry_id = len(entries) + 1
            key = f"bench-{entry_id}"
            digest = hashlib.sha256(key.encode()).hexdigest()
            entries.append((entry_id, key, digest, "SEED", desc, day, now))
            balance += amount
            cash -= amount
            postings.append((entry_id, account_id, amount, balance, code, desc, day, now))
            postings.append((entry_id, cash_id, -amount, cash, code, desc, day, now))
        balances[account_id] = balance
    balances[cash_id] = cash
    _copy(engine, "journal_entries",
          ["id", "idempotency_key", "content_digest", "kind", "description", "value_date",
           "created_at"], entries)  # fmt: skip
    _copy(engine, "postings",
          ["entry_id", "account_id", "amount_cents", "balance_after_cents", "code",
           "description", "value_date", "created_at"], postings)  # fmt: skip
    with engine.begin() as conn:
        _reset_sequences(conn, ["journal_entries"])
        for account_id, balance in balances.items():
            conn.execute(
                text("UPDATE accounts SET balance_cents = :b WHERE id = :id"),
                {"b": balance, "id": account_id},
            )
    return len(postings)


def _reset_sequences(conn: Any, tables: Iterable[str]) -> None:
    """Move id sequences past explicitly inserted ids."""
    for table in tables:
        conn.execute(
            text(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        )


def _products(session: Session, n: int, today: date) -> dict[int, int]:
    """Accounts, loans with 12 installments, investments and two cards per member.

    Returns:
        Account id → 0 for savings, 1 for certificates.
    """
    accounts = [row for i in range(1, n + 1) for row in _accounts(i)]
    session.execute(insert(Account), accounts)
    issued = today - timedelta(days=75)
    session.execute(insert(Loan), [_loan(i, issued) for i in range(1, n + 1)])
    session.execute(
        insert(Installment),
        [_installment(i, k, issued) for i in range(1, n + 1) for k in range(1, 13)],
    )
    session.execute(insert(Investment), [_investment(i, issued) for i in range(1, n + 1)])
    session.execute(insert(Card), [row for i in range(1, n + 1) for row in _cards(i, today)])
    return {row["id"]: int(row["product"] == "CERTIFICATES") for row in accounts}


def _accounts(i: int) -> list[dict[str, Any]]:
    return [
        {"id": 2 * i - 1, "number": f"410{i:09d}", "member_id": i, "product": "SAVINGS",
         "status": "ACTIVO", "balance_cents": 0},
        {"id": 2 * i, "number": f"420{i:09d}", "member_id": i, "product": "CERTIFICATES",
         "status": "ACTIVO", "balance_cents": 0},
    ]  # fmt: skip


def _loan(i: int, issued: date) -> dict[str, Any]:
    return {"id": i, "number": f"0118{i:06d}", "member_id": i, "account_id": 2 * i - 1,
            "product_name": "CONSUMO PRIORITARIO ROL DE PAGOS", "amount_cents": 1_375_000,
            "principal_balance_cents": 1_375_000 - 2 * 114_583, "annual_rate": Decimal("0.1583"),
            "term_months": 12, "method": "GERMAN", "issued_on": issued,
            "status": "VIGENTE"}  # fmt: skip


def _installment(i: int, k: int, issued: date) -> dict[str, Any]:
    due = issued + timedelta(days=30 * k)
    return {"loan_id": i, "number": k, "due_date": due, "principal_cents": 114_583,
            "interest_cents": 18_000 - 1_000 * k, "late_fee_cents": 0, "insurance_cents": 1_932,
            "paid_on": due if k <= 2 else None}  # fmt: skip


def _investment(i: int, issued: date) -> dict[str, Any]:
    return {"number": f"{i:06d}", "member_id": i, "amount_cents": 1_000_000, "issued_on": issued,
            "matures_on": issued + timedelta(days=365), "annual_rate": Decimal("0.0790"),
            "days": 365, "interest_earned_cents": 0, "interest_paid_cents": 0}  # fmt: skip


def _cards(i: int, today: date) -> list[dict[str, Any]]:
    return [
        {"member_id": i, "account_id": 2 * i - 1, "kind": "DEBIT", "brand": "MC Débito",
         "masked_number": f"550975XXXXXX{i % 10000:04d}", "pan_digest": f"bench-debit-{i}",
         "status": "ACTIVA"},
        {"member_id": i, "account_id": None, "kind": "CREDIT", "brand": "Mastercard Estandar",
         "masked_number": f"513744XXXXXX{i % 10000:04d}", "pan_digest": f"bench-credit-{i}",
         "status": "ACTIVA", "credit_limit_cents": 995_704, "revolving_used_cents": 153_814,
         "deferred_used_cents": 759_738, "minimum_payment_cents": 70_863,
         "payment_due_date": today + timedelta(days=12)},
    ]  # fmt: skip


def seed(engine: Engine, members: int, movements: int, today: date) -> int:
    """Create ``members`` members with products and about ``movements`` movements each.

    Returns:
        The number of postings written.
    """
    with Session(engine) as session, session.begin():
        session.execute(insert(Member), _members(members))
        password_hash = hash_password(PASSWORD)
        session.execute(
            insert(User),
            [{"member_id": i, "username": username(i), "password_hash": password_hash,
              "role": "MEMBER", "must_change_password": False, "failed_attempts": 0}
             for i in range(1, members + 1)],
        )  # fmt: skip
        kinds = _products(session, members, today)
        _reset_sequences(session.connection(), ["members", "accounts", "loans"])
    with Session(engine) as session, session.begin():
        cash_id = chart.ensure_chart(session)[chart.CASH]
    counts = {
        account_id: 1 if certificates else movements for account_id, certificates in kinds.items()
    }
    postings = _ledger(engine, counts, cash_id, today)
    with engine.begin() as conn:
        conn.execute(text("ANALYZE"))
    return postings
