"""Holds: funds reserved on an account, lowering its available balance but not its accounting one.

A hold raises ``accounts.held_cents``; releasing it lowers it again; ``post(...,
capture_hold=key)`` releases it and posts the entry in one transaction. Every call is
idempotent by key and, like :func:`bank.ledger.post`, runs in the caller's transaction.
"""

from __future__ import annotations

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from bank.ledger import statements as sql
from bank.ledger.errors import (
    AccountNotActive,
    HoldNotFound,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidRequest,
    LedgerError,
    UnknownAccount,
)
from bank.ledger.plan import MAX_KEY, MAX_LEG_DESCRIPTION
from bank.ledger.posting import CERTIFICATES_MESSAGE, expire_accounts
from bank.models import Account, AccountStatus, HoldStatus, ProductType, utcnow


def place_hold(
    session: Session, idempotency_key: str, account_id: int, amount_cents: int, reason: str
) -> int:
    """Reserve funds on an account.

    Repeating the call with the same key and the same account, amount and reason returns the
    first hold's id and reserves nothing more.

    Args:
        session: the caller's session; nothing is committed here.
        idempotency_key: the hold's key (also used to release or capture it).
        account_id: the account whose available balance is reduced.
        amount_cents: the amount reserved, > 0.
        reason: why (kept on the hold, e.g. "TRANSFERENCIA INTERBANCARIA SPI").

    Returns:
        The hold's id.

    Raises:
        InvalidRequest: bad key, amount or reason.
        IdempotencyConflict: the key holds other content.
        UnknownAccount, AccountNotActive: the account cannot be held.
        InsufficientFunds: the available balance does not cover the amount (always, for
            contribution certificates).
    """
    _check(idempotency_key, amount_cents, reason)
    session.flush()
    conn = session.connection()
    content = (account_id, amount_cents, reason)
    # Reserve first: it is a write, so SQLite takes its write lock before any read, and on
    # PostgreSQL a concurrent twin queues on the account row.
    reserved = conn.execute(sql.RESERVE_HELD, {"id": account_id, "amount": amount_cents}).first()
    if reserved is None:
        existing = _existing(conn, idempotency_key, content)
        if existing is not None:
            return existing
        raise _refusal(conn, account_id)
    hold_id = _insert_hold(conn, idempotency_key, account_id, amount_cents, reason)
    expire_accounts(session, [account_id])
    if hold_id is not None:
        return hold_id
    # The key was taken (a replay, or a twin that committed while we waited): undo ours.
    conn.execute(sql.RELEASE_HELD, {"id": account_id, "amount": amount_cents})
    existing = _existing(conn, idempotency_key, content)
    if existing is None:
        raise LedgerError()
    return existing


def _insert_hold(
    conn: Connection, key: str, account_id: int, amount_cents: int, reason: str
) -> int | None:
    """The new hold's id, or None if the key is already taken."""
    hold_id = conn.execute(
        sql.claim_hold(conn.dialect.name),
        {
            "idempotency_key": key,
            "account_id": account_id,
            "amount_cents": amount_cents,
            "reason": reason,
            "status": HoldStatus.ACTIVE,
            "created_at": utcnow(),
        },
    ).scalar()
    return None if hold_id is None else int(hold_id)


def release_hold(session: Session, idempotency_key: str) -> None:
    """Release an active hold, restoring the available balance.

    Idempotent: releasing a hold that is already released (or was captured by a post) does
    nothing.

    Raises:
        HoldNotFound: no hold has this key.
    """
    session.flush()
    conn = session.connection()
    closed = conn.execute(sql.RELEASE_HOLD, {"key": idempotency_key, "closed_at": utcnow()}).first()
    if closed is None:
        if conn.execute(sql.lock_hold(conn.dialect.name), {"key": idempotency_key}).first() is None:
            raise HoldNotFound()
        return
    conn.execute(sql.RELEASE_HELD, {"id": closed.account_id, "amount": closed.amount_cents})
    expire_accounts(session, [closed.account_id])


def _check(key: str, amount_cents: int, reason: str) -> None:
    if not isinstance(key, str) or not 0 < len(key) <= MAX_KEY:
        raise InvalidRequest("La clave de idempotencia no es válida.")
    if not isinstance(amount_cents, int) or isinstance(amount_cents, bool) or amount_cents <= 0:
        raise InvalidRequest("El monto de la retención debe ser mayor que cero.")
    if not isinstance(reason, str) or not 0 < len(reason) <= MAX_LEG_DESCRIPTION:
        raise InvalidRequest("El motivo de la retención no es válido.")


def _existing(conn: Connection, key: str, content: tuple[int, int, str]) -> int | None:
    h = sql.HOLDS.c
    row = conn.execute(
        select(h.id, h.account_id, h.amount_cents, h.reason).where(h.idempotency_key == key)
    ).first()
    if row is None:
        return None
    if (row.account_id, row.amount_cents, row.reason) != content:
        raise IdempotencyConflict()
    return int(row.id)


def _refusal(conn: Connection, account_id: int) -> LedgerError:
    a = Account.__table__.c
    row = conn.execute(select(a.status, a.product).where(a.id == account_id)).first()
    if row is None:
        return UnknownAccount(account_id=account_id)
    if row.status != AccountStatus.ACTIVO:
        return AccountNotActive(account_id=account_id)
    if row.product == ProductType.CERTIFICATES:
        return InsufficientFunds(CERTIFICATES_MESSAGE, account_id=account_id)
    return InsufficientFunds(account_id=account_id)
