"""Records the scheduled run workflow's committed history (a paid run: the run step, the
biller told, the settlement — all local activities), which ``tests/replay/`` replays with
the one recorded from an older Schedule whose run set the search attributes itself.

Re-record only when the workflow changes on purpose: ``COOP_RECORD_HISTORIES=1``.
"""

from __future__ import annotations

import os

import pytest
from temporalio.client import ScheduleActionExecutionStartWorkflow

from bank.models import PaymentOutcome
from tests.support.histories import SCHEDULED_RUN_PAID
from tests.workflows.schedule_support import (
    SUPPLY,
    WATER,
    Setup,
    trigger_and_wait,
)

HISTORY = SCHEDULED_RUN_PAID


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
