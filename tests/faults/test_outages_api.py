"""Outage: the API process is killed mid-journey and started again.

The API holds no journey state (Temporal and the database do), so a member who started a
transfer on one API process confirms it on the next with the same session token. The API
runs as a real ``uvicorn`` process the test kills with SIGKILL; the movement worker runs in
the test, on the dev server, and is never restarted.

Two of Ana's movements are in flight when the API dies: a transfer waiting for its code,
and a bill payment whose confirmation is waiting for the (slow) water company. Afterwards
both are done once: one posting each, the bill paid once, the books sound.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from sqlalchemy.orm import Session, sessionmaker
from temporalio.testing import WorkflowEnvironment

from bank.adapters.billers import SimulatedBillers
from bank.adapters.spi import SimulatedSpi
from tests.api.movement_support import Member, Money, make_member
from tests.faults.invariants import (
    assert_books_sound,
    assert_no_duplicate_messages,
    entries_by_kind,
)
from tests.faults.outage_support import (
    IMMEDIATE,
    FlakyBillers,
    Outage,
    Process,
    api_process,
    money_of,
    movement_worker,
    new_task_queue,
    outage_settings,
    wait_for_state,
)
from tests.support.net import free_port
from tests.support.temporal import terminate_if_running
from workflows.movement.contract import workflow_id

WATER = "EPMAPS"
SUPPLY = "7654321"


@dataclass
class RunningApi:
    process: Process
    task_queue: str


@pytest.fixture
def api(dev_env: WorkflowEnvironment, database_url: str, tmp_path: Path) -> Iterator[RunningApi]:
    """A uvicorn API process on a port of its own, running, on the module's dev server."""
    target = dev_env.client.service_client.config.target_host
    settings = outage_settings(database_url, target, new_task_queue())
    process = api_process(settings, free_port(), tmp_path / "api.log")
    process.start()
    try:
        yield RunningApi(process, settings.task_queue)
    finally:
        process.stop()


@pytest.fixture
async def http(api: RunningApi) -> AsyncIterator[httpx.AsyncClient]:
    """A browser's connection to whichever API process listens on the port."""
    base_url = f"http://127.0.0.1:{api.process.port}"
    async with httpx.AsyncClient(base_url=base_url, timeout=60) as client:
        yield client


def coop(origin: Member, target: Member, amount: str) -> dict[str, object]:
    return {
        "tipo": "COOPROGRESO",
        "cuenta_origen": origin.savings,
        "cuenta_destino": target.savings,
        "monto": amount,
        "referencia": "arriendo",
    }


async def test_a_member_carries_on_after_the_api_is_killed_and_started_again(
    dev_env: WorkflowEnvironment,
    sessions: sessionmaker[Session],
    api: RunningApi,
    http: httpx.AsyncClient,
) -> None:
    with sessions.begin() as session:
        ana = make_member(session, "ana", 100_000)
        beto = make_member(session, "beto", 0)
    billers = FlakyBillers(SimulatedBillers(sessions), Outage())
    receipt = billers.real.issue_bill(WATER, SUPPLY, 713)  # type: ignore[attr-defined]
    task_queue = api.task_queue
    worker = movement_worker(
        dev_env.client,
        task_queue,
        sessions,
        spi=SimulatedSpi(immediate_delay=IMMEDIATE),
        billers=billers,
    )
    money = money_of(http, dev_env.client, sessions, billers)
    try:
        async with worker:
            await _journeys(money, api.process, billers, ana, beto, receipt.number)
    finally:
        billers.outage.speed_up()
        for member_id, key in money.keys:
            await terminate_if_running(
                dev_env.client.get_workflow_handle(workflow_id(member_id, key))
            )
    assert money.balance(ana.savings_id) == 100_000 - 641 - 749
    assert money.balance(beto.savings_id) == 600
    assert billers.paid == {workflow_id(ana.member_id, money.keys[1][1]): 1}
    kinds = entries_by_kind(sessions)
    assert (kinds["COOP_TRANSFER"], kinds["SERVICE_PAYMENT"]) == (1, 1)
    assert_books_sound(sessions)
    assert_no_duplicate_messages(sessions)


async def _journeys(
    money: Money, api: Process, billers: FlakyBillers, ana: Member, beto: Member, receipt: str
) -> None:
    """Both movements through the API's death and second life (see the module docstring)."""
    await money.login(ana)
    transfer, started = await money.start(ana, "/transfers", coop(ana, beto, "6.00"))
    assert started.status_code == 201, started.text
    transfer_code = money.otp_code(ana.member_id)
    bill = {"cuenta_origen": ana.savings, "empresa": WATER, "suministro": SUPPLY}
    payment, started = await money.start(ana, "/services/payments", {**bill, "recibos": [receipt]})
    assert started.status_code == 201, started.text
    billers.outage.slow_down()
    confirming = asyncio.create_task(money.confirm(ana, payment))
    assert await asyncio.to_thread(billers.outage.held.wait, 30)  # debited, company slow

    assert api.kill(signal.SIGKILL) == -signal.SIGKILL
    with pytest.raises(httpx.TransportError):
        await confirming  # the member's page loses its answer
    api.start()

    # Same token, next process: the transfer waiting for its code is confirmed.
    done = await money.confirm(ana, transfer, transfer_code)
    assert done.status_code == 200, done.text
    assert done.json()["estado"] == "EXITOSA"
    # The payment's confirmation was not lost: trying again says so; its page says where.
    again = await money.confirm(ana, payment, "000000")
    assert again.status_code == 409, again.text
    assert again.json()["code"] == "ESTADO_INVALIDO"
    assert again.json()["message"] == "La operación ya no espera un código de seguridad."
    meanwhile = await money.get(ana, payment)
    assert meanwhile.json()["estado"] == "EN_PROCESO"
    billers.outage.speed_up()
    paid = await wait_for_state(money, ana, payment, "EXITOSA")
    assert paid["resumen"]["total"] == "7.49"
    assert api.starts == 2
