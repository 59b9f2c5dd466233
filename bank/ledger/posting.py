"""Posting a journal entry: idempotent, balanced, never overdrawing, in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from bank.ledger import statements as sql
from bank.ledger.errors import (
    AccountNotActive,
    HoldNotActive,
    HoldNotFound,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidRequest,
    LedgerError,
    UnknownAccount,
)
from bank.ledger.plan import Plan, plan, posted_legs
from bank.ledger.types import EntryRequest, PostedEntry, PostedLeg
from bank.models import Account, AccountStatus, HoldStatus, ProductType, utcnow

CERTIFICATES_MESSAGE = "Los certificados de aportación no tienen saldo disponible."


@dataclass(frozen=True)
class _Written:
    """What the postings of a new entry carry besides its legs."""

    entry_id: int
    request: EntryRequest
    at: datetime


@dataclass(frozen=True)
class _Capture:
    hold_id: int
    account_id: int
    amount_cents: int


def post(
    session: Session, request: EntryRequest, *, capture_hold: str | None = None
) -> PostedEntry:
    """Post a balanced journal entry in the caller's transaction (flushed, never committed).

    A second post with the same idempotency key and the same content returns the first result
    with ``replayed=True`` and writes nothing. Accounts are updated in ascending id order with
    a guarded ``UPDATE``, so concurrent debits never overdraw a member account. On refusal
    nothing of the entry stays written, even if the caller commits afterwards.

    Args:
        session: the caller's session (READ COMMITTED on PostgreSQL, the default).
        request: the entry; see :class:`EntryRequest` for the sign convention.
        capture_hold: the idempotency key of an active hold to consume: it is released and
            the entry posted in the same transaction (its account must be debited).

    Returns:
        The posted (or replayed) entry with each leg's balance after.

    Raises:
        InvalidRequest: malformed request. UnbalancedEntry: legs do not sum to zero.
        IdempotencyConflict: the key was used with other content.
        UnknownAccount, AccountNotActive, InsufficientFunds: an account refused the entry.
        HoldNotFound, HoldNotActive: ``capture_hold`` names no active hold.
    """
    prepared = plan(request)
    session.flush()
    conn = session.connection()
    entry_id = _claim(conn, request, prepared)
    if isinstance(entry_id, PostedEntry):
        return entry_id
    written = _Written(entry_id, request, utcnow())
    try:
        capture = _lock_capture(conn, capture_hold, prepared) if capture_hold else None
        finals = _apply(conn, prepared, capture, written)
    except LedgerError:
        conn.execute(sql.DELETE_ENTRY, {"id": entry_id})
        raise
    legs = posted_legs(request.legs, finals, prepared)
    if conn.dialect.name != "postgresql":  # PostgreSQL wrote them with the balances
        _insert_postings(conn, written, legs, prepared)
    if capture:
        _close_hold(conn, capture.hold_id, HoldStatus.CAPTURED, entry_id)
    expire_accounts(session, finals)
    return PostedEntry(entry_id, request.idempotency_key, False, legs)


def _insert_postings(
    conn: Connection, written: _Written, legs: tuple[PostedLeg, ...], prepared: Plan
) -> None:
    conn.execute(
        sql.insert_postings(conn.dialect.name),
        [
            {
                "entry_id": written.entry_id,
                "account_id": leg.account_id,
                "amount_cents": leg.amount_cents,
                "balance_after_cents": leg.balance_after_cents,
                "code": leg.code,
                "description": leg.description,
                "value_date": prepared.value_date,
                "created_at": written.at,
            }
            for leg in legs
        ],
    )


def _claim(conn: Connection, request: EntryRequest, prepared: Plan) -> int | PostedEntry:
    """Insert the entry row (the idempotency lock) or return the replay of the first post."""
    params = {
        "idempotency_key": request.idempotency_key,
        "content_digest": prepared.digest,
        "kind": str(request.kind),
        "description": request.description,
        "value_date": prepared.value_date,
        "created_at": utcnow(),
    }
    # Two rounds at most: if the row we conflicted with vanished (its post was refused and
    # its transaction committed the deletion), the key is free again.
    for _ in range(2):
        entry_id = conn.execute(sql.claim_entry(conn.dialect.name), params).scalar()
        if entry_id is not None:
            return int(entry_id)
        # READ COMMITTED: this statement's fresh snapshot sees the row the insert waited for.
        found = conn.execute(
            select(sql.ENTRIES.c.id, sql.ENTRIES.c.content_digest).where(
                sql.ENTRIES.c.idempotency_key == request.idempotency_key
            )
        ).first()
        if found is not None:
            if found.content_digest != prepared.digest:
                raise IdempotencyConflict()
            return _replay(conn, int(found.id), request.idempotency_key)
    raise LedgerError()


def _replay(conn: Connection, entry_id: int, key: str) -> PostedEntry:
    p = sql.POSTINGS.c
    rows = conn.execute(
        select(p.account_id, p.amount_cents, p.balance_after_cents, p.code, p.description)
        .where(p.entry_id == entry_id)
        .order_by(p.id)
    )
    legs = tuple(PostedLeg(*row) for row in rows)
    return PostedEntry(entry_id, key, True, legs)


def _lock_capture(conn: Connection, key: str, prepared: Plan) -> _Capture:
    hold = conn.execute(sql.lock_hold(conn.dialect.name), {"key": key}).first()
    if hold is None:
        raise HoldNotFound()
    if hold.status != HoldStatus.ACTIVE:
        raise HoldNotActive()
    debited = {c.account_id for c in prepared.changes if c.has_debit}
    if hold.account_id not in debited:
        raise InvalidRequest("La retención no corresponde a la cuenta debitada.")
    return _Capture(int(hold.id), int(hold.account_id), int(hold.amount_cents))


def _apply(
    conn: Connection, prepared: Plan, capture: _Capture | None, written: _Written
) -> dict[int, int]:
    """Update every account of the entry (on PostgreSQL also write its postings); all or none."""
    released = {
        c.account_id: capture.amount_cents if capture and capture.account_id == c.account_id else 0
        for c in prepared.changes
    }
    params = _change_params(prepared, released)
    if conn.dialect.name == "postgresql":
        params.update(_leg_params(written, prepared))
        stmt = sql.apply_and_post(len(prepared.changes), len(written.request.legs))
    else:
        stmt = sql.apply_changes(len(prepared.changes))
    # Under READ COMMITTED the guard sees each row as of the statement's snapshot, and a row
    # whose snapshot version fails it is skipped with no re-check, even if the version
    # committed while we waited for its lock would pass (a concurrent credit or release).
    # The first attempt leaves every row locked by us, so a second one sees the latest.
    for _ in range(2):
        finals = {int(row[0]): int(row[1]) for row in conn.execute(stmt, params)}
        if len(finals) == len(prepared.changes):
            return finals
        if finals:
            # Another account of the entry was refused: take these changes back (rows are ours).
            _undo(conn, prepared, released, finals)
        refusal = _refusal(conn, prepared, released)
        if refusal is not None:
            raise refusal
    raise LedgerError()


def _undo(conn: Connection, prepared: Plan, released: dict[int, int], done: dict[int, int]) -> None:
    conn.execute(
        sql.UNDO_CHANGE,
        [
            {"id": c.account_id, "net": c.net_cents, "rel": released[c.account_id]}
            for c in prepared.changes
            if c.account_id in done
        ],
    )


def _change_params(prepared: Plan, released: dict[int, int]) -> dict[str, object]:
    params: dict[str, object] = {}
    for i, change in enumerate(prepared.changes):
        params[f"a{i}"] = change.account_id
        params[f"n{i}"] = change.net_cents
        params[f"l{i}"] = change.low_cents
        params[f"r{i}"] = released[change.account_id]
        params[f"g{i}"] = int(prepared.guard_certificates and change.has_debit)
    return params


def _leg_params(written: _Written, prepared: Plan) -> dict[str, object]:
    params: dict[str, object] = {
        "entry_id": written.entry_id,
        "value_date": prepared.value_date,
        "created_at": written.at,
    }
    for j, leg in enumerate(written.request.legs):
        params[f"pa{j}"] = leg.account_id
        params[f"pm{j}"] = leg.amount_cents
        params[f"pc{j}"] = leg.code
        params[f"pd{j}"] = leg.description
    return params


def _refusal(conn: Connection, prepared: Plan, released: dict[int, int]) -> LedgerError | None:
    """Why the guarded update refused the entry (the rows are locked by us); None: no reason
    on their latest versions, the update saw a stale one."""
    a = Account.__table__.c
    ids = [c.account_id for c in prepared.changes]
    rows = {
        row.id: row
        for row in conn.execute(
            select(
                a.id, a.status, a.product, a.balance_cents, a.held_cents, a.allow_negative
            ).where(a.id.in_(ids))
        )
    }
    for change in prepared.changes:
        row = rows.get(change.account_id)
        if row is None:
            return UnknownAccount(account_id=change.account_id)
        if row.status != AccountStatus.ACTIVO:
            return AccountNotActive(account_id=change.account_id)
        if (
            prepared.guard_certificates
            and change.has_debit
            and row.product == ProductType.CERTIFICATES
        ):
            return InsufficientFunds(CERTIFICATES_MESSAGE, account_id=change.account_id)
        available = row.balance_cents - row.held_cents + released[change.account_id]
        if not row.allow_negative and available + change.low_cents < 0:
            return InsufficientFunds(account_id=change.account_id)
    return None


def _close_hold(conn: Connection, hold_id: int, status: HoldStatus, entry_id: int | None) -> None:
    conn.execute(
        sql.CLOSE_HOLD,
        {"id": hold_id, "status": status.value, "closed_at": utcnow(), "entry_id": entry_id},
    )


def expire_accounts(session: Session, account_ids: Iterable[int]) -> None:
    """Expire balances of loaded ``Account`` objects the ledger changed behind the ORM's back."""
    if not session.identity_map:
        return
    for account_id in account_ids:
        obj = session.identity_map.get(session.identity_key(Account, account_id))
        if obj is not None:
            session.expire(obj, ["balance_cents", "held_cents"])
