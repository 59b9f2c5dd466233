"""Holds: they lower the available balance, are idempotent, and are released or captured."""

from __future__ import annotations

import pytest

from bank.ledger import (
    HoldNotActive,
    HoldNotFound,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidRequest,
    UnknownAccount,
    place_hold,
    post,
    reconcile,
    release_hold,
)
from tests.bank.ledger_support import balances, fund, open_account, transfer


@pytest.fixture
def funded(sessions):
    """(source with $10.00, target with $0.00)."""
    with sessions.begin() as s:
        source, target = open_account(s), open_account(s)
        fund(s, source, 1000)
    return source, target


def test_a_hold_lowers_the_available_balance_only(sessions, funded):
    source, target = funded
    with sessions.begin() as s:
        place_hold(s, "h-1", source, 700, "TRANSFERENCIA INTERBANCARIA")
    assert balances(sessions, source) == (1000, 700)  # saldo contable $10, disponible $3
    with sessions.begin() as s, pytest.raises(InsufficientFunds):
        post(s, transfer("tx-over", source, target, 301))
    with sessions.begin() as s:
        post(s, transfer("tx-fits", source, target, 300))
    assert balances(sessions, source) == (700, 700)
    with sessions() as s:
        assert reconcile(s) == []


def test_place_hold_is_idempotent_and_checks_content(sessions, funded):
    source, _ = funded
    with sessions.begin() as s:
        first = place_hold(s, "h-2", source, 400, "PAGO")
    with sessions.begin() as s:
        assert place_hold(s, "h-2", source, 400, "PAGO") == first
    with sessions.begin() as s, pytest.raises(IdempotencyConflict):
        place_hold(s, "h-2", source, 500, "PAGO")
    assert balances(sessions, source) == (1000, 400)


def test_a_hold_beyond_the_available_balance_is_refused(sessions, funded):
    source, _ = funded
    with sessions.begin() as s:
        place_hold(s, "h-3", source, 600, "PAGO")
    with sessions.begin() as s, pytest.raises(InsufficientFunds):
        place_hold(s, "h-4", source, 401, "PAGO")
    with sessions.begin() as s, pytest.raises(UnknownAccount):
        place_hold(s, "h-5", 999_999, 1, "PAGO")
    with sessions.begin() as s, pytest.raises(InvalidRequest):
        place_hold(s, "h-6", source, 0, "PAGO")
    assert balances(sessions, source) == (1000, 600)


def test_release_restores_the_available_balance_and_is_idempotent(sessions, funded):
    source, _ = funded
    with sessions.begin() as s:
        place_hold(s, "h-7", source, 1000, "PAGO")
    with sessions.begin() as s:
        release_hold(s, "h-7")
        release_hold(s, "h-7")
    assert balances(sessions, source) == (1000, 0)
    with sessions.begin() as s, pytest.raises(HoldNotFound):
        release_hold(s, "no-such-hold")
    with sessions() as s:
        assert reconcile(s) == []


def test_capture_turns_the_hold_into_the_posting(sessions, funded):
    source, target = funded
    with sessions.begin() as s:
        place_hold(s, "h-8", source, 1000, "TRANSFERENCIA")
    # The whole balance is held: only capturing that hold can move it.
    with sessions.begin() as s:
        posted = post(s, transfer("tx-cap", source, target, 1000), capture_hold="h-8")
    assert posted.legs[0].balance_after_cents == 0
    assert balances(sessions, source) == (0, 0)
    assert balances(sessions, target) == (1000, 0)
    with sessions.begin() as s:
        # A replay of the post returns the first result; the hold is not captured twice.
        assert post(s, transfer("tx-cap", source, target, 1000), capture_hold="h-8").replayed
        release_hold(s, "h-8")  # already captured: nothing to release
    with sessions.begin() as s, pytest.raises(HoldNotActive):
        post(s, transfer("tx-cap-2", target, source, 10), capture_hold="h-8")
    with sessions() as s:
        assert reconcile(s) == []


def test_a_refused_capture_keeps_the_hold(sessions, funded):
    source, target = funded
    with sessions.begin() as s:
        place_hold(s, "h-9", source, 500, "TRANSFERENCIA")
    with sessions.begin() as s, pytest.raises(InsufficientFunds):
        post(s, transfer("tx-cap-big", source, target, 1001), capture_hold="h-9")
    with sessions.begin() as s, pytest.raises(InvalidRequest):
        post(s, transfer("tx-cap-other", target, source, 1), capture_hold="h-9")
    assert balances(sessions, source) == (1000, 500)
    with sessions() as s:
        assert reconcile(s) == []
