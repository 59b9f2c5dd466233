"""The Schedule's calendar itself, not a manual trigger: pause stops runs and resume brings
them back, cancel deletes the Schedule for good, and a run missed while the engine was down
is made once it is back (the production catch-up window).

The production Schedule (``workflows.scheduled_payment.schedules.schedule``) gets a
test-only calendar (every 2 seconds, or one precise second) so the calendar fires
within the test. The authorisation
row stays ACTIVO in the database: a run that fired would be recorded in the payment history,
so an empty history proves the Schedule did not fire (pause and cancel are done with the
same Schedule calls as ``api/routes/scheduled_payments.py``).
"""

from __future__ import annotations

import asyncio
import dataclasses
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker
from temporalio.service import RPCError, RPCStatusCode

from bank.adapters.billers import SimulatedBillers
from bank.models import PaymentOutcome
from tests.support.net import free_port
from tests.support.temporal import dev_server
from tests.workflows.schedule_support import (
    FEE_AND_IVA,
    OPENING,
    SUPPLY,
    WATER,
    Setup,
    authorise,
    balance,
    every,
    idle,
    once_at,
    production_activities,
    production_schedule,
    records,
    respec,
    running_worker,
    settled,
    wait_for_records,
)
from workflows.scheduled_payment.contract import schedule_id

QUIET = 8.0
"""Seconds a stopped Schedule is watched: four runs of the 2-second calendar."""


async def wait_quietly() -> None:
    await asyncio.sleep(QUIET)  # the claim under test is that nothing happens meanwhile


async def test_pause_stops_the_calendar_runs_and_resume_brings_them_back(setup: Setup) -> None:
    setup.billers.issue_bill(WATER, SUPPLY, 1_000)
    await respec(setup.handle, every(2))
    first = await wait_for_records(setup.sessions, setup.payment_id, 1)
    assert first[0].outcome is PaymentOutcome.PAGADO  # the calendar fires on its own

    await setup.handle.pause(note="Pausado por el socio")  # as the API's pause
    described = await setup.handle.describe()
    assert described.schedule.state.paused
    assert described.schedule.state.note == "Pausado por el socio"
    assert described.schedule.spec.intervals[0].every == timedelta(seconds=2)
    await idle(setup.handle)
    before = await settled(setup.sessions, setup.payment_id)
    actions = (await setup.handle.describe()).info.num_actions
    await wait_quietly()
    assert len(records(setup.sessions, setup.payment_id)) == len(before)
    assert (await setup.handle.describe()).info.num_actions == actions

    await setup.handle.unpause(note="Reanudado por el socio")  # as the API's resume
    assert not (await setup.handle.describe()).schedule.state.paused
    after = await wait_for_records(setup.sessions, setup.payment_id, len(before) + 2)
    assert [r.outcome for r in after[1:]] == [PaymentOutcome.SIN_FACTURA] * (len(after) - 1)
    assert balance(setup.sessions, setup.auth.account_id) == OPENING - 1_000 - FEE_AND_IVA


async def test_cancel_deletes_the_schedule_and_no_run_follows(setup: Setup) -> None:
    setup.billers.issue_bill(WATER, SUPPLY, 1_000)
    await respec(setup.handle, every(2))
    await wait_for_records(setup.sessions, setup.payment_id, 1)  # the calendar is live

    await setup.handle.delete()  # as the API's cancel
    try:
        await setup.handle.describe()
    except RPCError as exc:
        assert exc.status == RPCStatusCode.NOT_FOUND
    else:
        raise AssertionError("the cancelled Schedule can still be described")
    before = await settled(setup.sessions, setup.payment_id)  # a run already going may end
    await wait_quietly()
    assert len(records(setup.sessions, setup.payment_id)) == len(before)
    assert before[0].outcome is PaymentOutcome.PAGADO
    assert balance(setup.sessions, setup.auth.account_id) == OPENING - 1_000 - FEE_AND_IVA


async def test_a_run_missed_while_the_engine_was_down_is_made_once(
    db: Engine, sessions: sessionmaker[Session], smtp: tuple[int, Path], tmp_path: Path
) -> None:
    auth = authorise(sessions)
    SimulatedBillers(sessions).issue_bill(WATER, SUPPLY, 1_234)
    port, database = free_port(), tmp_path / "temporal.db"
    task_queue = f"sched-{uuid.uuid4()}"
    sched_id = schedule_id(auth.payment_id)

    async with dev_server(port, database) as env:  # no worker: the engine alone
        fire_at = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=12)
        planned = dataclasses.replace(production_schedule(auth, task_queue), spec=once_at(fire_at))
        handle = await env.client.create_schedule(sched_id, planned)
        assert (await handle.describe()).info.next_action_times == [fire_at]
    assert datetime.now(UTC) < fire_at, "the engine went down too late for this test"

    missed = fire_at + timedelta(seconds=3) - datetime.now(UTC)
    await asyncio.sleep(missed.total_seconds())  # the engine is down when the run is due
    assert records(sessions, auth.payment_id) == []

    async with dev_server(port, database) as env:  # back up on the same store
        handle = env.client.get_schedule_handle(sched_id)
        activities = production_activities(db, env.client, smtp[0], tmp_path)
        async with running_worker(env.client, task_queue, activities):
            [run] = await wait_for_records(sessions, auth.payment_id, 1)
            assert run.outcome is PaymentOutcome.PAGADO
            await idle(handle)
            await wait_quietly()
            assert len(records(sessions, auth.payment_id)) == 1
        described = await handle.describe()
        assert described.info.num_actions == 1
        assert [a.scheduled_at for a in described.info.recent_actions] == [fire_at]
        # caught up after the restart, not on time
        assert described.info.recent_actions[0].started_at > fire_at + timedelta(seconds=3)
        assert balance(sessions, auth.account_id) == OPENING - 1_234 - FEE_AND_IVA
        await handle.delete()
