"""Traces across API → workflow → activity: a member's transfer, started and confirmed over
HTTP on the real app, run by the real movement workflow and activities on a worker whose
client carries the SDK's ``TracingInterceptor`` (``bank.core.temporal.connect`` with tracing
on), every span caught by an in-memory exporter. And no secret — password, bearer token,
SMS code, signing link, card PIN — in any span or metric label."""

from __future__ import annotations

import re
import secrets
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.card_pins import CardPinActivities
from api.deps import get_temporal_client
from api.main import API_PREFIX, create_app
from api.observability import tracing as api_tracing
from bank.cards import pins
from bank.core import metrics, tracing
from bank.core.settings import ApiSettings
from bank.core.temporal import connect
from bank.models import CardKind, OutboundMessage
from bank.notifications.outbox import unseal
from tests import factories as f
from tests.api.movement_support import OTP_RE, make_member, running_money
from workflows.card_pin.workflow import CardPinChangeWorkflow


@pytest.fixture
def api_settings(database_url: str) -> ApiSettings:
    return ApiSettings(
        database_url=database_url,
        environment="test",
        secret_key="test-secret-key-0123456789-abcdefghijklmnop",
        temporal_address="127.0.0.1:1",
    )


@pytest.fixture
def exporter() -> Iterator[InMemorySpanExporter]:
    """Tracing on for this test only: every span ends up in memory."""
    spans = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(spans))
    tracing.use(provider)
    yield spans
    tracing.use(None)
    metrics.use(None)  # the traced app made itself the business counters' sink


@dataclass
class Traced:
    spans: list[ReadableSpan]
    secrets: dict[str, str]
    """What must never be written: password, bearer token, SMS code, signing token."""
    scrape: str
    """The app's /metrics after the requests."""


@pytest.fixture
async def traced_client(
    exporter: InMemorySpanExporter,
    api_settings: ApiSettings,
    time_skipping_env: WorkflowEnvironment,
) -> Client:
    """A client of the test server built as the processes build theirs, tracing on."""
    server = time_skipping_env.client.service_client.config.target_host
    settings = {"temporal_address": server, "temporal_namespace": "default"}
    return await connect(api_settings.model_copy(update=settings))


@pytest.fixture
async def transfer(
    exporter: InMemorySpanExporter,
    traced_client: Client,
    api_settings: ApiSettings,
    sessions: sessionmaker[Session],
) -> AsyncIterator[Traced]:
    """Ana sends Beto $6.00 (start, then confirm with the SMS code) and opens a signing link."""
    env = WorkflowEnvironment.from_client(traced_client)
    async with running_money(api_settings, env, sessions) as money:
        with money.sessions.begin() as session:
            ana, beto = make_member(session, "ana", 100_000), make_member(session, "beto", 0)
        ana = await money.login(ana)
        body = {
            "tipo": "COOPROGRESO",
            "cuenta_origen": ana.savings,
            "cuenta_destino": beto.savings,
            "monto": "6.00",
            "referencia": "Pago arriendo",
        }
        key, started = await money.start(ana, "/transfers", body)
        assert started.status_code == 201, started.text
        code = money.otp_code(ana.member_id)
        done = await money.confirm(ana, key, code)
        assert done.json()["estado"] == "EXITOSA", done.text
        assert money.balance(beto.savings_id) == 600
        link = secrets.token_urlsafe(32)
        assert (await money.http.get(f"{API_PREFIX}/signing/{link}")).status_code == 404
        assert (await money.http.get(f"/firma/{link}")).status_code == 200
        scrape = (await money.http.get("/metrics")).text
    yield Traced(
        spans=list(exporter.get_finished_spans()),
        secrets={
            "password": f.PASSWORD,
            "token": ana.headers["Authorization"].removeprefix("Bearer "),
            "sms code": code,
            "signing link": link,
        },
        scrape=scrape,
    )


def named(spans: list[ReadableSpan], name: str) -> ReadableSpan:
    [span] = [span for span in spans if span.name == name]
    return span


def trace_of(spans: list[ReadableSpan], name: str) -> list[str]:
    """The names of every span in the trace of the span called ``name``."""
    root = named(spans, name).context
    assert root is not None
    return sorted(s.name for s in spans if s.context and s.context.trace_id == root.trace_id)


async def test_a_request_is_one_trace_from_the_route_to_the_activity(transfer: Traced) -> None:
    spans = transfer.spans
    started = trace_of(spans, "POST /api/v1/transfers")
    for hop in (
        "StartUpdateWithStartWorkflow:MovementWorkflow",  # the API's client: start + preview
        "RunWorkflow:MovementWorkflow",  # the worker, in the workflow's sandbox
        "HandleUpdate:preview",
        "StartActivity:movement.prepare",  # a local activity, scheduled by the workflow…
        "RunActivity:movement.prepare",  # …that priced it and sent the code
        # The workflow's spans stay in the trace that started it: the confirmation's too.
        "HandleUpdate:confirm",
        "RunActivity:movement.execute",
        "CompleteWorkflow:MovementWorkflow",
    ):
        assert hop in started, f"{hop} is not in the transfer's trace: {started}"
    confirmed = trace_of(spans, "POST /api/v1/movements/{key}/confirm")
    assert confirmed == ["POST /api/v1/movements/{key}/confirm", "StartWorkflowUpdate:confirm"]
    # …and the confirmation request's trace is linked from the update it made.
    update = named(spans, "StartWorkflowUpdate:confirm").context
    handled = named(spans, "HandleUpdate:confirm")
    assert update is not None
    assert [link.context.span_id for link in handled.links] == [update.span_id]


def everything_written(spans: list[ReadableSpan]) -> str:
    """Every name, status, attribute and event of ``spans``, one per line."""
    written = []
    for span in spans:
        written += [span.name, str(span.status.description or "")]
        written += [f"{k}={v!s}" for k, v in (span.attributes or {}).items()]
        for event in span.events:
            written += [event.name, *(f"{k}={v!s}" for k, v in (event.attributes or {}).items())]
        for link in span.links:
            written += [f"{k}={v!s}" for k, v in (link.attributes or {}).items()]
    return "\n".join(written)


async def test_no_secret_in_any_span_or_metric_label(transfer: Traced) -> None:
    text = everything_written(transfer.spans)
    assert "GET /firma/{token}" in text  # the link's request was traced…
    assert "http.target=/api/v1/signing/{token}" in text  # …by its template
    for what, secret in transfer.secrets.items():
        assert secret not in text, f"the {what} is in a span"
        assert secret not in transfer.scrape, f"the {what} is in a metric label"
    assert 'route="/firma/{token}"' in transfer.scrape


def test_tracing_off_adds_no_interceptor_and_no_middleware(api_settings: ApiSettings) -> None:
    assert tracing.configure("none", "cooprogreso-test") is None
    assert tracing.interceptors() == []
    assert api_tracing.install(create_app(api_settings)) is False
    metrics.use(None)


def newest_code(sessions: sessionmaker[Session], secret_key: str) -> str:
    """The code of the newest SMS, as the member reads it."""
    with sessions() as session:
        message = session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.template == "otp")
            .order_by(OutboundMessage.id.desc())
        ).first()
        assert message is not None
        sms = unseal(secret_key, message.idempotency_key, message.body_text)
    found = OTP_RE.search(sms)
    assert found is not None, sms
    return found.group(1)


async def test_no_pin_nor_code_in_the_spans_of_a_pin_change(
    exporter: InMemorySpanExporter,
    traced_client: Client,
    api_settings: ApiSettings,
    sessions: sessionmaker[Session],
) -> None:
    """Cambiar clave with a wrong code first, then the right one, traced end to end."""
    task_queue = f"test-{uuid.uuid4()}"
    settings = api_settings.model_copy(update={"task_queue": task_queue})
    app = create_app(settings)

    async def temporal() -> Client:
        return traced_client

    app.dependency_overrides[get_temporal_client] = temporal
    with sessions.begin() as session:
        member = f.make_member(session)
        f.make_user(session, member, username="gsilva")
        card = f.make_card(session, member, CardKind.DEBIT, account=f.make_account(session, member))
        pins.set_initial(session, settings.secret_key, card, "4821")
        session.flush()
        card_id = card.id
    acts = CardPinActivities(sessions, secret_key=settings.secret_key)
    async with (
        Worker(
            traced_client,
            task_queue=task_queue,
            workflows=[CardPinChangeWorkflow],
            activities=acts.all(),
            activity_executor=ThreadPoolExecutor(4),
        ),
        app.router.lifespan_context(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as http,
    ):
        login = await http.post(
            f"{API_PREFIX}/auth/login", json={"username": "gsilva", "password": f.PASSWORD}
        )
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        pin = f"{API_PREFIX}/cards/{card_id}/pin/change"
        body = {"clave_anterior": "4821", "clave_nueva": "2649", "confirmacion": "2649"}
        assert (await http.post(pin, json=body, headers=headers)).status_code == 201
        code = newest_code(sessions, settings.secret_key)
        wrong = "000000" if code != "000000" else "111111"
        refused = await http.post(f"{pin}/confirm", json={"codigo": wrong}, headers=headers)
        assert refused.status_code == 422
        done = await http.post(f"{pin}/confirm", json={"codigo": code}, headers=headers)
        assert done.json()["estado"] == "CHANGED", done.text
        scrape = (await http.get("/metrics")).text
    spans = list(exporter.get_finished_spans())
    text = everything_written(spans)
    names = {span.name for span in spans}
    assert {"HandleUpdate:confirm", "RunActivity:card_pin.change"} <= names  # it was traced
    assert 'coop_otp_failures_total{operation="' in scrape  # the wrong code was counted
    secrets_ = {"previous PIN": "4821", "new PIN": "2649", "sms code": code, "wrong code": wrong}
    for what, secret in secrets_.items():
        alone = re.compile(rf"(?<![0-9A-Za-z-]){secret}(?![0-9A-Za-z-])")
        assert not alone.search(text), f"the {what} is in a span"
        assert not alone.search(scrape), f"the {what} is in a metric label"
