"""The API's Prometheus ``/metrics``: requests by route template (never a raw path), the
journeys by type and status from Temporal's visibility (cached; absent while Temporal is
down, the scrape still answering), the business counters the API records; off in
production unless asked for."""

from __future__ import annotations

import asyncio
import secrets
import uuid
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from prometheus_client.parser import text_string_to_metric_families
from temporalio import workflow
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from api.main import create_app
from api.observability.metrics import JOURNEY_TYPES, JourneyCounts, optional_temporal_client
from bank.core import metrics
from bank.core.settings import ApiSettings
from workers.main import WORKFLOWS


def sample(text: str, name: str, **labels: str) -> float:
    """The value of sample ``name`` with exactly ``labels`` (0 when absent)."""
    for family in text_string_to_metric_families(text):
        for found in family.samples:
            if found.name == name and found.labels == labels:
                return found.value
    return 0.0


def scrape(client: TestClient) -> str:
    answer = client.get("/metrics")
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/plain; version=")
    return answer.text


def test_requests_are_counted_by_route_template_never_by_raw_path(client: TestClient) -> None:
    key, link = uuid.uuid4().hex, secrets.token_urlsafe(24)
    before = scrape(client)
    assert client.get(f"/api/v1/movements/{key}").status_code == 401
    assert client.get(f"/firma/{link}").status_code == 200
    assert client.get(f"/no-existe/{link}").status_code == 404
    too_big = client.post("/api/v1/transfers", content=b"x" * (1024 * 1024 + 1))
    assert too_big.status_code == 413
    after = scrape(client)

    def grew(name: str, **labels: str) -> float:
        return sample(after, name, **labels) - sample(before, name, **labels)

    movement = {"method": "GET", "route": "/api/v1/movements/{key}"}
    assert grew("coop_api_requests_total", **movement, status="401") == 1
    assert grew("coop_api_requests_total", method="GET", route="/firma/{token}", status="200") == 1
    assert grew("coop_api_requests_total", method="GET", route="<unmatched>", status="404") == 1
    # refused by the body limit before any route was chosen
    assert grew("coop_api_requests_total", method="POST", route="<unmatched>", status="413") == 1
    assert grew("coop_api_request_duration_seconds_count", **movement) == 1
    assert grew("coop_api_request_duration_seconds_bucket", **movement, le="+Inf") == 1
    assert key not in after and link not in after


def test_journeys_are_absent_not_an_error_while_temporal_is_unreachable(
    client: TestClient,
) -> None:
    text = scrape(client)  # the session's app points Temporal at 127.0.0.1:1
    assert sample(text, "coop_journeys_visibility_up") == 0
    assert "coop_journeys{" not in text
    assert sample(text, "coop_api_requests_total", method="GET", route="/metrics", status="200")


@pytest.fixture
def app_on(dev_env: WorkflowEnvironment, api_settings: ApiSettings) -> Iterator[TestClient]:
    """A fresh app whose journeys are counted on the dev server (it has visibility)."""
    app: FastAPI = create_app(api_settings)

    async def temporal() -> Client:
        return dev_env.client

    app.dependency_overrides[optional_temporal_client] = temporal
    with TestClient(app) as client:
        yield client
    metrics.use(None)  # the app made itself the process's business counters' sink


async def visible(client: Client, query: str, expected: int) -> None:
    """Wait (bounded) until visibility has indexed what the test just did."""
    for _ in range(100):
        if (await client.count_workflows(query)).count == expected:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"visibility never showed {expected} for {query}")


async def test_journeys_by_type_and_status_from_visibility_cached(
    dev_env: WorkflowEnvironment, app_on: TestClient
) -> None:
    temporal, queue = dev_env.client, f"nobody-{uuid.uuid4()}"
    for n in range(2):
        await temporal.start_workflow(
            "CardBillingWorkflow", id=f"bill-{queue}-{n}", task_queue=queue
        )
    pin = await temporal.start_workflow(
        "CardPinChangeWorkflow", id=f"pin-{queue}", task_queue=queue
    )
    await pin.terminate("test")
    await visible(temporal, f"TaskQueue = '{queue}' AND ExecutionStatus = 'Running'", 2)
    await visible(temporal, f"TaskQueue = '{queue}' AND ExecutionStatus = 'Terminated'", 1)

    text = scrape(app_on)
    assert sample(text, "coop_journeys_visibility_up") == 1
    billing = {"workflow_type": "CardBillingWorkflow"}
    assert sample(text, "coop_journeys", **billing, status="Running") == 2
    assert sample(text, "coop_journeys", workflow_type="CardPinChangeWorkflow", status="Terminated")
    assert 'coop_journeys{status="Running",workflow_type="MovementWorkflow"} 0.0' in text

    await temporal.start_workflow("CardBillingWorkflow", id=f"bill-{queue}-2", task_queue=queue)
    await visible(temporal, f"TaskQueue = '{queue}' AND ExecutionStatus = 'Running'", 3)
    again = scrape(app_on)  # within the cache's life: Temporal is not asked again
    assert sample(again, "coop_journeys", **billing, status="Running") == 2
    for n in range(3):
        await temporal.get_workflow_handle(f"bill-{queue}-{n}").terminate("test")


async def test_a_count_older_than_its_ttl_is_taken_again(dev_env: WorkflowEnvironment) -> None:
    now = [0.0]
    counts = JourneyCounts(ttl=15, clock=lambda: now[0])
    temporal, queue = dev_env.client, f"nobody-{uuid.uuid4()}"
    running = {"workflow_type": "CardDeferralWorkflow", "status": "Running"}

    def value() -> float:
        [family] = [m for m in counts.collect() if m.name == "coop_journeys"]
        return next(s.value for s in family.samples if s.labels == running)

    await counts.refresh(temporal)
    first = value()
    handle = await temporal.start_workflow("CardDeferralWorkflow", id=queue, task_queue=queue)
    await visible(temporal, f"TaskQueue = '{queue}'", 1)
    now[0] = 14.0
    await counts.refresh(temporal)
    assert value() == first
    now[0] = 15.0
    await counts.refresh(temporal)
    assert value() == first + 1
    await handle.terminate("test")


def test_business_counters_recorded_by_the_api_are_on_its_metrics(app_on: TestClient) -> None:
    metrics.count("coop_otp_failures", operation="scheduled_payment.authorise")
    text = scrape(app_on)
    otp = {"operation": "scheduled_payment.authorise"}
    assert sample(text, "coop_otp_failures_total", **otp) == 1


def test_metrics_are_off_in_production_unless_asked_for(api_settings: ApiSettings) -> None:
    production = ApiSettings.model_construct(environment="production")
    assert production.metrics_enabled is False
    assert ApiSettings.model_construct(environment="production", api_metrics=True).metrics_enabled
    app = create_app(api_settings.model_copy(update={"api_metrics": False}))
    with TestClient(app) as client:
        assert client.get("/metrics").status_code == 404
    assert not hasattr(app.state, "metrics")


def test_the_journeys_counted_are_the_workflows_the_worker_runs() -> None:
    names = {workflow._Definition.must_from_class(cls).name for cls in WORKFLOWS}
    assert set(JOURNEY_TYPES) == names
