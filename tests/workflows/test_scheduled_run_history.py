"""The scheduled run workflow replays its committed histories (a paid run: the run step, the
biller told, the settlement — all local activities): one started by a Schedule that sets the
search attributes, one by an older Schedule whose run sets them itself.

Re-record only when the workflow changes on purpose: ``COOP_RECORD_HISTORIES=1``.
"""

from __future__ import annotations

import asyncio
import os
from pathlib import Path

import pytest
from temporalio.client import ScheduleActionExecutionStartWorkflow, WorkflowHistory
from temporalio.worker import Replayer

from bank.models import PaymentOutcome
from bank.temporal import DATA_CONVERTER
from tests.workflows.schedule_support import (
    SUPPLY,
    WATER,
    Setup,
    dev_env,
    setup,
    trigger_and_wait,
)
from workflows.scheduled_payment import ScheduledPaymentRunWorkflow

__all__ = ["dev_env", "setup"]

HISTORIES = Path(__file__).parents[1] / "fixtures" / "histories"
HISTORY = HISTORIES / "scheduled_run_paid.json"
OLDER = HISTORIES / "scheduled_run_paid_attributes_upserted.json"


@pytest.mark.skipif(
    not os.environ.get("COOP_RECORD_HISTORIES"), reason="set COOP_RECORD_HISTORIES=1 to re-record"
)
async def test_record_paid_run_history(setup: Setup) -> None:
    setup.billers.issue_bill(WATER, SUPPLY, 1_234)
    [run] = await trigger_and_wait(setup)
    assert run.outcome is PaymentOutcome.PAGADO
    [action] = (await setup.handle.describe()).info.recent_actions
    assert isinstance(action.action, ScheduleActionExecutionStartWorkflow)
    handle = setup.client.get_workflow_handle(action.action.workflow_id)
    await handle.result()
    HISTORY.write_text((await handle.fetch_history()).to_json())


@pytest.mark.parametrize("path", [HISTORY, OLDER], ids=["attributes-at-start", "upserted"])
async def test_replay_of_committed_paid_run_is_deterministic(path: Path) -> None:
    text = await asyncio.to_thread(path.read_text)
    history = WorkflowHistory.from_json("sched-pay-1-run", text)
    replayer = Replayer(workflows=[ScheduledPaymentRunWorkflow], data_converter=DATA_CONVERTER)
    await replayer.replay_workflow(history)
