"""A purchase's deferral as a workflow: check and send the OTP → code → defer.

ID ``card-deferral-<card id>`` (``workflows.card_deferral.contract``). ``prepared``
(Update) answers once the purchase, amount and term are checked and the code sent, or
refused; ``confirm`` checks the code and writes the deferral in one activity; ``cancel``
ends a journey waiting for its code; ``state`` is the Query. Past the OTP window the
journey expires and nothing is deferred.
"""

from __future__ import annotations

import asyncio

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from workflows.card_deferral.contract import (
        CODE_PATTERN,
        DEFER,
        PREPARE,
        QUICK,
        REFUSED,
        STEP_TIMEOUT,
        Confirmation,
        DeferralInput,
        DeferralState,
        Deferred,
        Prepared,
        Refusal,
        Status,
        StepInput,
    )
    from workflows.code_step import code_window_closed, refusal_of
    from workflows.search_attributes import AMOUNT, JOURNEY_STATUS, MEMBER_ID, OPERATION_KIND

OPERATION = "CARD_DEFERRAL"


@workflow.defn
class CardDeferralWorkflow:
    """One deferral of one purchase, from the simulation the member accepted to its rows."""

    @workflow.init
    def __init__(self, request: DeferralInput) -> None:
        self._input = request
        self._state = DeferralState(
            status=Status.CHECKING,
            card_id=request.card_id,
            purchase_id=request.purchase_id,
            amount_cents=request.amount_cents,
            term_months=request.term_months,
        )
        self._challenge_id = ""
        self._lock = asyncio.Lock()

    @workflow.run
    async def run(self, request: DeferralInput) -> DeferralState:
        """Drive the deferral to a final status and return its state."""
        workflow.upsert_search_attributes(
            [
                MEMBER_ID.value_set(str(request.member_id)),
                OPERATION_KIND.value_set(OPERATION),
                AMOUNT.value_set(request.amount_cents / 100),
            ]
        )
        self._set(Status.CHECKING)
        if await self._prepare():
            await self._await_code()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._state

    @workflow.query
    def state(self) -> DeferralState:
        """Everything the member and an officer see of this deferral."""
        return self._state

    @workflow.update
    async def prepared(self) -> DeferralState:
        """Wait for the check (and the code sent) and return the state."""
        await workflow.wait_condition(lambda: self._state.status is not Status.CHECKING)
        return self._state

    @workflow.update
    async def confirm(self, confirmation: Confirmation) -> DeferralState:
        """Check the code and defer; wrong codes leave it waiting (5 at most)."""
        async with self._lock:
            if self._state.status is Status.AWAITING_OTP:
                await self._defer(confirmation.code)
        return self._state

    @confirm.validator
    def _can_confirm(self, confirmation: Confirmation) -> None:
        if not CODE_PATTERN.fullmatch(confirmation.code):
            raise ApplicationError("El código debe tener 6 dígitos.", type="CODIGO_INVALIDO")
        if self._state.status is not Status.AWAITING_OTP:
            raise ApplicationError(
                "El diferido ya no espera un código de seguridad.", type="ESTADO_INVALIDO"
            )

    @workflow.update
    def cancel(self) -> DeferralState:
        """ "Cancelar": the purchase stays in the revolving balance."""
        self._set(Status.CANCELLED)
        return self._state

    @cancel.validator
    def _can_cancel(self) -> None:
        if self._state.status is not Status.AWAITING_OTP:
            raise ApplicationError("El diferido ya no puede cancelarse.", type="ESTADO_INVALIDO")

    # --- steps ----------------------------------------------------------------------------

    def _step(self, code: str = "") -> StepInput:
        request, info = self._input, workflow.info()
        return StepInput(
            f"{info.workflow_id}/{info.run_id}",
            request.member_id,
            request.card_id,
            request.purchase_id,
            request.amount_cents,
            request.term_months,
            self._challenge_id,
            code,
        )

    async def _prepare(self) -> bool:
        try:
            prepared: Prepared = await workflow.execute_activity(
                PREPARE,
                self._step(),
                result_type=Prepared,
                start_to_close_timeout=STEP_TIMEOUT,
                retry_policy=QUICK,
            )
        except ActivityError as err:
            self._refuse(_refusal(err), Status.REFUSED)
            return False
        if not prepared.ok:
            assert prepared.refusal is not None
            self._refuse(prepared.refusal, Status.REFUSED)
            return False
        self._challenge_id = prepared.challenge_id
        self._state.installment_cents = prepared.installment_cents
        self._state.otp_sent_to = prepared.sent_to
        self._state.otp_expires_at = prepared.expires_at
        self._set(Status.AWAITING_OTP)
        return True

    async def _await_code(self) -> None:
        """Wait for a right code (wrong ones keep waiting) until the OTP window closes."""
        if await code_window_closed(lambda: self._state.status):
            self._set(Status.EXPIRED)

    async def _defer(self, code: str) -> None:
        self._set(Status.CONFIRMING)
        try:
            result: Deferred = await workflow.execute_activity(
                DEFER,
                self._step(code),
                result_type=Deferred,
                start_to_close_timeout=STEP_TIMEOUT,
                retry_policy=QUICK,
            )
        except ActivityError as err:
            self._refuse(_refusal(err), Status.REFUSED)
            return
        if result.ok:
            self._state.deferral_id = result.deferral_id
            self._set(Status.DEFERRED)
        elif result.refusal is not None:
            self._state.otp_attempts_left = 0 if result.locked else self._state.otp_attempts_left
            self._refuse(result.refusal, Status.FAILED if result.locked else Status.REFUSED)
        else:
            self._state.otp_attempts_left = result.attempts_left
            self._set(Status.AWAITING_OTP if result.attempts_left > 0 else Status.FAILED)

    def _refuse(self, refusal: Refusal, status: Status) -> None:
        self._state.refusal = refusal
        self._set(status)

    def _set(self, status: Status) -> None:
        """The one place that changes the status: the search attribute follows it."""
        self._state.status = status
        workflow.upsert_search_attributes([JOURNEY_STATUS.value_set(status.value)])


def _refusal(err: ActivityError) -> Refusal:
    """A business refusal keeps its code and message; anything else is a system error."""
    return refusal_of(
        err,
        REFUSED,
        Refusal("ERROR_DEL_SISTEMA", "No pudimos diferir tu consumo. Inténtalo más tarde."),
    )
