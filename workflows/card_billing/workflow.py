"""The monthly close of every credit card's statement, page by page (see the contract)."""

from __future__ import annotations

from temporalio import workflow

with workflow.unsafe.imports_passed_through():
    from workflows.card_billing.contract import (
        CLOSE_PAGE,
        CYCLE_OF,
        HEARTBEAT_TIMEOUT,
        PAGE_TIMEOUT,
        RETRY,
        STEP_TIMEOUT,
        BillingInput,
        BillingState,
        CycleOfInput,
        PageClosed,
        PageInput,
        Status,
    )
    from workflows.search_attributes import JOURNEY_STATUS, OPERATION_KIND

OPERATION = "CARD_BILLING"


@workflow.defn
class CardBillingWorkflow:
    """Close the statements of one cycle; ``state`` tells an officer how far it got."""

    @workflow.init
    def __init__(self, request: BillingInput) -> None:
        self._state = BillingState(
            Status.CLOSING, request.cycle_end, request.closed, request.after_card_id
        )

    @workflow.run
    async def run(self, request: BillingInput) -> BillingState:
        """Close every card still open for the cycle, then return the count."""
        workflow.upsert_search_attributes(
            [OPERATION_KIND.value_set(OPERATION), JOURNEY_STATUS.value_set(Status.CLOSING.value)]
        )
        if not self._state.cycle_end:
            self._state.cycle_end = await workflow.execute_activity(
                CYCLE_OF,
                CycleOfInput(workflow.now().isoformat()),
                result_type=str,
                start_to_close_timeout=STEP_TIMEOUT,
                retry_policy=RETRY,
            )
        for _ in range(request.pages_per_run):
            page: PageClosed = await workflow.execute_activity(
                CLOSE_PAGE,
                PageInput(self._state.cycle_end, self._state.last_card_id, request.page_size),
                result_type=PageClosed,
                start_to_close_timeout=PAGE_TIMEOUT,
                heartbeat_timeout=HEARTBEAT_TIMEOUT,
                retry_policy=RETRY,
            )
            self._state.closed += page.closed
            self._state.last_card_id = page.last_card_id
            if page.done:
                self._state.status = Status.CLOSED
                workflow.upsert_search_attributes([JOURNEY_STATUS.value_set(Status.CLOSED.value)])
                return self._state
        workflow.continue_as_new(
            BillingInput(
                self._state.cycle_end,
                self._state.last_card_id,
                self._state.closed,
                request.page_size,
                request.pages_per_run,
            )
        )

    @workflow.query
    def state(self) -> BillingState:
        """The cycle, how many statements this close wrote, and the last card it closed."""
        return self._state
