"""The mechanics of a worker-crash scenario: a doomed worker process, a rescuer, the clock.

A scenario starts ``tests.faults.doomed_worker`` on a task queue of its own with
``COOP_TEST_CRASH_AT=<point>``, drives its journey until the process dies by SIGKILL, then
starts a second, production-wired worker on the same queue (in the test process) and waits
for the journey to finish there. The time from the death to the end is the recovery time.
"""

from __future__ import annotations

import asyncio
import multiprocessing
import signal
import time
import uuid
from collections.abc import AsyncIterator, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

from sqlalchemy import Engine
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from tests.faults.disbursement_driver import DisbursementDriver
from tests.workflows.schedule_support import production_activities
from workflows.movement.workflow import MovementWorkflow
from workflows.scheduled_payment.workflow import ScheduledPaymentRunWorkflow

POINTS = ("before_post", "after_post", "before_complete")
WORKFLOWS: Sequence[type] = (MovementWorkflow, ScheduledPaymentRunWorkflow, DisbursementDriver)
READY_WITHIN = 120.0
"""Seconds a doomed worker gets to poll (the first one starts the fork server)."""
DEATH_WITHIN = 90.0
"""Seconds a doomed worker gets to reach its crash point."""


@asynccontextmanager
async def general_worker(
    client: Client, task_queue: str, activities: list[Callable[..., Any]], **options: Any
) -> AsyncIterator[Worker]:
    """The general queue's worker for the three journeys, activities on threads."""
    with ThreadPoolExecutor(8) as pool:
        async with Worker(
            client,
            task_queue=task_queue,
            workflows=list(WORKFLOWS),
            activities=activities,
            activity_executor=pool,
            **options,
        ) as worker:
            yield worker


@dataclass(frozen=True)
class Rig:
    """What every scenario shares: the servers, the database and the mailbox folder."""

    env: WorkflowEnvironment
    engine: Engine
    database_url: str
    smtp_port: int
    folder: Path
    """``sms.jsonl`` of the SMS simulator and the mail sink's ``.eml`` files, side by side."""

    @property
    def mailbox(self) -> Path:
        return self.folder / "sms"


_FORKS = multiprocessing.get_context("forkserver")
_FORKS.set_forkserver_preload(["tests.faults.doomed_worker"])


@dataclass
class Doomed:
    """A worker process bound to die at ``point``, on a task queue of its own.

    Forked from a fork server that imported the worker once: nine fresh interpreters
    importing it side by side would cost a minute of CPU on a small machine.
    """

    rig: Rig
    point: str
    task_queue: str = field(default_factory=lambda: f"fault-{uuid.uuid4()}")
    process: BaseProcess | None = None
    said: Any = field(default_factory=_FORKS.SimpleQueue)
    died_at: float = 0.0

    async def start(self) -> None:
        """Start the process and wait until it polls."""
        from tests.faults.doomed_worker import serve

        self.process = _FORKS.Process(
            target=serve,
            args=(
                self.point,
                self.said.put,
                self.rig.env.client.service_client.config.target_host,
                self.task_queue,
                self.rig.database_url,
                str(self.rig.smtp_port),
                str(self.rig.folder),
            ),
            daemon=True,
        )
        await asyncio.to_thread(self.process.start)
        assert await self._next_message(READY_WITHIN) == "ready"

    async def death(self) -> None:
        """Wait for the SIGKILL at the crash point (fail if the point is never reached)."""
        assert self.process is not None
        said = await self._next_message(DEATH_WITHIN)
        await asyncio.to_thread(self.process.join, DEATH_WITHIN)
        self.died_at = time.monotonic()
        assert said == f"dying at {self.point}", said
        assert self.process.exitcode == -signal.SIGKILL, self.process.exitcode

    async def _next_message(self, within: float) -> str:
        try:
            return str(await asyncio.wait_for(asyncio.to_thread(self.said.get), within))
        except TimeoutError:
            raise AssertionError(f"the worker dying at {self.point} went silent") from None

    def kill(self) -> None:
        """Make sure the process is gone (a failed scenario must not leave it polling)."""
        if self.process is not None and self.process.exitcode is None:
            self.process.kill()
            self.process.join(10)

    @asynccontextmanager
    async def rescuer(self) -> AsyncIterator[Worker]:
        """A second worker, wired like production, taking over the dead one's queue."""
        rig = self.rig
        activities = production_activities(rig.engine, rig.env.client, rig.smtp_port, rig.folder)
        async with general_worker(rig.env.client, self.task_queue, activities) as worker:
            yield worker

    def recovered_in(self) -> float:
        """Seconds since the death."""
        return time.monotonic() - self.died_at


@asynccontextmanager
async def doomed_worker(rig: Rig, point: str) -> AsyncIterator[Doomed]:
    """A started doomed worker, killed on the way out if it is still alive."""
    doomed = Doomed(rig, point)
    try:
        await doomed.start()
        yield doomed
    finally:
        doomed.kill()
