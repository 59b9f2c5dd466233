"""A movement worker that dies (``os._exit``) right after a posting commits.

Run by ``tests/faults/test_worker_crash.py`` as a separate process: the ledger entry and
the movement row are written, the activity's result never reaches Temporal, the process is
gone. Usage: ``python -m tests.faults.crash_after_post <target> <task queue> <db url> <key>``.
"""

from __future__ import annotations

import asyncio
import os
import sys
from concurrent.futures import ThreadPoolExecutor

from temporalio import activity
from temporalio.client import Client
from temporalio.worker import Worker

from activities.movements import MovementActivities
from bank.adapters.billers import SimulatedBillers
from bank.adapters.spi import SimulatedSpi
from bank.core.db import make_engine, session_factory
from bank.core.temporal import DATA_CONVERTER
from bank.payments.config import PaymentSettings
from workflows.movement.contract import EXECUTE, Executed, ExecuteInput
from workflows.movement.workflow import MovementWorkflow


async def main(target: str, task_queue: str, database_url: str, secret_key: str) -> None:
    client = await Client.connect(target, data_converter=DATA_CONVERTER)
    sessions = session_factory(make_engine(database_url))
    real = MovementActivities(
        sessions,
        rules=PaymentSettings().rules(),
        spi=SimulatedSpi(),
        billers=SimulatedBillers(sessions),
        secret_key=secret_key,
    )

    @activity.defn(name=EXECUTE)
    def execute(request: ExecuteInput) -> Executed:
        result = real.execute(request)
        if result.ok:
            print("posted; dying", flush=True)
            os._exit(137)  # killed between the posting and the workflow's completion
        return result

    activities = [execute, *(a for a in real.all() if a != real.execute)]
    async with Worker(
        client,
        task_queue=task_queue,
        workflows=[MovementWorkflow],
        activities=activities,
        activity_executor=ThreadPoolExecutor(4),
    ):
        print("ready", flush=True)
        await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
