"""Concurrent posts on PostgreSQL: no overdraft, no double post, no deadlock."""

from __future__ import annotations

from bank.ledger import InsufficientFunds, PostedEntry, place_hold, post, reconcile
from tests.bank.ledger_support import balances, counts, fund, open_account, run_together, transfer


def test_concurrent_debits_never_overdraw(sessions):
    with sessions.begin() as s:
        source, target = open_account(s), open_account(s)
        fund(s, source, 10_000)

    def debit(i: int) -> PostedEntry:
        with sessions.begin() as s:
            return post(s, transfer(f"debit-{i}", source, target, 1_000))

    results = run_together(20, debit)

    posted = [r for r in results if isinstance(r, PostedEntry)]
    refused = [r for r in results if isinstance(r, InsufficientFunds)]
    assert len(posted) == 10 and len(refused) == 10, results
    assert balances(sessions, source) == (0, 0)
    assert balances(sessions, target) == (10_000, 0)
    # Each success saw the balance the previous one left: $90, $80, ..., $0.
    assert sorted(r.legs[0].balance_after_cents for r in posted) == list(range(0, 10_000, 1_000))
    with sessions() as s:
        assert reconcile(s) == []


def test_concurrent_posts_with_one_key_post_once(sessions):
    with sessions.begin() as s:
        source, target = open_account(s), open_account(s)
        fund(s, source, 10_000)
    before = counts(sessions)

    def same(_: int) -> PostedEntry:
        with sessions.begin() as s:
            return post(s, transfer("one-key", source, target, 2_500))

    results = run_together(12, same)

    assert all(isinstance(r, PostedEntry) for r in results), results
    assert sum(not r.replayed for r in results) == 1
    assert len({r.entry_id for r in results}) == 1
    assert balances(sessions, source) == (7_500, 0)
    assert counts(sessions) == (before[0] + 1, before[1] + 2)


def test_crossing_transfers_do_not_deadlock(sessions):
    with sessions.begin() as s:
        a, b = open_account(s), open_account(s)
        fund(s, a, 100_000)
        fund(s, b, 100_000)

    def shuffle(i: int) -> int:
        for n in range(15):
            source, target = (a, b) if (i + n) % 2 else (b, a)
            with sessions.begin() as s:
                post(s, transfer(f"cross-{i}-{n}", source, target, 100 + i))
        return i

    results = run_together(8, shuffle)

    assert results == list(range(8))  # no DeadlockDetected (or any other) exception
    assert balances(sessions, a)[0] + balances(sessions, b)[0] == 200_000
    with sessions() as s:
        assert reconcile(s) == []


def test_concurrent_holds_with_one_key_hold_once(sessions):
    with sessions.begin() as s:
        account = open_account(s)
        fund(s, account, 1_000)

    def hold(_: int) -> int:
        with sessions.begin() as s:
            return place_hold(s, "one-hold", account, 600, "PAGO")

    results = run_together(8, hold)

    assert len(set(results)) == 1 and isinstance(results[0], int), results
    assert balances(sessions, account) == (1_000, 600)
    with sessions() as s:
        assert reconcile(s) == []
