"""What the outage tests share: a Temporal dev server the test can kill and start again, a
uvicorn API process likewise, fault-injecting wrappers around the adapters, and the
movement rig (the real app and a real movement worker). The checks every scenario ends
with (books sound, no message delivered twice) are ``tests/faults/invariants.py``'s.

The wrappers wrap the real simulators (SPI, billers, document store, SMS) from the outside:
no product flag is involved, and each counts the calls it saw so a test can assert that the
retries happened.
"""

from __future__ import annotations

import asyncio
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker
from temporalio.api.workflowservice.v1 import GetSystemInfoRequest
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.movements import MovementActivities
from api.main import create_app
from bank.adapters.biller_types import (
    BillerAck,
    BillerNetwork,
    BillerPayment,
    BillerUnavailable,
    BillLookup,
)
from bank.adapters.documents import Document, DocumentStore, StoredDocument
from bank.adapters.errors import DeliveryError
from bank.adapters.sms import SmsSender
from bank.adapters.spi_types import SpiAck, SpiNetwork, SpiOrder, SpiStatus, SpiUnavailable
from bank.adapters.wiring import Adapters
from bank.core.settings import ApiSettings
from bank.core.temporal import (
    DATA_CONVERTER,
    installed_binary,
    search_attribute_definitions,
    type_flag_name,
)
from bank.payments.config import PaymentSettings
from tests.api.movement_support import Member, Money
from workers.devserver import dynamic_config_args
from workflows.movement.workflow import MovementWorkflow

SECRET = "outage-test-secret-0123456789-abcdefghijklmnop"

# ---- processes the test kills ---------------------------------------------------------------


def wait_for_port(
    port: int, timeout: float = 30.0, process: subprocess.Popen[Any] | None = None
) -> None:
    """Block until something accepts TCP connections on 127.0.0.1:``port``.

    Raises:
        AssertionError: if ``process`` exits first or nothing listens within ``timeout``.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise AssertionError(f"process exited with {process.returncode} before listening")
        with socket.socket() as s:
            s.settimeout(0.2)
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise AssertionError(f"nothing listens on port {port} after {timeout} s")


@dataclass
class Process:
    """A child process on a fixed port, startable again on the same port after a kill."""

    command: list[str]
    port: int
    log: Path
    env: dict[str, str] | None = None
    process: subprocess.Popen[bytes] | None = None
    starts: int = 0

    def start(self) -> None:
        """Start the process and wait until it listens on its port."""
        assert self.process is None or self.process.poll() is not None, "already running"
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(
                self.command, stdout=out, stderr=subprocess.STDOUT, env=self.env
            )
        self.starts += 1
        wait_for_port(self.port, process=self.process)

    def kill(self, sig: signal.Signals = signal.SIGKILL) -> int:
        """Send ``sig`` and wait for the process to exit; its exit code."""
        assert self.process is not None
        self.process.send_signal(sig)
        code = self.process.wait(timeout=30)
        _wait_port_free(self.port)
        return code

    def stop(self) -> None:
        """End the process if it still runs (a test's cleanup)."""
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=30)


def _wait_port_free(port: int, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            s.settimeout(0.2)
            if s.connect_ex(("127.0.0.1", port)) != 0:
                return
        time.sleep(0.05)


def temporal_dev_server(port: int, database: Path, log: Path) -> Process:
    """``temporal server start-dev`` persisted in the SQLite file ``database`` on ``port``,
    with the project's search attributes and dynamic config (as ``workers/devserver.py``)."""
    command = [str(installed_binary("temporal")), "server", "start-dev"]
    command += ["--db-filename", str(database), "--port", str(port), "--headless"]
    command += ["--ip", "127.0.0.1", "--log-level", "error"]
    for name, kind in search_attribute_definitions().items():
        command += ["--search-attribute", f"{name}={type_flag_name(kind)}"]
    return Process(command + dynamic_config_args(), port, log)


# ---- fault-injecting wrappers around the adapters -------------------------------------------


@dataclass
class Outage:
    """A switch shared by a wrapper and its test: down (fail every call) or up.

    ``fail_next`` fails that many calls and then comes back up by itself; ``hold`` makes
    every call wait until released (a slow dependency, not a failing one).
    """

    down: bool = False
    fail_next: int = 0
    calls: int = 0
    failures: int = 0
    failed: threading.Event = field(default_factory=threading.Event)
    """Set at the first call refused."""
    held: threading.Event = field(default_factory=threading.Event)
    """Set at the first call held back by :meth:`slow_down`."""
    release: threading.Event = field(default_factory=threading.Event)
    hold: bool = False
    lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        self.release.set()

    def slow_down(self) -> None:
        """From now on calls wait in :meth:`enter` until :meth:`speed_up`."""
        self.hold = True
        self.release.clear()

    def speed_up(self) -> None:
        """Let the waiting calls (and every later one) go on."""
        self.hold = False
        self.release.set()

    def enter(self, error: Callable[[], Exception]) -> None:
        """Count a call; raise ``error()`` while down; wait while slowed down."""
        with self.lock:
            self.calls += 1
            failing = self.down or self.fail_next > 0
            if self.fail_next > 0:
                self.fail_next -= 1
            if failing:
                self.failures += 1
        if failing:
            self.failed.set()
            raise error()
        if self.hold:
            self.held.set()
            self.release.wait(timeout=60)


class FlakySpi:
    """The SPI behind an :class:`Outage`; successful submissions counted by order."""

    def __init__(self, real: SpiNetwork, outage: Outage) -> None:
        self.real, self.outage = real, outage
        self.submitted: Counter[str] = Counter()

    def institutions(self) -> Any:
        return self.real.institutions()

    def submit(self, order: SpiOrder) -> SpiAck:
        self.outage.enter(lambda: SpiUnavailable("SPI fuera de línea (prueba)"))
        ack = self.real.submit(order)
        self.submitted[order.order_id] += 1
        return ack

    def status(self, order: SpiOrder, as_of: datetime) -> SpiStatus:
        self.outage.enter(lambda: SpiUnavailable("SPI fuera de línea (prueba)"))
        return self.real.status(order, as_of)


class FlakyBillers:
    """The biller network: ``pay`` behind an :class:`Outage`, ``lookup`` behind another."""

    def __init__(self, real: BillerNetwork, outage: Outage, lookups: Outage | None = None) -> None:
        self.real, self.outage, self.lookups = real, outage, lookups or Outage()
        self.paid: Counter[str] = Counter()

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def lookup(self, company_code: str, reference: str) -> BillLookup:
        self.lookups.enter(lambda: BillerUnavailable("red de recaudación fuera de línea"))
        return self.real.lookup(company_code, reference)

    def pay(self, payment: BillerPayment) -> BillerAck:
        self.outage.enter(lambda: ConnectionError("red de recaudación fuera de línea (prueba)"))
        ack = self.real.pay(payment)
        self.paid[payment.payment_reference] += 1
        return ack


class FlakyStore:
    """A document store behind an :class:`Outage` (as an unreachable S3), for the calls in
    ``methods`` (all four by default); anything else goes straight to the real store."""

    def __init__(
        self,
        real: DocumentStore,
        outage: Outage,
        methods: frozenset[str] = frozenset({"put", "get", "delete", "exists"}),
    ) -> None:
        self.real, self.outage, self.methods = real, outage, methods

    def __getattr__(self, name: str) -> Any:
        return getattr(self.real, name)

    def _enter(self, method: str) -> None:
        if method in self.methods:
            self.outage.enter(lambda: ConnectionError("almacén de documentos fuera de línea"))

    def put(self, key: str | None, data: bytes, content_type: str) -> StoredDocument:
        self._enter("put")
        return self.real.put(key, data, content_type)

    def get(self, key: str) -> Document:
        self._enter("get")
        return self.real.get(key)

    def delete(self, key: str) -> None:
        self._enter("delete")
        self.real.delete(key)

    def exists(self, key: str) -> bool:
        self._enter("exists")
        return self.real.exists(key)


class FlakySms:
    """An SMS gateway behind an :class:`Outage`; what it accepted, by reference."""

    def __init__(self, real: SmsSender, outage: Outage) -> None:
        self.real, self.outage = real, outage
        self.sent: Counter[str] = Counter()

    def send(self, to: str, text: str, *, reference: str) -> None:
        self.outage.enter(lambda: DeliveryError("pasarela SMS fuera de línea (prueba)"))
        self.real.send(to, text, reference=reference)
        self.sent[reference] += 1


# ---- the movement rig: the real app and a real movement worker ------------------------------


def outage_settings(database_url: str, temporal_address: str, task_queue: str) -> ApiSettings:
    """The API's settings of an outage test: its own task queue, the given Temporal."""
    return ApiSettings(
        database_url=database_url,
        environment="test",
        dev_outbox=False,
        secret_key=SECRET,
        temporal_address=temporal_address,
        task_queue=task_queue,
    )


def new_task_queue() -> str:
    """A task queue of one test."""
    return f"outage-{uuid.uuid4()}"


async def connect(address: str, within: float = 30.0) -> Client:
    """A client of the server at ``address``, once that server answers (it may be starting)."""
    deadline = time.monotonic() + within
    while True:
        try:
            client = await Client.connect(address, data_converter=DATA_CONVERTER)
            await client.workflow_service.get_system_info(GetSystemInfoRequest())
            return client
        except Exception:
            if time.monotonic() > deadline:
                raise
            await asyncio.sleep(0.1)


def movement_worker(
    client: Client,
    task_queue: str,
    sessions: sessionmaker[Session],
    *,
    spi: SpiNetwork,
    billers: BillerNetwork,
    deliver: Callable[[str], object] | None = None,
) -> Worker:
    """A movement worker with the given (wrapped) adapters and the outbox's ``deliver``."""
    activities = MovementActivities(
        sessions,
        rules=PaymentSettings().rules(),
        spi=spi,
        billers=billers,
        secret_key=SECRET,
        deliver=deliver,
    )
    return Worker(
        client,
        task_queue=task_queue,
        workflows=[MovementWorkflow],
        activities=activities.all(),
        activity_executor=ThreadPoolExecutor(8),
    )


def movement_app(
    settings: ApiSettings, sessions: sessionmaker[Session], billers: BillerNetwork
) -> FastAPI:
    """The real app (its own lazy Temporal client from ``settings``), billers given."""
    app = create_app(settings)
    app.state.adapters = Adapters(settings, sessions)
    app.state.adapters.billers = billers
    return app


@asynccontextmanager
async def serving(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    """``app`` started (its lifespan) and an HTTP client over ASGI."""
    async with (
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as http,
    ):
        yield http


def money_of(
    http: httpx.AsyncClient, client: Client, sessions: sessionmaker[Session], billers: Any
) -> Money:
    """The movement tests' driver (login, start, confirm, get, OTP from the outbox)."""
    return Money(http, WorkflowEnvironment.from_client(client), sessions, SECRET, billers)


async def wait_for_state(
    money: Money, member: Member, key: str, wanted: str, within: float = 30.0
) -> dict[str, Any]:
    """Poll ``GET /movements/{key}`` (as the portal does) until ``estado`` is ``wanted``."""
    deadline = time.monotonic() + within
    seen: list[str] = []
    while time.monotonic() < deadline:
        response = await money.get(member, key)
        if response.status_code == 200:
            body: dict[str, Any] = response.json()
            if not seen or seen[-1] != body["estado"]:
                seen.append(body["estado"])
            if body["estado"] == wanted:
                return body
        await asyncio.sleep(0.2)
    raise AssertionError(f"movement {key} never reached {wanted}; saw {seen}")


def interbank(member: Member, amount: str, account: str = "2200134567") -> dict[str, object]:
    """An interbank transfer to Banco Pichincha (immediate credit) of ``amount`` dollars."""
    return {
        "tipo": "INTERBANCARIA",
        "cuenta_origen": member.savings,
        "monto": amount,
        "referencia": "prueba de caida",
        "nuevo_beneficiario": {
            "nombre": "Luis Andrade",
            "tipo_identificacion": "CEDULA",
            "identificacion": "1710034065",
            "cuenta": account,
            "institucion": "0010",
        },
    }


IMMEDIATE = timedelta(seconds=1)
"""The SPI simulator's "acreditación inmediata" delay in these tests."""


def api_process(settings: ApiSettings, port: int, log: Path) -> Process:
    """``uvicorn api.main:app`` on ``port`` with ``settings`` as its environment (COOP_*)."""
    env = {**os.environ, **settings_environment(settings)}
    command = [sys.executable, "-m", "uvicorn", "api.main:app", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--log-level", "warning"]
    return Process(command, port, log, env=env)


def settings_environment(settings: ApiSettings) -> dict[str, str]:
    """The ``COOP_*`` variables that make a new process read ``settings`` again."""
    fields = ("database_url", "environment", "dev_outbox", "secret_key", "temporal_address")
    values = {name: getattr(settings, name) for name in (*fields, "task_queue")}
    return {
        f"COOP_{name.upper()}": str(value).lower() if isinstance(value, bool) else str(value)
        for name, value in values.items()
    }
