"""Log lines are JSON with the journey they belong to, and carry no secret.

A whole card deferral (a wrong code, then the right one) runs on the time-skipping server
with every logger of the process at DEBUG through the JSON formatter of the worker and the
API (``bank.core.logs``).
"""

from __future__ import annotations

import io
import json
import logging
import re
from collections.abc import Iterator

import pytest

from bank.core import logs
from tests.workflows.test_card_deferral import Bench, bench, start, worker, wrong
from workflows.card_deferral.contract import Confirmation, Status, workflow_id
from workflows.card_deferral.workflow import CardDeferralWorkflow

__all__ = ["bench"]  # the fixture, shared with the deferral's tests


@pytest.fixture
def lines() -> Iterator[io.StringIO]:
    """Everything logged during the test, as the process would write it."""
    out = io.StringIO()
    handler = logs.handler("json", out)
    root = logging.getLogger()
    previous = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield out
    finally:
        root.removeHandler(handler)
        root.setLevel(previous)


async def test_journey_lines_are_json_with_their_workflow_id_and_no_code(
    time_skipping_env, task_queue, bench: Bench, lines: io.StringIO
):
    async with worker(time_skipping_env, task_queue, bench):
        handle, _ = await start(time_skipping_env, task_queue, bench.request(100_000, 12))
        code, _ = bench.last_sms()
        await handle.execute_update(CardDeferralWorkflow.confirm, Confirmation(wrong(code)))
        done = await handle.execute_update(CardDeferralWorkflow.confirm, Confirmation(code))
    assert done.status is Status.DEFERRED
    written = [json.loads(line) for line in lines.getvalue().splitlines()]
    ours = [line for line in written if line["logger"].startswith("activities.")]
    assert [line["message"] for line in ours] == [
        f"deferral code sent for purchase {bench.purchase_id} (12 months)",
        f"purchase {bench.purchase_id} deferred: deferral {done.deferral_id}",
    ]
    for line in ours:
        assert line["workflow_id"] == workflow_id(bench.card_id)
        assert line["workflow_type"] == "CardDeferralWorkflow"
        assert line["activity_type"] in {"card_deferral.prepare", "card_deferral.defer"}
        assert {"ts", "level", "run_id", "attempt"} <= line.keys()
    assert len(written) > len(ours)  # the SDK's and the libraries' lines went through too
    # The code nowhere (a run of six digits inside an ID or a timestamp is not the code).
    assert not re.search(rf"(?<![0-9a-f.:-]){code}(?![0-9a-f:-])", lines.getvalue())
