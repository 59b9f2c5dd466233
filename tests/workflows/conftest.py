"""Workflow test fixtures. The Temporal servers (``time_skipping_env``, ``dev_env``) and
``task_queue`` come from ``tests/support/temporal.py`` (registered by ``tests/conftest.py``);
here the scheduled-payment ``setup`` of ``schedule_support``'s harness."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from temporalio.testing import WorkflowEnvironment

from bank.adapters.billers import SimulatedBillers
from tests.workflows.schedule_support import (
    Setup,
    authorise,
    is_deleted,
    production_activities,
    production_schedule,
    running_worker,
)
from workflows.scheduled_payment.contract import schedule_id


@pytest.fixture
async def setup(
    dev_env: WorkflowEnvironment,
    db: Engine,
    sessions: sessionmaker[Session],
    smtp: tuple[int, Path],
    tmp_path: Path,
) -> AsyncIterator[Setup]:
    """Ana's authorisation, its production Schedule and a production-wired worker."""
    auth = authorise(sessions)
    task_queue = f"sched-{uuid.uuid4()}"
    client = dev_env.client
    port, inbox = smtp
    activities = production_activities(db, client, port, tmp_path)
    sched_id = f"{schedule_id(auth.payment_id)}-{uuid.uuid4().hex[:6]}"
    async with running_worker(client, task_queue, activities):
        handle = await client.create_schedule(sched_id, production_schedule(auth, task_queue))
        try:
            yield Setup(
                client, sessions, SimulatedBillers(sessions), task_queue, auth, sched_id, inbox
            )
        finally:
            if not await is_deleted(handle):
                await handle.delete()
