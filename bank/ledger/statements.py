"""The ledger's SQL, built once per dialect (and per number of accounts) and then reused.

Statements are Core constructs or ``text()`` so the hot path skips the ORM's unit of work and
SQLAlchemy's compiled cache hits on every call after the first.
"""

from __future__ import annotations

from functools import lru_cache

from sqlalchemy import Insert, Table, TextClause, bindparam, text
from sqlalchemy.dialects import postgresql, sqlite

from bank.models import Hold, JournalEntry, Posting

ENTRIES: Table = JournalEntry.__table__  # type: ignore[assignment]
POSTINGS: Table = Posting.__table__  # type: ignore[assignment]
HOLDS: Table = Hold.__table__  # type: ignore[assignment]


def _insert(dialect: str, table: Table) -> postgresql.Insert | sqlite.Insert:
    # Both dialects spell the upsert the same way; only the construct's class differs.
    return postgresql.insert(table) if dialect == "postgresql" else sqlite.insert(table)


@lru_cache(maxsize=8)
def claim_entry(dialect: str) -> Insert:
    """Insert a journal entry unless its key exists; RETURNING id only when it was inserted.

    On PostgreSQL a concurrent insert of the same key waits on the unique index until the
    other transaction ends, then either inserts (it rolled back) or does nothing (it
    committed): two posts with one key never both write.
    """
    return (
        _insert(dialect, ENTRIES)
        .on_conflict_do_nothing(index_elements=[ENTRIES.c.idempotency_key])
        .returning(ENTRIES.c.id)
    )


@lru_cache(maxsize=8)
def claim_hold(dialect: str) -> Insert:
    """Insert a hold unless its key exists (same concurrency story as :func:`claim_entry`)."""
    return (
        _insert(dialect, HOLDS)
        .on_conflict_do_nothing(index_elements=[HOLDS.c.idempotency_key])
        .returning(HOLDS.c.id)
    )


@lru_cache(maxsize=8)
def insert_postings(dialect: str) -> Insert:
    """Insert postings, one parameter set per leg.

    RETURNING makes SQLAlchemy's "insertmanyvalues" render one multi-row INSERT (a single
    round trip, measured a little faster than psycopg's pipelined executemany).
    """
    return _insert(dialect, POSTINGS).returning(POSTINGS.c.id)


def _values_row(i: int) -> str:
    return (
        f"(CAST(:a{i} AS BIGINT), CAST(:n{i} AS BIGINT), CAST(:l{i} AS BIGINT), "
        f"CAST(:r{i} AS BIGINT), CAST(:g{i} AS INTEGER))"
    )


# The funds rule, evaluated on the row being updated. On PostgreSQL an UPDATE re-checks its
# WHERE clause against the newest committed version of a row it had to wait for (READ
# COMMITTED), so concurrent debits can never both pass on a stale balance.
_GUARD = """
      AND accounts.status = 'ACTIVO'
      AND (accounts.allow_negative
           OR accounts.balance_cents - accounts.held_cents + v.rel + v.low >= 0)
      AND (v.guard = 0 OR accounts.product <> 'CERTIFICATES')
"""


_SET = """
    UPDATE accounts
    SET balance_cents = accounts.balance_cents + v.net,
        held_cents = accounts.held_cents - v.rel
    FROM v"""

# Rows are locked in ascending id order before any is updated (the MATERIALIZED CTE runs as
# an init-plan), so entries touching the same accounts queue instead of deadlocking; its
# count also says whether every account exists (otherwise nothing is updated).
_LOCKED = """
    locked AS MATERIALIZED (
        SELECT accounts.id FROM accounts WHERE accounts.id IN (SELECT v.id FROM v)
        ORDER BY accounts.id FOR NO KEY UPDATE OF accounts
    )"""


def _values(accounts: int) -> str:
    rows = ",\n        ".join(_values_row(i) for i in range(accounts))
    return f"v (id, net, low, rel, guard) AS (VALUES\n        {rows})"


@lru_cache(maxsize=64)
def apply_changes(accounts: int) -> TextClause:
    """Apply every account's net change of one entry in one statement (SQLite).

    Parameters per account ``i`` (ascending id): ``a<i>`` id, ``n<i>`` net change, ``l<i>``
    lowest running change, ``r<i>`` hold amount being released into it, ``g<i>`` 1 when a
    debit on certificates must be refused. Returns ``(id, balance_cents)`` of the rows that
    passed the guard. SQLite serializes writers on its database lock: no row locks to order.
    """
    return text(
        f"WITH {_values(accounts)}{_SET}\n    WHERE accounts.id = v.id{_GUARD}"
        "    RETURNING accounts.id, accounts.balance_cents"
    )


def _leg_row(i: int) -> str:
    return (
        f"({i}, CAST(:pa{i} AS BIGINT), CAST(:pm{i} AS BIGINT), CAST(:pc{i} AS INTEGER), "
        f"CAST(:pd{i} AS VARCHAR))"
    )


@lru_cache(maxsize=256)
def apply_and_post(accounts: int, legs: int) -> TextClause:
    """PostgreSQL: lock, apply every account's change and insert the postings, in one statement.

    Account parameters as in :func:`apply_changes`; per leg ``j`` in order: ``pa<j>`` account,
    ``pm<j>`` amount, ``pc<j>`` code, ``pd<j>`` description; plus ``entry_id``,
    ``value_date`` and ``created_at``. Each posting's balance after is the account's new
    balance minus its net change plus the running sum of its legs. Postings are written only
    if every account passed its guard. Returns ``(id, balance_cents)`` of the updated rows.

    One round trip between taking the row locks and COMMIT keeps a hot account's lock short.
    """
    leg_rows = ",\n        ".join(_leg_row(j) for j in range(legs))
    return text(
        f"""
    WITH {_values(accounts)},
    legs (ord, account_id, amount, code, description) AS (VALUES\n        {leg_rows}),{_LOCKED},
    changed AS ({_SET}
        WHERE accounts.id = v.id
          AND (SELECT count(*) FROM locked) = {accounts}{_GUARD}
        RETURNING accounts.id, accounts.balance_cents, v.net
    ),
    written AS (
        INSERT INTO postings (entry_id, account_id, amount_cents, balance_after_cents, code,
                              description, value_date, created_at)
        SELECT CAST(:entry_id AS BIGINT), legs.account_id, legs.amount,
               changed.balance_cents - changed.net
                 + SUM(legs.amount) OVER (PARTITION BY legs.account_id ORDER BY legs.ord),
               legs.code, legs.description, :value_date, :created_at
        FROM legs JOIN changed ON changed.id = legs.account_id
        WHERE (SELECT count(*) FROM changed) = {accounts}
        ORDER BY legs.ord
    )
    SELECT changed.id, changed.balance_cents FROM changed"""
    ).bindparams(
        bindparam("value_date", type_=POSTINGS.c.value_date.type),
        bindparam("created_at", type_=POSTINGS.c.created_at.type),
    )


UNDO_CHANGE = text(
    "UPDATE accounts SET balance_cents = balance_cents - :net, held_cents = held_cents + :rel "
    "WHERE id = :id"
)
"""Take back one account's change when another account of the same entry was refused."""

DELETE_ENTRY = text("DELETE FROM journal_entries WHERE id = :id")
"""Remove a claimed entry whose post was refused, so nothing is left if the caller commits."""

DELETE_HOLD = text("DELETE FROM holds WHERE id = :id")

RESERVE_HELD = text(
    """
    UPDATE accounts SET held_cents = held_cents + :amount
    WHERE id = :id AND status = 'ACTIVO' AND product <> 'CERTIFICATES'
      AND (allow_negative OR balance_cents - held_cents - :amount >= 0)
    RETURNING id
    """
)
"""Raise an account's held total if its available balance covers the hold."""

RELEASE_HELD = text("UPDATE accounts SET held_cents = held_cents - :amount WHERE id = :id")


def lock_hold(dialect: str) -> TextClause:
    """Read a hold by key, locking it on PostgreSQL (capture and release queue on it)."""
    lock = " FOR UPDATE" if dialect == "postgresql" else ""
    return text(
        "SELECT id, account_id, amount_cents, status FROM holds WHERE idempotency_key = :key" + lock
    )


CLOSE_HOLD = text(
    "UPDATE holds SET status = :status, closed_at = :closed_at, entry_id = :entry_id WHERE id = :id"
).bindparams(bindparam("closed_at", type_=Hold.__table__.c.closed_at.type))

RELEASE_HOLD = text(
    """
    UPDATE holds SET status = 'RELEASED', closed_at = :closed_at
    WHERE idempotency_key = :key AND status = 'ACTIVE'
    RETURNING id, account_id, amount_cents
    """
).bindparams(bindparam("closed_at", type_=Hold.__table__.c.closed_at.type))
"""Close an active hold; no row when it does not exist or is already closed."""
