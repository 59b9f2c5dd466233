"""Harness of the credit API tests: the real app on the test's event loop, a real Temporal
server running the real ``CreditJourneyWorkflow`` with the fake activities of
``tests/workflows/credit_fakes.py`` on a uuid task queue, the real PostgreSQL database and a
local document store in a temporary folder. The Temporal servers are the fixtures of
``tests/support/temporal.py``.

The app is driven with ``httpx.AsyncClient`` over ASGI (not Starlette's TestClient, whose
own event loop would block the worker running on this one). Two servers: the time-skipping
test server for everything that needs 09:00 or 19:00 (it has no visibility list API), and
the dev server for the list endpoints (visibility queries over search attributes).
"""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path

import httpx
from fastapi import FastAPI
from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from api.credit_calls import get_document_store
from api.deps import get_temporal_client
from api.main import API_PREFIX, create_app
from api.routes import credit, credit_signing, officer
from bank.adapters.local_documents import LocalDocumentStore
from bank.core.settings import ApiSettings
from bank.credit.store import save_link
from bank.credit.tokens import derive_token, token_digest
from bank.models import Member, Role
from tests import factories as f
from tests.support.temporal import terminate_all
from tests.workflows.credit_fakes import FakeServices, profile, to_morning
from workflows.credit import calls as act
from workflows.credit.journey import CreditJourneyWorkflow

CAMPAIGN = "PRE2026"
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
OFFICER = "oficial.perez"


@dataclass
class ApiFakes(FakeServices):
    """The workflow fakes; signing links are also saved where the API resolves them."""

    secret_key: str = ""
    sessions: sessionmaker[Session] | None = None
    links: dict[tuple[int, str], str] = field(default_factory=dict)

    @activity.defn(name=act.CREATE_SIGNING_LINKS)
    async def create_links(self, request: act.LinksInput) -> list[act.LinkIssued]:
        assert self.sessions is not None
        issued = []
        wid, generation = request.workflow_id, request.generation
        with self.sessions() as session:
            for r in request.recipients:
                token = derive_token(self.secret_key, wid, generation, r.role)
                save_link(session, wid, generation, r.role, r.member_id, token, request.deadline)
                self.tokens[(generation, r.role)] = token
                self.links[(generation, r.role)] = token
                issued.append(act.LinkIssued(r.role, token_digest(token)))
            session.commit()
        return issued


@dataclass
class Api:
    """What a test drives: the HTTP client, the fakes, the store and the people."""

    http: httpx.AsyncClient
    fakes: ApiFakes
    store: LocalDocumentStore
    task_queue: str
    env: WorkflowEnvironment
    campaign: str = field(default_factory=lambda: f"T{uuid.uuid4().hex[:10].upper()}")
    """A campaign of this test only: member ids restart with every emptied database, and a
    journey left by another test (its worker gone) must never answer for this one."""
    journeys: list[str] = field(default_factory=list)
    """Journeys this test started (terminated at its end)."""

    @property
    def offer_url(self) -> str:
        """The member's journey of this test's campaign."""
        return f"{API_PREFIX}/credit/offers/{self.campaign}"

    def stored(self, prefix: str) -> list[Path]:
        """The files under ``prefix`` in the local document store."""
        folder = self.store.root / "objects" / prefix
        return sorted(folder.iterdir()) if folder.exists() else []

    async def login(self, username: str, password: str = f.PASSWORD) -> dict[str, str]:
        """The Authorization header of a new session."""
        response = await self.http.post(
            f"{API_PREFIX}/auth/login", json={"username": username, "password": password}
        )
        assert response.status_code == 200, response.text
        return {"Authorization": f"Bearer {response.json()['access_token']}"}


def people(session: Session, *usernames: str) -> dict[str, Member]:
    """Members with a login each (username → member) and the officer ``OFFICER``."""
    members = {}
    for name in usernames:
        member = f.make_member(session, first_names=name.upper())
        f.make_user(session, member, username=name)
        members[name] = member
    f.make_user(session, None, username=OFFICER, role=Role.OFFICER)
    session.commit()
    return members


def offer_row(
    identification: str, campaign: str = CAMPAIGN, **changes: object
) -> dict[str, object]:
    """A JSON campaign offer: up to $10,000, 12/24/36 months, 15.83%, valid 60 days."""
    row: dict[str, object] = {
        "campaign_id": campaign,
        "identificacion": identification,
        "monto_maximo": "10000.00",
        "monto_minimo": "500.00",
        "plazos": [12, 24, 36],
        "tasa": "15.83",
        "vigencia_hasta": (date.today() + timedelta(days=60)).isoformat(),
    }
    row.update(changes)
    return row


def build_app(
    settings: ApiSettings, env: WorkflowEnvironment, task_queue: str, store: LocalDocumentStore
) -> FastAPI:
    """The real app with the credit routers, Temporal and the document store replaced."""
    app = create_app(settings)
    for router in (credit.router, credit_signing.router, officer.router):
        if not any(
            getattr(r, "path", "").startswith(f"{API_PREFIX}{router.prefix}") for r in app.routes
        ):
            app.include_router(router, prefix=API_PREFIX)

    async def temporal_client() -> object:
        return env.client

    async def queues() -> officer.JourneyStart:
        return officer.JourneyStart(task_queue, task_queue, "19:00")

    app.dependency_overrides[get_temporal_client] = temporal_client
    app.dependency_overrides[officer.credit_queues] = queues
    app.dependency_overrides[get_document_store] = lambda: store
    return app


@asynccontextmanager
async def running_api(
    settings: ApiSettings,
    env: WorkflowEnvironment,
    tmp_path: Path,
    sessions: sessionmaker[Session] | None = None,
    married: bool = False,
    configure: Callable[[ApiFakes], None] | None = None,
) -> AsyncIterator[Api]:
    """The app and a worker (real workflow, fake activities) on a fresh task queue."""
    task_queue = f"test-{uuid.uuid4()}"
    fakes = ApiFakes(
        profile=profile(married=married), secret_key=settings.secret_key, sessions=sessions
    )
    if configure:
        configure(fakes)
    store = LocalDocumentStore(tmp_path / "documents")
    app = build_app(settings, env, task_queue, store)
    async with (
        Worker(
            env.client,
            task_queue=task_queue,
            workflows=[CreditJourneyWorkflow],
            activities=fakes.all(),
        ),
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as http,
    ):
        api = Api(http, fakes, store, task_queue, env)
        try:
            yield api
        finally:
            await terminate_all(env, task_queue, api.journeys)


async def offered(api: Api, sessions: sessionmaker[Session], *names: str) -> list[dict[str, str]]:
    """Members ``names`` (the first gets an offer of ``api.campaign``); their headers."""
    with sessions() as session:
        members = people(session, *names)
    officer = await api.login(OFFICER)
    body = [offer_row(members[names[0]].identification, api.campaign)]
    loaded = await api.http.post(f"{API_PREFIX}/officer/campaigns", json=body, headers=officer)
    assert loaded.status_code == 200, loaded.text
    member_id = members[names[0]].id  # the signatory's member (links reference it)
    api.fakes.profile = dataclasses.replace(api.fakes.profile, member_id=member_id)
    api.journeys += [o["workflow_id"] for o in loaded.json()["ofertas"]]
    return [await api.login(name) for name in names]


async def send_request(api: Api, headers: dict[str, str]) -> dict[str, object]:
    """Accept, choose $9,900 at 24 months, upload every document and finalize (at 09:00)."""
    url = api.offer_url
    await to_morning(api.env)
    assert (await api.http.post(f"{url}/accept", headers=headers)).status_code == 200
    chosen = await api.http.post(
        f"{url}/choose", json={"monto": 9900, "plazo": 24}, headers=headers
    )
    for kind in chosen.json()["documentos_requeridos"]:
        form = {"fecha_emision": date.today().isoformat()} if kind == "UTILITY_BILL" else {}
        upload = await api.http.post(
            f"{url}/documents/{kind}",
            files={"archivo": ("f.jpg", JPEG)},
            data=form,
            headers=headers,
        )
        assert upload.json()["aceptado"], upload.text
    finalized = await api.http.post(f"{url}/finalize", headers=headers)
    assert finalized.status_code == 200, finalized.text
    result: dict[str, object] = finalized.json()
    return result
