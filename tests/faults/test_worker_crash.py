"""Fault test: the worker process dies right after a transfer's posting commits.

A real worker process (``tests/faults/crash_after_post.py``) posts and exits with 137 before
reporting; a second worker takes over on the dev server (the time-skipping server neither
skips time while an activity is outstanding nor moves a dead worker's sticky tasks). The
transfer completes once: one ledger entry, the right balances, books reconciled.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
import uuid
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import WorkflowExecutionStatus
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.movements import MovementActivities
from bank.adapters.billers import SimulatedBillers
from bank.adapters.spi import SimulatedSpi
from bank.ledger import reconcile
from bank.models import Account, JournalEntry
from bank.payments.config import PaymentSettings
from bank.payments.orders import MovementKind, Order
from tests.api.movement_support import Money as _Money
from tests.api.movement_support import make_member
from workflows.movement.contract import Confirmation, MovementInput, Status
from workflows.movement.workflow import MovementWorkflow

SECRET = "fault-test-secret-0123456789-abcdefghijklmnop"


def balance(sessions: sessionmaker[Session], account_id: int) -> int:
    with sessions() as session:
        account = session.get(Account, account_id)
        assert account is not None
        return account.balance_cents


async def test_worker_killed_after_posting_completes_the_transfer_once(
    dev_env: WorkflowEnvironment, database_url: str, sessions: sessionmaker[Session]
) -> None:
    env = dev_env
    with sessions.begin() as session:
        ana = make_member(session, "ana", 10_000)
        beto = make_member(session, "beto", 0)
    task_queue = f"fault-{uuid.uuid4()}"
    target = env.client.service_client.config.target_host
    doomed = subprocess.Popen(  # noqa: ASYNC220 - a process the test kills, read line by line
        [
            sys.executable,
            "-m",
            "tests.faults.crash_after_post",
            target,
            task_queue,
            database_url,
            SECRET,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert doomed.stdout is not None
        assert doomed.stdout.readline().strip() == "ready"
        order = Order(
            MovementKind.COOP_TRANSFER,
            ana.member_id,
            ana.savings,
            amount_cents=600,
            destination_account=beto.savings,
        )
        handle = await env.client.start_workflow(
            MovementWorkflow.run,
            MovementInput(order, order.digest(), "fault-key-1"),
            id=f"mov-{ana.member_id}-{uuid.uuid4().hex}",
            task_queue=task_queue,
        )
        preview = await handle.execute_update(MovementWorkflow.preview, order.digest())
        assert preview.status is Status.AWAITING_OTP
        reader = _Money(None, env, sessions, SECRET, None)  # type: ignore[arg-type]
        code = reader.otp_code(ana.member_id)
        confirming = asyncio.create_task(
            handle.execute_update(MovementWorkflow.confirm, Confirmation(code))
        )
        assert await asyncio.to_thread(doomed.wait, 60) == 137
        # The money moved before the crash; the workflow does not know yet.
        assert balance(sessions, beto.savings_id) == 600
        assert (await handle.describe()).status == WorkflowExecutionStatus.RUNNING
        rescuer = MovementActivities(
            sessions,
            rules=PaymentSettings().rules(),
            spi=SimulatedSpi(),
            billers=SimulatedBillers(sessions),
            secret_key=SECRET,
        )
        async with Worker(
            env.client,
            task_queue=task_queue,
            workflows=[MovementWorkflow],
            activities=rescuer.all(),
            activity_executor=ThreadPoolExecutor(4),
        ):
            # The member's request lost its answer with the worker; the lost attempt times
            # out (its 10 s start-to-close) and is retried here, where it finds its posting.
            confirming.cancel()
            for _ in range(90):
                final = await handle.query(MovementWorkflow.state)
                if final.status is not Status.CONFIRMING:
                    break
                await asyncio.sleep(1)
        assert final.status is Status.COMPLETED
    finally:
        if doomed.poll() is None:
            doomed.kill()
    assert balance(sessions, ana.savings_id) == 10_000 - 641
    assert balance(sessions, beto.savings_id) == 600
    with sessions() as session:
        entries = session.scalar(
            select(func.count())
            .select_from(JournalEntry)
            .where(JournalEntry.kind == "COOP_TRANSFER")
        )
        assert entries == 1
        assert reconcile(session) == []
