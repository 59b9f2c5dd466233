"""Harness of the schema fuzzing (``test_fuzz.py``): the real app with Temporal up.

Temporal is the dev server (visibility lists and Schedules work) with the real workers of
``workers.main`` (every workflow, every activity, the KYC queue) polling it, all on an event
loop of their own in a background thread: the fuzzer is a synchronous Hypothesis test that
drives the app through Starlette's TestClient (whose own thread runs the app's loop), so
neither loop waits on the other. The app reaches Temporal as in production, through its
lazy client and the settings' address.

The data the fuzzer meets: a member with every product, an officer, a member without a
login (enrollment), one credit journey (loaded by the officer) with a signing link, and a
transfer awaiting its code. ``Known`` holds their identifiers so that a share of the
generated cases address something that exists instead of a 404.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Iterator
from concurrent.futures import Future
from contextlib import AsyncExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import Engine, text
from sqlalchemy.orm import Session

from bank.adapters.mail_sink import start_sink
from bank.adapters.wiring import Adapters
from bank.core.db import session_factory
from bank.core.settings import ApiSettings, CoreSettings, WorkerSettings
from bank.credit.store import save_link
from bank.credit.tokens import derive_token
from bank.models import Base, Role
from tests import factories as f
from tests.api.conftest import login
from tests.support.net import free_port
from tests.support.temporal import dev_server
from workers.main import Components, general_activities, kyc_activities, workers

STARTUP_TIMEOUT = 90.0
"""Seconds for the dev server and the workers to come up (2 shared cores)."""
OFFICER = "oficial.fuzz"
MEMBER = "fuzzer"


def stack_settings(api: ApiSettings, tmp: Path) -> dict[str, object]:
    """What the app and the workers share: queues, folders and the mail sink of this module."""
    queue = f"fuzz-{uuid.uuid4()}"
    return {
        "task_queue": queue,
        "kyc_task_queue": f"{queue}-kyc",
        "document_dir": tmp / "documents",
        "ca_dir": tmp / "ca",
        "mailbox_dir": tmp / "mailbox",
        "smtp_port": free_port(),
        "dev_outbox": True,
        "secret_key": api.secret_key,
        "database_url": api.database_url,
    }


class BackgroundTemporal:
    """The dev server and the real workers on their own event loop, in a thread."""

    def __init__(self, settings: WorkerSettings, engine: Engine) -> None:
        self._settings = settings
        self._engine = engine
        self._ready: Future[str] = Future()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._stop: asyncio.Event | None = None
        self._thread = threading.Thread(target=self._run, name="fuzz-temporal", daemon=True)

    def start(self) -> str:
        """Start the thread; the frontend's address once every worker polls."""
        self._thread.start()
        return self._ready.result(timeout=STARTUP_TIMEOUT)

    def stop(self) -> None:
        """Stop the workers (running activities may finish) and the server."""
        if self._loop is not None and self._stop is not None:
            self._loop.call_soon_threadsafe(self._stop.set)
        self._thread.join(timeout=60)

    def _run(self) -> None:
        try:
            asyncio.run(self._serve())
        except BaseException as exc:  # surfaced to the fixture waiting in start()
            if not self._ready.done():
                self._ready.set_exception(exc)

    async def _serve(self) -> None:
        self._loop, self._stop = asyncio.get_running_loop(), asyncio.Event()
        async with dev_server() as env:
            address = env.client.service_client.config.target_host
            settings = self._settings.model_copy(update={"temporal_address": address})
            adapters = Adapters(settings, session_factory(self._engine))
            parts = Components(self._engine, env.client, adapters, [])
            parts.activities = general_activities(settings, parts)
            parts.kyc_activities = kyc_activities(settings, parts)
            async with AsyncExitStack() as stack:
                for worker in workers(settings, parts):
                    await stack.enter_async_context(worker)
                self._ready.set_result(address)
                await self._stop.wait()


@contextmanager
def temporal_stack(settings: WorkerSettings, engine: Engine) -> Iterator[str]:
    """The mail sink, the dev server and the workers; yields Temporal's address."""
    sink = start_sink(settings.mailbox_dir / "smtp", port=settings.smtp_port)
    background = BackgroundTemporal(settings, engine)
    try:
        yield background.start()
    finally:
        background.stop()
        sink.stop()


@dataclass
class Known:
    """Identifiers of what exists, substituted into a share of the generated paths."""

    values: dict[str, list[str]] = field(default_factory=dict)

    def add(self, name: str, *values: object) -> None:
        """Remember ``values`` for the path parameter ``name``."""
        self.values.setdefault(name, []).extend(str(v) for v in values)


def empty_database(engine: Engine) -> None:
    """Every table truncated (the module's data is its own)."""
    tables = ", ".join(f'"{t.name}"' for t in Base.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {tables} RESTART IDENTITY CASCADE"))


def seed_people(engine: Engine, known: Known) -> tuple[str, str]:
    """The fuzzer (every product), the officer and a member without a login; the
    identifications of the fuzzer (its credit offer is loaded through the officer API) and
    of the member without a login (who enrolls)."""
    with Session(engine) as session:
        bundle = f.make_full_member(session, username=MEMBER)
        f.make_user(session, None, username=OFFICER, role=Role.OFFICER)
        second = f.make_account(session, bundle.member)  # where the seeded transfer goes
        enrollee = f.make_member(session, first_names="ENROLA")
        session.commit()
        known.add("number", bundle.savings.number, second.number)
        known.add("number", bundle.certificates.number, bundle.loan.number)
        known.add("card_id", bundle.debit_card.id, bundle.credit_card.id)
        known.add("enrollment_id", f"enroll-{enrollee.identification}")
        return bundle.member.identification, enrollee.identification


def seed_journeys(
    client: TestClient,
    engine: Engine,
    settings: CoreSettings,
    identifications: tuple[str, str],
    known: Known,
) -> None:
    """A credit offer loaded by the officer (its journey starts on the workers), a signing
    link to it, an enrollment under way and a transfer waiting for its code."""
    identification, enrollee = identifications
    enrolled = client.post(
        "/api/v1/enrollment", json={"tipo_identificacion": "CEDULA", "identificacion": enrollee}
    )
    assert enrolled.status_code < 300, enrolled.text
    officer = login(client, OFFICER, f.PASSWORD)
    campaign = f"FZ{uuid.uuid4().hex[:8].upper()}"
    offer = {
        "campaign_id": campaign,
        "identificacion": identification,
        "monto_maximo": "10000.00",
        "monto_minimo": "500.00",
        "plazos": [12, 24, 36],
        "tasa": "15.83",
        "vigencia_hasta": (date.today() + timedelta(days=60)).isoformat(),
    }
    loaded = client.post("/api/v1/officer/campaigns", json=[offer], headers=officer)
    assert loaded.status_code == 200, loaded.text
    (journey,) = loaded.json()["ofertas"]
    known.add("campaign", campaign)
    known.add("journey_id", journey["workflow_id"])
    token = derive_token(settings.secret_key, journey["workflow_id"], 1, "MEMBER")
    with Session(engine) as session:
        member_id = session.execute(
            text("SELECT id FROM members WHERE identification = :i"), {"i": identification}
        ).scalar_one()
        expires = datetime.now(UTC) + timedelta(days=1)
        save_link(session, journey["workflow_id"], 1, "MEMBER", member_id, token, expires)
        session.commit()
    known.add("token", token)
    shown = client.get(f"/api/v1/officer/journeys/{journey['workflow_id']}", headers=officer)
    assert shown.status_code == 200, shown.text  # a Query the real worker answered
    member = login(client, MEMBER, f.PASSWORD)
    key = uuid.uuid4().hex
    started = client.post(
        "/api/v1/transfers",
        json={
            "tipo": "PROPIAS",
            "cuenta_origen": known.values["number"][0],
            "cuenta_destino": known.values["number"][1],
            "monto": "1.00",
        },
        headers={**member, "Idempotency-Key": key},
    )
    assert started.status_code == 201, started.text  # the preview came from the workflow
    known.add("key", key)
