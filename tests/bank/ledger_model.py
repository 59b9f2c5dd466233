"""An in-memory model of the ledger for the state-machine tests: what a member should see.

`Books` holds the expected balance and held amount of every account in integer cents, the
holds and the posted entries, and predicts the outcome of each call (accepted, replayed,
refused with which error on which account) from nothing but that state. `assert_books`
compares it with the database after every step.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bank.ledger import (
    CERTIFICATE_DEBIT_KINDS,
    AccountNotActive,
    EntryRequest,
    HoldNotActive,
    HoldNotFound,
    IdempotencyConflict,
    InsufficientFunds,
    LedgerError,
    reconcile,
)
from bank.models import Account, AccountStatus, Hold, HoldStatus, JournalEntry, Posting, ProductType

Refusal = tuple[type[LedgerError], int | None]
"""The error a call must raise and the ``account_id`` it must carry."""


@dataclass
class Acct:
    """One account as the member (or, for internal accounts, the accountant) sees it."""

    id: int
    product: ProductType
    balance: int = 0
    held: int = 0
    active: bool = True

    @property
    def internal(self) -> bool:
        return self.product is ProductType.INTERNAL

    @property
    def available(self) -> int:
        return self.balance - self.held


@dataclass
class HoldModel:
    key: str
    account: int
    amount: int
    reason: str
    hold_id: int
    status: HoldStatus = HoldStatus.ACTIVE


@dataclass(frozen=True)
class EntryModel:
    request: EntryRequest
    entry_id: int
    balances_after: tuple[int, ...]
    capture: str | None = None


@dataclass(frozen=True)
class Change:
    net: int
    low: int
    debited: bool


def changes(request: EntryRequest) -> dict[int, Change]:
    """Per account: net change, lowest running change in leg order, whether it is debited."""
    running: dict[int, int] = defaultdict(int)
    low: dict[int, int] = defaultdict(int)
    debited: set[int] = set()
    for leg in request.legs:
        running[leg.account_id] += leg.amount_cents
        low[leg.account_id] = min(low[leg.account_id], running[leg.account_id])
        if leg.amount_cents < 0:
            debited.add(leg.account_id)
    return {a: Change(running[a], low[a], a in debited) for a in running}


@dataclass
class Books:
    """The expected state, changed only by what the ledger must have accepted."""

    accounts: dict[int, Acct] = field(default_factory=dict)
    holds: dict[str, HoldModel] = field(default_factory=dict)
    entries: dict[str, EntryModel] = field(default_factory=dict)
    entry_ids: set[int] = field(default_factory=set)
    refused_keys: set[str] = field(default_factory=set)

    def members(self) -> list[Acct]:
        return [a for a in self.accounts.values() if not a.internal]

    # --- predictions ------------------------------------------------------------------------

    def post_outcome(
        self, request: EntryRequest, capture: str | None
    ) -> Refusal | EntryModel | None:
        """None: must be accepted; an EntryModel: must replay it; else the refusal."""
        known = self.entries.get(request.idempotency_key)
        if known is not None:
            return known if known.request == request else (IdempotencyConflict, None)
        if capture is not None and capture not in self.holds:
            return (HoldNotFound, None)
        hold = self.holds[capture] if capture else None
        if hold is not None and hold.status is not HoldStatus.ACTIVE:
            return (HoldNotActive, None)
        for account_id, change in sorted(changes(request).items()):
            acct = self.accounts[account_id]
            if not acct.active:
                return (AccountNotActive, account_id)
            if (
                change.debited
                and acct.product is ProductType.CERTIFICATES
                and request.kind not in CERTIFICATE_DEBIT_KINDS
            ):
                return (InsufficientFunds, account_id)
            released = hold.amount if hold is not None and hold.account == account_id else 0
            if not acct.internal and acct.available + released + change.low < 0:
                return (InsufficientFunds, account_id)
        return None

    def hold_outcome(
        self, key: str, account_id: int, amount: int, reason: str
    ) -> Refusal | int | None:
        """None: a new hold; an int: the id of the hold it replays; else the refusal."""
        known = self.holds.get(key)
        if known is not None:
            same = (known.account, known.amount, known.reason) == (account_id, amount, reason)
            return known.hold_id if same else (IdempotencyConflict, None)
        acct = self.accounts[account_id]
        if not acct.active:
            return (AccountNotActive, account_id)
        if acct.product is ProductType.CERTIFICATES or acct.available < amount:
            return (InsufficientFunds, account_id)
        return None

    # --- effects ------------------------------------------------------------------------------

    def apply_post(
        self,
        request: EntryRequest,
        entry_id: int,
        capture: str | None,
        after: tuple[int, ...] | None = None,
    ) -> EntryModel:
        """Record an accepted entry; returns it with each leg's balance after.

        Args:
            after: the balances after as posted, when no serial order predicts them (bursts).
        """
        running = []
        for leg in request.legs:
            self.accounts[leg.account_id].balance += leg.amount_cents
            running.append(self.accounts[leg.account_id].balance)
        if capture is not None:
            hold = self.holds[capture]
            hold.status = HoldStatus.CAPTURED
            self.accounts[hold.account].held -= hold.amount
        entry = EntryModel(request, entry_id, tuple(running) if after is None else after, capture)
        self.entries[request.idempotency_key] = entry
        self.entry_ids.add(entry_id)
        self.refused_keys.discard(request.idempotency_key)
        return entry

    def apply_hold(self, key: str, account_id: int, amount: int, reason: str, hold_id: int) -> None:
        self.holds[key] = HoldModel(key, account_id, amount, reason, hold_id)
        self.accounts[account_id].held += amount

    def apply_release(self, key: str) -> None:
        hold = self.holds[key]
        if hold.status is HoldStatus.ACTIVE:
            hold.status = HoldStatus.RELEASED
            self.accounts[hold.account].held -= hold.amount


def assert_refused(error: object, expected: Refusal) -> None:
    """The call raised the predicted error, naming the predicted account, in Spanish."""
    kind, account_id = expected
    assert type(error) is kind, f"expected {kind.__name__}, got {error!r}"
    assert isinstance(error, LedgerError)
    assert error.account_id == account_id
    assert error.code.isupper() and error.message.strip()


def assert_books(session: Session, books: Books) -> None:
    """Every invariant the issue names, read from the database in one transaction."""
    a, p, h = Account.__table__.c, Posting.__table__.c, Hold.__table__.c
    posted = select(func.coalesce(func.sum(p.amount_cents), 0)).where(p.account_id == a.id)
    held = select(func.coalesce(func.sum(h.amount_cents), 0)).where(
        h.account_id == a.id, h.status == HoldStatus.ACTIVE
    )
    rows = session.execute(
        select(
            a.id,
            a.balance_cents,
            a.held_cents,
            a.status,
            posted.scalar_subquery(),
            held.scalar_subquery(),
        ).where(a.id.in_(list(books.accounts)))
    ).all()
    assert len(rows) == len(books.accounts)
    for account_id, balance, held_cents, status, postings_sum, holds_sum in rows:
        acct = books.accounts[account_id]
        # The model to the cent: saldo contable and retenido (hence saldo disponible).
        assert (balance, held_cents) == (acct.balance, acct.held), account_id
        assert (status == AccountStatus.ACTIVO) == acct.active
        # Each balance is the sum of its postings; held is the sum of its active holds.
        assert (balance, held_cents) == (int(postings_sum), int(holds_sum)), account_id
        if not acct.internal:
            assert balance - held_cents >= 0, account_id
    _assert_entries_and_holds(session, books)
    _assert_global(session)


def _assert_entries_and_holds(session: Session, books: Books) -> None:
    p, h = Posting.__table__.c, Hold.__table__.c
    members = [m.id for m in books.members()]
    touching = select(p.entry_id).where(p.account_id.in_(members))
    sums = dict(
        session.execute(
            select(p.entry_id, func.sum(p.amount_cents))
            .where(p.entry_id.in_(touching))
            .group_by(p.entry_id)
        ).all()
    )
    # Exactly the entries the model accepted touch member accounts: a replay wrote nothing;
    # and each of them sums to zero.
    assert set(sums) == books.entry_ids
    assert all(total == 0 for total in sums.values()), sums
    holds = {
        (row.idempotency_key, row.status, row.amount_cents)
        for row in session.execute(
            select(h.idempotency_key, h.status, h.amount_cents).where(h.account_id.in_(members))
        )
    }
    assert holds == {(m.key, m.status, m.amount) for m in books.holds.values()}
    # Nothing of a refused entry stays, although every refusal's transaction committed.
    e = JournalEntry.__table__.c
    if books.refused_keys:
        left = session.scalars(
            select(e.idempotency_key).where(e.idempotency_key.in_(books.refused_keys))
        ).all()
        assert left == [], left


def _assert_global(session: Session) -> None:
    """Whole-ledger rules in one statement, then the product's own reconcile."""
    a, p, e = Account.__table__.c, Posting.__table__.c, JournalEntry.__table__.c
    reused = select(e.idempotency_key).group_by(e.idempotency_key).having(func.count() > 1)
    overdrawn = (
        select(func.count())
        .select_from(Account)
        .where(~a.allow_negative, a.balance_cents - a.held_cents < 0)
    )
    # No "Saldo" line a member can see is negative, even between the legs of one entry.
    negative_lines = (
        select(func.count())
        .select_from(Posting)
        .join(Account, a.id == p.account_id)
        .where(~a.allow_negative, p.balance_after_cents < 0)
    )
    found = session.execute(
        select(
            select(func.count()).select_from(reused.subquery()).scalar_subquery(),
            overdrawn.scalar_subquery(),
            negative_lines.scalar_subquery(),
        )
    ).one()
    assert tuple(found) == (0, 0, 0), "keys used twice, overdrawn accounts, negative lines"
    assert reconcile(session) == []
