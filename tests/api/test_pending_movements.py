"""GET /movements: "Operaciones pendientes de confirmar", on the dev server (visibility).

The previews still awaiting their SMS code, newest first, the caller's own only; one that is
confirmed, cancelled or refused is never offered, even before visibility catches up.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy.orm import Session, sessionmaker
from temporalio.testing import WorkflowEnvironment

from api.routes.movements import _still_pending
from bank.core.settings import ApiSettings
from bank.payments.orders import MovementKind
from tests.api.movement_support import Member, Money, running_money
from workflows.movement.contract import MovementState, Status

URL = "/api/v1/movements"
VISIBILITY_WAIT = 10.0
"""Seconds the dev server's visibility store may take to list a new preview."""


@pytest.fixture
async def money(
    api_settings: ApiSettings, dev_env: WorkflowEnvironment, sessions: sessionmaker[Session]
) -> AsyncIterator[Money]:
    """On the dev server, not conftest's time-skipping one: GET /movements lists by visibility."""
    async with running_money(api_settings, dev_env, sessions) as m:
        yield m


def coop(origin: Member, target: Member, amount: str, reference: str) -> dict[str, Any]:
    return {
        "tipo": "COOPROGRESO",
        "cuenta_origen": origin.savings,
        "cuenta_destino": target.savings,
        "monto": amount,
        "referencia": reference,
    }


async def pending(money: Money, member: Member) -> list[dict[str, Any]]:
    response = await money.http.get(URL, headers=member.headers)
    assert response.status_code == 200, response.text
    listed: list[dict[str, Any]] = response.json()
    return listed


async def pending_once_listed(money: Money, member: Member, keys: set[str]) -> list[dict]:
    """The list once visibility shows every key of ``keys`` (it lags the workflow a little)."""
    deadline = time.monotonic() + VISIBILITY_WAIT
    while True:
        listed = await pending(money, member)
        if keys <= {p["id"] for p in listed}:
            return listed
        assert time.monotonic() < deadline, f"{keys} never listed: {listed}"
        await asyncio.sleep(0.1)  # polling an eventually consistent store, not synchronising


async def test_previews_awaiting_their_code_are_listed_newest_first(
    money: Money, people: tuple[Member, Member]
) -> None:
    ana, beto = people
    older, first = await money.start(ana, "/transfers", coop(ana, beto, "6.00", "Arriendo"))
    newer, second = await money.start(ana, "/transfers", coop(ana, beto, "7.25", "Luz"))
    assert first.status_code == second.status_code == 201, (first.text, second.text)

    listed = await pending_once_listed(money, ana, {older, newer})
    assert [p["id"] for p in listed] == [newer, older]
    top = listed[0]
    assert top["tipo"] == "TRANSFERENCIA_COOPROGRESO"
    assert top["estado"] == "ESPERANDO_CODIGO"
    assert top["resumen"]["monto"] == "7.25"
    assert top["resumen"]["total"] == "7.66"
    assert top["resumen"]["referencia"] == "Luz"
    assert top["resumen"]["destino"]["cuenta"].endswith(beto.savings[-4:])
    assert beto.savings not in str(listed) and ana.savings not in str(listed)  # masked
    expires = datetime.fromisoformat(top["codigo_expira"])
    assert timedelta(0) < expires - datetime.now(UTC) <= timedelta(minutes=5)
    assert top["intentos_restantes"] == 5


async def test_only_the_callers_own_operations(money: Money, people) -> None:
    ana, beto = people
    key, _ = await money.start(ana, "/transfers", coop(ana, beto, "6.00", "Solo de Ana"))
    await pending_once_listed(money, ana, {key})
    assert await pending(money, beto) == []
    anonymous = await money.http.get(URL)
    assert anonymous.status_code == 401


async def test_confirmed_cancelled_and_refused_ones_are_not_offered(money: Money, people) -> None:
    ana, beto = people
    waiting, _ = await money.start(ana, "/transfers", coop(ana, beto, "7.00", "Pendiente"))
    cancelled, _ = await money.start(ana, "/transfers", coop(ana, beto, "6.50", "Cancelada"))
    # Started last: its code is the newest SMS of Ana's.
    confirmed, _ = await money.start(ana, "/transfers", coop(ana, beto, "6.00", "Confirmada"))
    _, refused = await money.start(beto, "/transfers", coop(beto, ana, "49.99", "Sin fondos"))
    assert refused.status_code == 422, refused.text
    await pending_once_listed(money, ana, {confirmed, cancelled, waiting})

    done = await money.confirm(ana, confirmed)
    assert done.status_code == 200, done.text
    dropped = await money.http.post(f"{URL}/{cancelled}/cancel", headers=ana.headers)
    assert dropped.status_code == 200, dropped.text

    # At once, before visibility catches up: each candidate's state is read again.
    assert [p["id"] for p in await pending(money, ana)] == [waiting]
    assert await pending(money, beto) == []


def test_an_expired_code_is_not_pending() -> None:
    now = datetime(2025, 1, 20, 15, 0, tzinfo=UTC)
    state = MovementState(Status.AWAITING_OTP, MovementKind.COOP_TRANSFER, "digest")
    state.otp_expires_at = now + timedelta(seconds=1)
    assert _still_pending(state, now)
    state.otp_expires_at = now
    assert not _still_pending(state, now)
    state.otp_expires_at, state.status = now + timedelta(minutes=1), Status.CONFIRMING
    assert not _still_pending(state, now)
