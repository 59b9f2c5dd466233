"""One run of a scheduled bill payment, started by the Temporal Schedule ``sched-pay-<id>``.

The run activity looks the bill up and pays it (or records why not) in one transaction,
keyed on this run's workflow ID (the Schedule appends the scheduled time to it, so every
run has its own key and a retried run is the same run). A paid bill is then reported to the
biller with the same activities as a manual payment; a refusal reverses it.

The steps are *local* activities: each is a short, idempotent database or biller call, and
many runs fall due in the same minute, so a run costs one workflow task and no activity
task round trips through the server (see ``docs/scheduled-payments.md``). A worker lost in
the middle of a step makes the workflow task time out and the step run again — safe,
because every step is keyed on the run.
"""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows.movement.contract import (
        BILLER_PAY,
        REVERSE,
        SETTLE,
        ReverseInput,
        SettlementInput,
        SpiAnswer,
        rejection_reason,
    )
    from workflows.scheduled_payment.contract import (
        RETRY,
        RUN,
        STEP_TIMEOUT,
        RunAnswer,
        RunRequest,
        ScheduledRunInput,
        search_attributes,
    )
    from workflows.search_attributes import JOURNEY_STATUS, SCHEDULED_PAYMENT_ID


@workflow.defn(sandboxed=False)
class ScheduledPaymentRunWorkflow:
    """Pay this period's bill of one authorisation, at most once.

    Not sandboxed: the sandbox re-creates the module environment of every run, about 11 ms of
    CPU each, a third of the worker's time when thousands of runs fall due together
    (``docs/performance.md``). The code above imports only dataclasses and names; its
    determinism is guarded by the replay test of a committed history instead.
    """

    def __init__(self) -> None:
        self._outcome = "PENDING"

    @workflow.run
    async def run(self, request: ScheduledRunInput) -> str:
        """Return the run's outcome (also in the payment history)."""
        if workflow.info().typed_search_attributes.get(SCHEDULED_PAYMENT_ID) is None:
            # The Schedule's action sets them at the start; a run started otherwise sets them.
            pairs = search_attributes(request).search_attributes
            workflow.upsert_search_attributes([pair.key.value_set(pair.value) for pair in pairs])
        run_key = workflow.info().workflow_id
        answer: RunAnswer = await workflow.execute_local_activity(
            RUN,
            RunRequest(request.payment_id, run_key),
            result_type=RunAnswer,
            start_to_close_timeout=STEP_TIMEOUT,
            retry_policy=RETRY,
        )
        self._outcome = answer.outcome
        if answer.preview is not None:
            settlement = SettlementInput(run_key, answer.preview, submitted_at=workflow.now())
            told: SpiAnswer = await workflow.execute_local_activity(
                BILLER_PAY,
                settlement,
                result_type=SpiAnswer,
                start_to_close_timeout=STEP_TIMEOUT,
                retry_policy=RETRY,
            )
            if told.state == "CREDITED":
                await workflow.execute_local_activity(
                    SETTLE,
                    settlement,
                    start_to_close_timeout=STEP_TIMEOUT,
                    retry_policy=RETRY,
                )
            else:
                await workflow.execute_local_activity(
                    REVERSE,
                    ReverseInput(
                        run_key, answer.preview, told.reason or "", rejection_reason(told.reason)
                    ),
                    start_to_close_timeout=STEP_TIMEOUT,
                    retry_policy=RETRY,
                )
                self._outcome = "REVERSADO"
        workflow.upsert_search_attributes([JOURNEY_STATUS.value_set(self._outcome)])
        return self._outcome

    @workflow.query
    def outcome(self) -> str:
        """PENDING until decided, then the run's outcome."""
        return self._outcome
