"""The PostgreSQL hot path of /position and the portable path must say exactly the same thing."""

from __future__ import annotations

import asyncio
import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from psycopg._queries import MAX_CACHED_STATEMENT_LENGTH
from psycopg_pool import AsyncConnectionPool
from sqlalchemy import update
from sqlalchemy.orm import Session

from bank.ledger import place_hold
from bank.models import Account, AccountStatus, CardKind, CardStatus
from bank.queries.coalesce import Coalescer
from bank.queries.position_pg import POSITION_SQL, PositionReader
from tests import factories as f
from tests.api.conftest import login


def _varied_members(build: Session) -> list[str]:
    """Members covering every branch of the document; returns their usernames."""
    f.make_full_member(build, username="completo")
    empty = f.make_member(build)
    f.make_user(build, empty, username="vacio")
    odd = f.make_member(build, first_names="ÑUSTA", last_names="PAREDES")
    f.make_user(build, odd, username="variado")
    savings = f.make_account(build, odd, number="410000000099")
    f.make_account(build, odd, number="41000000001")  # shorter number sorts by text
    f.deposit(build, savings, 12_345)
    place_hold(build, "hold-variado", savings.id, 345, "RETENCION")
    f.make_loan(build, odd, savings, term_months=2, paid=2, number="0000000001")
    f.make_loan(build, odd, savings, first_due=date(2024, 11, 5), number="0000000002")
    f.make_investment(build, odd, annual_rate=Decimal("0.1025"), days=90, number="0099")
    f.make_card(build, odd, CardKind.DEBIT, account=savings, status=CardStatus.INACTIVA)
    f.make_card(build, odd, CardKind.CREDIT, limit_cents=100_000, revolving_cents=90_000,
                deferred_cents=20_000, minimum_cents=5_000, due=None)  # fmt: skip
    build.execute(
        update(Account).where(Account.id == savings.id).values(status=AccountStatus.BLOQUEADO)
    )
    build.commit()
    return ["completo", "vacio", "variado"]


@pytest.mark.parametrize("today", [date(2025, 1, 20), date(2024, 11, 5), date(2024, 11, 6)])
def test_both_paths_render_the_same_document(
    client: TestClient, build: Session, app: FastAPI, set_today, today: date
) -> None:
    usernames = _varied_members(build)
    set_today(today)
    core = app.state.core
    assert core.positions is not None  # the tests run on PostgreSQL: the hot path is on
    for username in usernames:
        headers = login(client, username, f.PASSWORD)
        fast = client.get("/api/v1/position", headers=headers)
        app.state.core = dataclasses.replace(core, positions=None)
        try:
            portable = client.get("/api/v1/position", headers=headers)
        finally:
            app.state.core = core
        assert fast.status_code == portable.status_code == 200
        assert fast.json() == portable.json(), username


def test_the_variety_is_really_there(client: TestClient, build: Session, set_today) -> None:
    _varied_members(build)
    set_today(date(2024, 11, 6))

    body = client.get("/api/v1/position", headers=login(client, "variado", f.PASSWORD)).json()

    assert [a["numero"] for a in body["cuentas"]] == ["41000000001", "410000000099"]
    assert body["cuentas"][1]["saldo_disponible"] == "120.00"  # 123.45 minus a 3.45 hold
    assert body["cuentas"][1]["estado"] == "BLOQUEADO"
    paid_off = body["prestamos"][0]
    assert (paid_off["status"], paid_off["valor_a_pagar"]) == ("Cancelado", None)
    assert body["prestamos"][1]["status"] == "Vencido"
    assert body["inversiones"][0]["tasa_interes"] == "10.25%"
    credit = body["tarjetas"][0]
    assert (credit["cupo_disponible"], credit["fecha_max_pago"]) == ("0.00", None)
    assert body["tarjetas"][1]["estado"] == "Inactiva"


def test_the_statement_stays_cacheable_by_psycopg() -> None:
    # Above this length psycopg parses the query text again on every execution.
    assert len(POSITION_SQL) <= MAX_CACHED_STATEMENT_LENGTH


def test_concurrent_requests_get_their_own_member(
    client: TestClient, build: Session, database_url: str
) -> None:
    bundles = [f.make_full_member(build, username=f"socio{i}") for i in range(3)]
    build.commit()
    sessions = [login(client, b.username, f.PASSWORD)["Authorization"] for b in bundles]
    session_ids = [header.split()[1].split(".")[0] for header in sessions]

    async def run() -> list[tuple[Any, ...] | None]:
        async with AsyncConnectionPool(
            database_url, min_size=1, max_size=2, kwargs={"autocommit": True}, open=False
        ) as pool:
            reader = PositionReader(pool, max_in_flight=1)
            keys = [session_ids[i % 3] for i in range(20)] + ["x" * 32]
            return list(await asyncio.gather(*(reader.get(k, date(2025, 1, 20)) for k in keys)))

    rows = asyncio.run(run())

    assert rows[-1] is None  # unknown session
    for i, row in enumerate(rows[:-1]):
        assert row is not None
        assert row[5] == bundles[i % 3].username
        assert bundles[i % 3].savings.number in row[-1]


async def test_the_coalescer_batches_what_arrives_while_busy() -> None:
    batches: list[list[int]] = []

    async def fetch(keys: list[int]) -> list[int]:
        batches.append(keys)
        await asyncio.sleep(0.01)
        return [k * 10 for k in keys]

    coalescer: Coalescer[int, int] = Coalescer(fetch, max_in_flight=1)

    results = await asyncio.gather(*(coalescer.get(k) for k in range(6)))

    assert results == [0, 10, 20, 30, 40, 50]
    assert batches == [[0], [1, 2, 3, 4, 5]]


async def test_a_failed_batch_fails_its_callers_only() -> None:
    async def fetch(keys: list[int]) -> list[int]:
        await asyncio.sleep(0.01)
        if 0 in keys:
            raise RuntimeError("database down")
        return keys

    coalescer: Coalescer[int, int] = Coalescer(fetch, max_in_flight=1)

    results = await asyncio.gather(*(coalescer.get(k) for k in range(3)), return_exceptions=True)

    assert isinstance(results[0], RuntimeError)
    assert results[1:] == [1, 2]


async def test_a_caller_that_goes_away_does_not_disturb_the_batch() -> None:
    release = asyncio.Event()

    async def fetch(keys: list[int]) -> list[int]:
        await release.wait()
        return keys

    coalescer: Coalescer[int, int] = Coalescer(fetch, max_in_flight=1)
    gone = asyncio.ensure_future(coalescer.get(1))
    stays = asyncio.ensure_future(coalescer.get(2))
    await asyncio.sleep(0)
    gone.cancel()
    release.set()

    assert await stays == 2
    assert gone.cancelled()
