"""Smoke test of the ledger on SQLite, the embedded default."""

from __future__ import annotations

from pathlib import Path

import pytest

from bank.core import migrate
from bank.core.db import make_engine, session_factory
from bank.ledger import (
    EntryKind,
    EntryRequest,
    InsufficientFunds,
    Leg,
    chart,
    place_hold,
    post,
    reconcile,
)
from bank.ledger import movement_codes as mc
from tests.bank.ledger_support import balances, fund, open_account, transfer


def test_post_replay_refusal_and_reconcile_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    sessions = session_factory(engine)
    try:
        with sessions.begin() as s:
            gl = chart.ensure_chart(s)
            source, target = open_account(s), open_account(s)
            fund(s, source, 1977)
        request = EntryRequest(
            "tx-sqlite",
            EntryKind.TRANSFER,
            "Transferencia",
            (
                Leg.of(mc.TRANSFER_DEBIT, source, -600),
                Leg.of(mc.TRANSFER_FEE, source, -36),
                Leg.of(mc.TRANSFER_IVA, source, -5),
                Leg.of(mc.TRANSFER_CREDIT, target, 600),
                Leg.of(mc.TRANSFER_FEE, gl[chart.FEE_INCOME], 36),
                Leg.of(mc.TRANSFER_IVA, gl[chart.IVA_PAYABLE], 5),
            ),
        )
        with sessions.begin() as s:
            posted = post(s, request)
        assert [leg.balance_after_cents for leg in posted.legs[:3]] == [1377, 1341, 1336]
        with sessions.begin() as s:
            again = post(s, request)
        assert again.replayed and again.entry_id == posted.entry_id
        with sessions.begin() as s:
            place_hold(s, "h-sqlite", source, 1000, "PAGO")
            with pytest.raises(InsufficientFunds):
                post(s, transfer("tx-too-big", source, target, 337))
        assert balances(sessions, source) == (1336, 1000)
        with sessions() as s:
            assert reconcile(s) == []
    finally:
        engine.dispose()
