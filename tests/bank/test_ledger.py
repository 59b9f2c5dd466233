"""The ledger on PostgreSQL: balanced posting, idempotency, refusals, database guards, reconcile."""

from __future__ import annotations

import pytest
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from bank.ledger import (
    AccountNotActive,
    EntryKind,
    EntryRequest,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidRequest,
    Leg,
    UnbalancedEntry,
    UnknownAccount,
    chart,
    post,
    reconcile,
)
from bank.ledger import movement_codes as mc
from bank.models import Account, AccountStatus, Posting
from tests.bank.ledger_support import balances, counts, fund, open_account, transfer


def manual_transfer(key: str, source: int, target: int, gl: dict[str, int]) -> EntryRequest:
    """The manual's 02/12/2024 transfer: $6.00, commission $0.36 and its IVA $0.05."""
    return EntryRequest(
        key,
        EntryKind.TRANSFER,
        "Transferencia pago directo",
        (
            Leg.of(mc.TRANSFER_DEBIT, source, -600),
            Leg.of(mc.TRANSFER_FEE, source, -36),
            Leg.of(mc.TRANSFER_IVA, source, -5),
            Leg.of(mc.TRANSFER_CREDIT, target, 600),
            Leg.of(mc.TRANSFER_FEE, gl[chart.FEE_INCOME], 36),
            Leg.of(mc.TRANSFER_IVA, gl[chart.IVA_PAYABLE], 5),
        ),
    )


def test_balanced_entry_moves_balances_like_the_manual(sessions):
    with sessions.begin() as s:
        gl = chart.ensure_chart(s)
        source, target = open_account(s), open_account(s)
        fund(s, source, 1977)
        loaded = s.get(Account, source)
        posted = post(s, manual_transfer("tx-1", source, target, gl))
        # The ORM object loaded before the post is refreshed, not stale.
        assert loaded is not None and loaded.balance_cents == 1336

    assert not posted.replayed
    mine = [leg for leg in posted.legs if leg.account_id == source]
    assert [leg.label for leg in mine] == [
        "22050 - ND TRANSFERENCIA PAGO DIRECTO",
        "22049 - COMISIÓN TRANSFERENCIA PAGO DIRECTO",
        "22048 - IVA TRANSFERENCIA PAGO DIRECTO",
    ]
    assert [leg.balance_after_cents for leg in mine] == [1377, 1341, 1336]
    assert balances(sessions, source) == (1336, 0)
    assert balances(sessions, target) == (600, 0)
    assert balances(sessions, gl[chart.FEE_INCOME]) == (36, 0)
    assert balances(sessions, gl[chart.IVA_PAYABLE]) == (5, 0)
    with sessions() as s:
        stored = s.execute(
            select(Posting.amount_cents, Posting.balance_after_cents)
            .where(Posting.entry_id == posted.entry_id, Posting.account_id == source)
            .order_by(Posting.id)
        ).all()
        assert [tuple(row) for row in stored] == [(-600, 1377), (-36, 1341), (-5, 1336)]
        assert reconcile(s) == []


def test_unbalanced_entry_is_refused_in_code(sessions):
    with sessions.begin() as s:
        a, b = open_account(s), open_account(s)
    request = EntryRequest(
        "bad", "TRANSFER", "x", (Leg(a, -100, 0, "RETIRO"), Leg(b, 99, 0, "DEPOSITO"))
    )
    with sessions.begin() as s, pytest.raises(UnbalancedEntry) as refused:
        post(s, request)
    assert refused.value.code == "ASIENTO_DESCUADRADO"
    assert counts(sessions) == (0, 0)


@pytest.mark.parametrize(
    "legs",
    [
        (Leg(1, -100, 0, "X"),),
        (Leg(1, 0, 0, "X"), Leg(2, 0, 0, "X")),
        (Leg(1, -1.5, 0, "X"), Leg(2, 1.5, 0, "X")),  # type: ignore[arg-type]
        (Leg(1, -100, 0, ""), Leg(2, 100, 0, "X")),
        [Leg(1, -100, 0, "X"), Leg(2, 100, 0, "X")],  # not a tuple
    ],
)
def test_malformed_requests_are_refused(sessions, legs):
    with sessions.begin() as s, pytest.raises(InvalidRequest) as refused:
        post(s, EntryRequest("k", "TRANSFER", "x", legs))
    assert refused.value.message  # Spanish, member-facing
    assert counts(sessions) == (0, 0)


def test_database_refuses_an_unbalanced_entry_at_commit(sessions):
    with sessions.begin() as s:
        account = open_account(s)
    with pytest.raises(IntegrityError, match="unbalanced"), sessions.begin() as s:
        entry_id = s.execute(
            text(
                "INSERT INTO journal_entries (idempotency_key, content_digest, kind, description,"
                " value_date, created_at) VALUES ('raw', 'x', 'RAW', 'raw', CURRENT_DATE, now())"
                " RETURNING id"
            )
        ).scalar_one()
        s.execute(
            text(
                "INSERT INTO postings (entry_id, account_id, amount_cents, balance_after_cents,"
                " code, description, value_date, created_at)"
                " VALUES (:e, :a, 500, 500, 1, 'X', CURRENT_DATE, now())"
            ),
            {"e": entry_id, "a": account},
        )
    assert counts(sessions) == (0, 0)


@pytest.mark.parametrize(
    "statement",
    ["UPDATE postings SET amount_cents = amount_cents + 1", "DELETE FROM postings"],
)
def test_postings_are_append_only(sessions, statement):
    with sessions.begin() as s:
        fund(s, open_account(s), 1000)
    with pytest.raises(DBAPIError, match="append-only"), sessions.begin() as s:
        s.execute(text(statement))
    assert counts(sessions) == (1, 2)


def test_a_repeated_post_replays_the_first_result(sessions):
    with sessions.begin() as s:
        gl = chart.ensure_chart(s)
        source, target = open_account(s), open_account(s)
        fund(s, source, 5000)
    with sessions.begin() as s:
        first = post(s, manual_transfer("tx-same", source, target, gl))
    with sessions.begin() as s:
        again = post(s, manual_transfer("tx-same", source, target, gl))
    assert again.replayed and not first.replayed
    assert again.entry_id == first.entry_id
    assert again.legs == first.legs
    assert balances(sessions, source) == (5000 - 641, 0)
    assert counts(sessions) == (2, 8)


def test_the_same_key_with_other_content_is_a_conflict(sessions):
    with sessions.begin() as s:
        source, target = open_account(s), open_account(s)
        fund(s, source, 5000)
        post(s, transfer("tx-k", source, target, 100))
    with sessions.begin() as s, pytest.raises(IdempotencyConflict) as refused:
        post(s, transfer("tx-k", source, target, 200))
    assert refused.value.code == "CLAVE_IDEMPOTENCIA_REUTILIZADA"
    assert balances(sessions, source) == (4900, 0)


@pytest.mark.parametrize("debit_first", [True, False])
def test_insufficient_funds_leaves_nothing_written(sessions, debit_first):
    with sessions.begin() as s:
        # Account ids decide which row the statement meets first; try both orders.
        first, second = open_account(s), open_account(s)
        source, target = (first, second) if debit_first else (second, first)
        fund(s, source, 1000)
    before = counts(sessions)
    # The caller even commits after catching the refusal: still nothing may be written.
    with sessions.begin() as s, pytest.raises(InsufficientFunds) as refused:
        post(s, transfer("tx-big", source, target, 1001))
    assert refused.value.code == "FONDOS_INSUFICIENTES"
    assert refused.value.account_id == source
    assert counts(sessions) == before
    assert balances(sessions, source) == (1000, 0)
    assert balances(sessions, target) == (0, 0)
    with sessions.begin() as s:  # the key is free again for a post that fits
        assert not post(s, transfer("tx-big", source, target, 1000)).replayed
        assert reconcile(s) == []


def test_unknown_and_inactive_accounts_are_refused(sessions):
    with sessions.begin() as s:
        source = open_account(s)
        blocked = open_account(s, status=AccountStatus.BLOQUEADO)
        fund(s, source, 1000)
    with sessions.begin() as s, pytest.raises(UnknownAccount) as unknown:
        post(s, transfer("tx-u", source, 999_999, 100))
    assert unknown.value.account_id == 999_999
    with sessions.begin() as s, pytest.raises(AccountNotActive) as inactive:
        post(s, transfer("tx-b", source, blocked, 100))
    assert inactive.value.account_id == blocked
    assert balances(sessions, source) == (1000, 0)
    with sessions() as s:
        assert reconcile(s) == []


def test_reconcile_is_clean_and_detects_a_tampered_balance(sessions):
    with sessions.begin() as s:
        gl = chart.ensure_chart(s)
        source, target = open_account(s), open_account(s)
        fund(s, source, 10_000)
        post(s, manual_transfer("tx-r", source, target, gl))
        assert reconcile(s) == []
    with sessions.begin() as s:
        s.execute(
            text("UPDATE accounts SET balance_cents = balance_cents + 1 WHERE id = :id"),
            {"id": target},
        )
    with sessions() as s:
        found = {(d.check, d.subject_id, d.expected_cents, d.actual_cents) for d in reconcile(s)}
    assert found == {("ACCOUNT_BALANCE", target, 600, 601), ("LEDGER_TOTAL", None, 0, 1)}


def test_reconcile_detects_a_tampered_hold_total(sessions):
    with sessions.begin() as s:
        account = open_account(s)
        fund(s, account, 1000)
        s.execute(text("UPDATE accounts SET held_cents = 300 WHERE id = :id"), {"id": account})
    with sessions() as s:
        found = [(d.check, d.subject_id, d.expected_cents, d.actual_cents) for d in reconcile(s)]
    assert found == [("ACCOUNT_HELD", account, 0, 300)]
