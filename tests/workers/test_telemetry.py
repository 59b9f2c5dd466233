"""The worker's Prometheus endpoint: the SDK's metrics of a real workflow run and the
business counters the domain records (``bank.core.metrics``), scraped over HTTP."""

from __future__ import annotations

import asyncio
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor

import pytest
from temporalio.client import Client
from temporalio.worker import Worker

from activities.card_billing import CardBillingActivities
from bank.cards.config import CardSettings
from bank.core import metrics
from bank.core.temporal import DATA_CONVERTER
from tests.support.net import free_port
from workers import telemetry
from workflows.card_billing.contract import BillingInput, Status
from workflows.card_billing.workflow import CardBillingWorkflow


@pytest.fixture
def address() -> Iterator[str]:
    yield f"127.0.0.1:{free_port()}"
    metrics.use(None)  # the process-wide sink goes back to nowhere


def scrape(address: str) -> str:
    with urllib.request.urlopen(f"http://{address}/metrics", timeout=5) as answer:
        return answer.read().decode()


def value(text: str, prefix: str) -> float:
    [line] = [line for line in text.splitlines() if line.startswith(prefix)]
    return float(line.rsplit(" ", 1)[1])


async def test_the_endpoint_has_the_sdk_metrics_and_the_business_counters(
    address, sessions, task_queue, time_skipping_env
):
    runtime = telemetry.runtime(address)
    assert runtime is not None
    metrics.count("coop_messages_sent", channel="EMAIL")
    metrics.count("coop_messages_sent", channel="EMAIL")
    metrics.count("coop_otp_failures", operation="card.deferral")
    client = await Client.connect(
        time_skipping_env.client.service_client.config.target_host,
        namespace=time_skipping_env.client.namespace,
        data_converter=DATA_CONVERTER,
        runtime=runtime,
    )
    acts = CardBillingActivities(sessions, rules=CardSettings().rules())
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=[CardBillingWorkflow],
        activities=acts.all(),
        activity_executor=ThreadPoolExecutor(2),
    ):
        state = await client.execute_workflow(
            CardBillingWorkflow.run,
            BillingInput(cycle_end="2030-01-25"),
            id="card-billing-telemetry",
            task_queue=task_queue,
        )
    await asyncio.sleep(1.5)  # the exporter's collection period
    text = await asyncio.to_thread(scrape, address)
    assert state.status is Status.CLOSED
    assert value(text, 'coop_messages_sent{channel="EMAIL"') == 2
    assert value(text, 'coop_otp_failures{operation="card.deferral"') == 1
    assert 'workflow_type="CardBillingWorkflow"' in text  # the SDK's own metrics


def test_no_address_means_no_endpoint_and_counting_goes_nowhere() -> None:
    assert telemetry.runtime("") is None
    metrics.count("coop_card_statements_closed")  # no sink: nothing happens
    with pytest.raises(KeyError):
        metrics.count("coop_unknown")
