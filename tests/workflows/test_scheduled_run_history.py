"""The scheduled run workflow replays its committed history (a paid run: the run step, the
biller told, the settlement — all local activities).

Re-record only when the workflow changes on purpose: ``COOP_RECORD_HISTORIES=1``.
"""

from __future__ import annotations

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
    smtp,
    trigger_and_wait,
)
from workflows.scheduled_payment import ScheduledPaymentRunWorkflow

__all__ = ["dev_env", "setup", "smtp"]

HISTORY = Path(__file__).parents[1] / "fixtures" / "histories" / "scheduled_run_paid.json"


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


async def test_replay_of_committed_paid_run_is_deterministic() -> None:
    history = WorkflowHistory.from_json("sched-pay-1-run", HISTORY.read_text())
    replayer = Replayer(workflows=[ScheduledPaymentRunWorkflow], data_converter=DATA_CONVERTER)
    await replayer.replay_workflow(history)
