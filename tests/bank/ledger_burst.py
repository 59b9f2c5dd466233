"""Concurrent bursts for the ledger state machine: jobs on threads, then what must hold.

A burst is a handful of posts, holds and releases on the same accounts, each on its own
thread with its own session, released together. The order they commit in is up to
PostgreSQL, so the check is not a replay of one order but what every order must give:
any refusal for funds names an account whose debits in the burst could exceed what it had
available; a key posts at most once; a hold is captured or released at most once; and the
model, updated with what was accepted, equals the database to the cent.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import strategies as st
from sqlalchemy.orm import Session, sessionmaker

from bank.ledger import (
    AccountNotActive,
    EntryRequest,
    HoldNotActive,
    InsufficientFunds,
    PostedEntry,
    place_hold,
    post,
    release_hold,
)
from bank.models import HoldStatus, ProductType
from tests.bank.ledger_model import Books, changes
from tests.bank.ledger_support import run_together


@dataclass(frozen=True)
class Job:
    """One thread's work: a post (maybe capturing a hold), a new hold, or a release."""

    request: EntryRequest | None = None
    capture: str | None = None
    hold: tuple[str, int, int, str] | None = None
    """(key, account, amount, reason)"""
    release: str | None = None

    def run(self, sessions: sessionmaker[Session]) -> object:
        with sessions.begin() as s:
            if self.request is not None:
                return post(s, self.request, capture_hold=self.capture)
            if self.hold is not None:
                return place_hold(s, *self.hold)
            assert self.release is not None
            release_hold(s, self.release)
            return None


AMOUNTS = st.integers(1, 4_000)  # several writers share one balance
REASON = "PAGO CON TARJETA"
TransferRequest = Callable[[str, int, int, int, bool], EntryRequest]
"""(key, source, target, cents, with fee) → the transfer entry."""


def draw_jobs(
    data: st.DataObject, books: Books, key: Callable[[str], str], transfer: TransferRequest
) -> list[Job]:
    """3-6 transfers, holds and twins of a transfer, maybe a capture racing a release or a
    second capture of one active hold."""
    members = st.sampled_from([a.id for a in books.members()])
    jobs: list[Job] = []
    for _ in range(data.draw(st.integers(3, 6), label="writers")):
        kind = data.draw(st.sampled_from(["transfer", "transfer", "hold", "twin"]))
        plain = [j for j in jobs if j.request is not None and j.capture is None]
        if kind == "twin" and plain:
            jobs.append(data.draw(st.sampled_from(plain), label="twin of"))
        elif kind == "hold":
            jobs.append(Job(hold=(key("bhold"), data.draw(members), data.draw(AMOUNTS), REASON)))
        else:
            source, dest = data.draw(members), data.draw(members)
            cents, fee = data.draw(AMOUNTS), data.draw(st.booleans())
            jobs.append(Job(request=transfer(key("btx"), source, dest, cents, fee)))
    # Which holds are still active depends on earlier bursts' commit order: draw the same
    # values whatever it was, and use them only if there is a hold to race on.
    race, pick = data.draw(st.booleans()), data.draw(st.integers(0, 1_000))
    rival_releases, dests = data.draw(st.booleans()), (data.draw(members), data.draw(members))
    active = [h for h in books.holds.values() if h.status is HoldStatus.ACTIVE]
    if race and active:
        held = active[pick % len(active)]
        for dest in dests[: 1 if rival_releases else 2]:
            request = transfer(key("bcap"), held.account, dest, held.amount, False)
            jobs.append(Job(request=request, capture=held.key))
        if rival_releases:
            jobs.append(Job(release=held.key))
    return jobs


def run_burst(sessions: sessionmaker[Session], jobs: list[Job]) -> list[object]:
    """Every job on its own thread, started together; each job's result or exception."""
    return run_together(len(jobs), lambda i: jobs[i].run(sessions))


def settle(books: Books, jobs: list[Job], results: list[object]) -> None:
    """Check the burst's results against what any commit order allows, then update the model."""
    start = {a.id: a.available for a in books.accounts.values()}
    demand: dict[int, int] = defaultdict(int)
    for job in jobs:
        if job.request is not None:
            for account_id, change in changes(job.request).items():
                demand[account_id] -= change.low
        if job.hold is not None:
            demand[job.hold[1]] += job.hold[2]
    closers: dict[str, int] = defaultdict(int)  # jobs that may close each hold
    for job in jobs:
        for key in (job.capture, job.release):
            if key is not None:
                closers[key] += 1

    for job, result in zip(jobs, results, strict=True):
        if isinstance(result, InsufficientFunds):
            acct = books.accounts[result.account_id or 0]
            assert acct.product is ProductType.CERTIFICATES or demand[acct.id] > start[acct.id], (
                f"refused although the burst never asked more than available: {job}"
            )
        elif isinstance(result, AccountNotActive):
            assert not books.accounts[result.account_id or 0].active
        elif isinstance(result, HoldNotActive):
            assert job.capture is not None
            assert books.holds[job.capture].status is not HoldStatus.ACTIVE or (
                closers[job.capture] > 1
            ), job
        elif isinstance(result, BaseException):
            raise AssertionError(f"{job} failed with {result!r}") from result

    _settle_posts(books, jobs, results)
    for job, result in zip(jobs, results, strict=True):
        if job.hold is not None and isinstance(result, int):
            books.apply_hold(*job.hold, hold_id=result)
    for job in jobs:
        if job.release is not None:
            books.apply_release(job.release)  # a no-op if a capture won the race


def _settle_posts(books: Books, jobs: list[Job], results: list[object]) -> None:
    """One entry per key whatever the number of threads posting it; captures at most once."""
    by_key: dict[str, list[tuple[Job, PostedEntry]]] = defaultdict(list)
    for job, result in zip(jobs, results, strict=True):
        if job.request is not None and isinstance(result, PostedEntry):
            by_key[job.request.idempotency_key].append((job, result))
    captured: dict[str, int] = defaultdict(int)
    for accepted in by_key.values():
        assert len({r.entry_id for _, r in accepted}) == 1, accepted
        assert sum(not r.replayed for _, r in accepted) == 1, accepted
        job, first = next((j, r) for j, r in accepted if not r.replayed)
        assert job.request is not None
        after = tuple(leg.balance_after_cents for leg in first.legs)
        entry = books.apply_post(job.request, first.entry_id, job.capture, after)
        if job.capture is not None:
            captured[job.capture] += 1
        # A replay shows the member the same lines (and "Saldo") as the first post.
        assert all(r.legs == first.legs for _, r in accepted)
        assert [leg.amount_cents for leg in first.legs] == [
            leg.amount_cents for leg in entry.request.legs
        ]
    assert all(n == 1 for n in captured.values()), captured
