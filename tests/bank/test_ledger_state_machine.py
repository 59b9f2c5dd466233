"""State machine over the ledger: random transfers, holds, captures, reversals, replays and
blocked accounts, plus (on PostgreSQL) bursts of concurrent writers; after every step the
database equals a model of expected balances to the cent and reconciles with 0 differences.

`tests/bank/test_ledger_properties.py` runs one fixed-shape sequence per example; here the
steps are interleaved freely, each refusal's transaction is committed anyway, and the
outcome of every call (accepted, replayed, which error on which account) is predicted.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import Any, ClassVar, cast

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import event, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from bank.core import migrate
from bank.core.db import make_engine, session_factory
from bank.ledger import (
    EntryKind,
    EntryRequest,
    HoldNotFound,
    LedgerError,
    Leg,
    PostedEntry,
    chart,
    place_hold,
    post,
    reconcile,
    release_hold,
)
from bank.ledger import movement_codes as mc
from bank.models import Account, AccountStatus, HoldStatus, ProductType
from tests.bank.ledger_burst import draw_jobs, run_burst, settle
from tests.bank.ledger_model import Acct, Books, EntryModel, assert_books, assert_refused
from tests.bank.ledger_support import balances, fund, open_account, transfer

FEE, IVA = 36, 5
REASON = "TRANSFERENCIA INTERBANCARIA SPI"
openings = st.integers(0, 20_000)
amounts = st.integers(1, 8_000)
products = st.sampled_from([ProductType.SAVINGS] * 4 + [ProductType.CERTIFICATES])

POSTGRES = settings(
    max_examples=20,
    stateful_step_count=20,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
SQLITE = settings(POSTGRES, max_examples=15, stateful_step_count=15)


class LedgerMachine(RuleBasedStateMachine):
    """Rules call the ledger; `Books` predicts each outcome; the invariant compares."""

    sessions: ClassVar[sessionmaker[Session]]
    concurrent: ClassVar[bool] = False

    accounts = Bundle("accounts")
    holds = Bundle("holds")
    reversible = Bundle("reversible")  # transfers and captures
    reversals = Bundle("reversals")

    def __init__(self) -> None:
        super().__init__()
        self.tag, self.count, self.books = uuid.uuid4().hex[:10], 0, Books()
        # Every key tried, accepted or not: bundles get each key whatever the outcome, so
        # what Hypothesis draws never depends on the order concurrent writers committed in.
        self.attempts: dict[str, tuple[EntryRequest, str | None]] = {}
        self.hold_attempts: dict[str, tuple[int, int]] = {}
        with self.sessions.begin() as s:
            self.gl = chart.ensure_chart(s)
            ids = [self.gl[c] for c in (chart.CASH, chart.FEE_INCOME, chart.IVA_PAYABLE)]
            rows = s.execute(select(Account.id, Account.balance_cents).where(Account.id.in_(ids)))
            for account_id, balance in rows:
                self.books.accounts[account_id] = Acct(account_id, ProductType.INTERNAL, balance)

    # --- helpers ----------------------------------------------------------------------------

    def key(self, what: str) -> str:
        self.count += 1
        return f"sm-{self.tag}-{what}-{self.count}"

    def transfer_request(
        self, key: str, source: int, dest: int, cents: int, fee: bool
    ) -> EntryRequest:
        legs = [Leg.of(mc.TRANSFER_DEBIT, source, -cents)]
        if fee:
            legs += [Leg.of(mc.TRANSFER_FEE, source, -FEE), Leg.of(mc.TRANSFER_IVA, source, -IVA)]
        legs.append(Leg.of(mc.TRANSFER_CREDIT, dest, cents))
        if fee:
            legs += [
                Leg.of(mc.TRANSFER_FEE, self.gl[chart.FEE_INCOME], FEE),
                Leg.of(mc.TRANSFER_IVA, self.gl[chart.IVA_PAYABLE], IVA),
            ]
        return EntryRequest(key, EntryKind.TRANSFER, "Transferencia", tuple(legs))

    def call(self, action: Callable[[Session], Any]) -> Any:
        """Run one ledger call in its own transaction, committed even when it is refused."""
        with self.sessions.begin() as s:
            try:
                return action(s)
            except LedgerError as exc:
                return exc

    def post(self, request: EntryRequest, capture: str | None = None) -> EntryModel | None:
        """Post, check the predicted outcome, update the model; the new entry if accepted."""
        self.attempts.setdefault(request.idempotency_key, (request, capture))
        expected = self.books.post_outcome(request, capture)
        result = self.call(lambda s: post(s, request, capture_hold=capture))
        if isinstance(expected, tuple):
            assert_refused(result, expected)
            if request.idempotency_key not in self.books.entries:
                self.books.refused_keys.add(request.idempotency_key)
            return None
        assert isinstance(result, PostedEntry), result
        lines = [(leg.account_id, leg.amount_cents, leg.code) for leg in result.legs]
        assert lines == [(leg.account_id, leg.amount_cents, leg.code) for leg in request.legs]
        saldo = tuple(leg.balance_after_cents for leg in result.legs)
        if expected is not None:  # a replay: the first post's lines, nothing written again
            assert result.replayed and result.entry_id == expected.entry_id
            assert saldo == expected.balances_after
            return None
        assert not result.replayed
        entry = self.books.apply_post(request, result.entry_id, capture)
        assert saldo == entry.balances_after  # the "Saldo" column, leg by leg, to the cent
        return entry

    # --- rules ------------------------------------------------------------------------------

    def open(self, opening: int, product: ProductType) -> int:
        with self.sessions.begin() as s:
            account_id = open_account(s, product)
        self.books.accounts[account_id] = Acct(account_id, product)
        if opening:
            cash = self.gl[chart.CASH]
            seed = EntryRequest(
                self.key("seed"),
                EntryKind.SEED,
                "Saldo inicial",
                (
                    Leg.of(mc.OPENING_BALANCE, account_id, opening),
                    Leg.of(mc.OPENING_BALANCE, cash, -opening),
                ),
            )
            assert self.post(seed) is not None
        return account_id

    @initialize(target=accounts, opening=st.lists(openings, min_size=2, max_size=3))
    def open_first(self, opening: list[int]) -> Any:
        return multiple(*(self.open(cents, ProductType.SAVINGS) for cents in opening))

    @rule(target=accounts, opening=openings, product=products)
    def open_another(self, opening: int, product: ProductType) -> int:
        return self.open(opening, product)

    @rule(
        target=reversible,
        source=accounts,
        dest=accounts,
        cents=amounts,
        fee=st.booleans(),
        overdraw=st.booleans(),
    )
    def transfer(self, source: int, dest: int, cents: int, fee: bool, overdraw: bool) -> str:
        """A transfer; with ``overdraw``, ``cents`` more than available: refused, nothing moves."""
        if overdraw:
            cents += max(self.books.accounts[source].available, 0)
        request = self.transfer_request(self.key("tx"), source, dest, cents, fee)
        if overdraw:
            assert isinstance(self.books.post_outcome(request, None), tuple)
        self.post(request)
        return request.idempotency_key

    @rule(target=holds, account=accounts, cents=amounts)
    def hold(self, account: int, cents: int) -> str:
        key = self.key("hold")
        self.place_hold(key, account, cents)
        return key

    def place_hold(self, key: str, account: int, cents: int) -> None:
        self.hold_attempts.setdefault(key, (account, cents))
        expected = self.books.hold_outcome(key, account, cents, REASON)
        result = self.call(lambda s: place_hold(s, key, account, cents, REASON))
        if isinstance(expected, tuple):
            assert_refused(result, expected)
        elif expected is not None:
            assert result == expected  # the first hold's id; nothing reserved twice
        else:
            assert type(result) is int, result
            self.books.apply_hold(key, account, cents, REASON, result)

    @rule(hold=holds, more=st.integers(0, 1))
    def repeat_hold(self, hold: str, more: int) -> None:
        """The same key again: the first hold if the content is the same, else refused."""
        account, cents = self.hold_attempts[hold]
        self.place_hold(hold, account, cents + more)

    @rule(
        target=reversible,
        hold=holds,
        active=st.none() | st.integers(0, 1_000),
        capture=st.booleans(),
        dest=accounts,
        share=st.integers(50, 150),
        fee=st.booleans(),
    )
    def close_hold(
        self, hold: str, active: int | None, capture: bool, dest: int, share: int, fee: bool
    ) -> str:
        """Release or capture a hold (an active one when ``active`` picks one and any is)."""
        live = [h.key for h in self.books.holds.values() if h.status is HoldStatus.ACTIVE]
        if active is not None and live:  # chosen after the draw: bursts make `live` vary
            hold = live[active % len(live)]
        account, amount = self.hold_attempts[hold]
        cents = max(1, amount * share // 100 - (FEE + IVA if fee else 0))
        request = self.transfer_request(self.key("cap"), account, dest, cents, fee)
        if capture:
            self.post(request, capture=hold)
            return request.idempotency_key
        result = self.call(lambda s: release_hold(s, hold))
        if hold in self.books.holds:
            assert result is None  # releasing twice, or after a capture, does nothing
            self.books.apply_release(hold)
        else:
            assert_refused(result, (HoldNotFound, None))
        return request.idempotency_key  # never posted: reversing or reposting it is a no-op

    @rule(target=reversals, entry=reversible)
    def reverse(self, entry: str) -> str:
        """Every leg back; credits first so the member's "Saldo" never dips on a reversal."""
        key = f"{entry}:reverso"
        if entry not in self.books.entries:  # refused: nothing to reverse
            return key
        original = self.books.entries[entry].request
        legs = sorted(
            (
                Leg(leg.account_id, -leg.amount_cents, leg.code, f"REVERSO {leg.description}")
                for leg in original.legs
            ),
            key=lambda leg: leg.amount_cents < 0,
        )
        self.post(EntryRequest(key, EntryKind.REVERSAL, "Reverso", tuple(legs)))
        return key

    @rule(entry=st.one_of(reversible, reversals), double=st.booleans())
    def repost(self, entry: str, double: bool) -> None:
        """The same key again: replayed, or refused when the amounts differ; never twice.

        A key whose first post was refused is free again: the repost is a new attempt.
        """
        if entry not in self.attempts:  # a reversal that was never tried
            return
        request, capture = self.attempts[entry]
        if double:
            legs = tuple(replace(leg, amount_cents=leg.amount_cents * 2) for leg in request.legs)
            request = replace(request, legs=legs)
        self.post(request, capture=capture)

    @rule(account=accounts, active=st.sampled_from([True, True, False]))
    def set_status(self, account: int, active: bool) -> None:
        """An officer blocks or reactivates the account (not a ledger call)."""
        status = AccountStatus.ACTIVO if active else AccountStatus.BLOQUEADO
        with self.sessions.begin() as s:
            s.execute(update(Account).where(Account.id == account).values(status=status))
        self.books.accounts[account].active = active

    @precondition(lambda self: self.concurrent)
    @rule(target=reversible, data=st.data())
    def burst(self, data: st.DataObject) -> Any:
        """3-8 writers at once on the model's accounts, each thread its own session."""
        jobs = draw_jobs(data, self.books, self.key, self.transfer_request)
        settle(self.books, jobs, run_burst(self.sessions, jobs))
        for job in jobs:
            if job.request is not None:
                self.attempts.setdefault(job.request.idempotency_key, (job.request, job.capture))
            if job.hold is not None:
                self.hold_attempts[job.hold[0]] = (job.hold[1], job.hold[2])
        return multiple(*dict.fromkeys(j.request.idempotency_key for j in jobs if j.request))

    @invariant()
    def books_match(self) -> None:
        with self.sessions() as s:
            assert_books(s, self.books)


def run_machine(sessions: sessionmaker[Session], *, concurrent: bool) -> None:
    machine = type(
        "PostgresLedger" if concurrent else "SqliteLedger",
        (LedgerMachine,),
        {"sessions": sessions, "concurrent": concurrent},
    )
    run_state_machine_as_test(
        cast(type[RuleBasedStateMachine], machine), settings=POSTGRES if concurrent else SQLITE
    )


def test_ledger_state_machine_with_concurrent_writers_on_postgresql(sessions):
    run_machine(sessions, concurrent=True)


def wait_for_lock_waiter(sessions: sessionmaker[Session]) -> None:
    """Until a session of this (private) database waits for a row lock; a condition, polled."""
    waiting = text(
        "SELECT count(*) FROM pg_stat_activity "
        "WHERE datname = current_database() AND wait_event_type = 'Lock'"
    )
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        with sessions() as s:
            if s.scalar(waiting):
                return
        time.sleep(0.005)
    raise AssertionError("the debit never waited for the account's row lock")


@pytest.mark.parametrize("unblocker", ["credit", "release"])
def test_a_debit_that_waited_for_a_credit_or_release_is_not_refused(sessions, unblocker):
    """Found by the state machine: the guard judged a stale row and refused with no reason.

    The debit's statement takes its snapshot, then waits for the lock another transaction
    holds on the account while it credits $5.00 (or releases a $5.00 hold). Once that
    commits, $12.00 of $15.00 available must go through.
    """
    with sessions.begin() as s:
        source, target, payer = open_account(s), open_account(s), open_account(s)
        fund(s, source, 1_000 if unblocker == "credit" else 1_500)
        fund(s, payer, 5_000)
        if unblocker == "release":
            place_hold(s, "stale-hold", source, 500, REASON)

    def debit(_: int) -> object:
        with sessions.begin() as s:
            return post(s, transfer("stale-debit", source, target, 1_200))

    with sessions.begin() as first:
        if unblocker == "credit":
            post(first, transfer("stale-credit", payer, source, 500))
        else:
            release_hold(first, "stale-hold")
        waiter = ThreadPoolExecutor(1)
        result = waiter.submit(debit, 0)
        wait_for_lock_waiter(sessions)
    posted = result.result(timeout=30)
    waiter.shutdown()

    assert isinstance(posted, PostedEntry), posted
    assert posted.legs[0].balance_after_cents == 300
    assert balances(sessions, source) == (300, 0)
    assert balances(sessions, target) == (1_200, 0)
    with sessions() as s:
        assert reconcile(s) == []


@pytest.fixture(scope="module")
def sqlite_sessions(tmp_path_factory: pytest.TempPathFactory) -> Iterator[sessionmaker[Session]]:
    url = f"sqlite:///{Path(tmp_path_factory.mktemp('ledger-sm')) / 'app.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    # Durability is not under test here; an fsync per commit would be most of the run time.
    event.listen(engine, "connect", lambda conn, _: conn.execute("PRAGMA synchronous=OFF"))
    yield session_factory(engine)
    engine.dispose()


def test_ledger_state_machine_on_sqlite(sqlite_sessions):
    run_machine(sqlite_sessions, concurrent=False)
