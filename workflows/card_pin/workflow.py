"""A card PIN change as a workflow: check the previous PIN → OTP → set the new PIN.

ID ``card-pin-<card id>`` (``workflows.card_pin.contract``). ``prepared`` (Update) answers
once the previous PIN is checked and the code sent, or refused; ``confirm`` checks the code
and sets the PIN in one activity; ``cancel`` ends a change waiting for its code; ``state`` is
the Query. Past the OTP window the change expires. Only digests of PINs pass through here.
"""

from __future__ import annotations

import asyncio

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from workflows.card_pin.contract import (
        CHANGE,
        CODE_PATTERN,
        PREPARE,
        QUICK,
        REFUSED,
        STEP_TIMEOUT,
        Changed,
        ChangeInput,
        Confirmation,
        PinChangeInput,
        PinChangeState,
        Prepared,
        PrepareInput,
        Refusal,
        Status,
    )
    from workflows.code_step import code_window_closed, refusal_of
    from workflows.search_attributes import JOURNEY_STATUS, MEMBER_ID, OPERATION_KIND

OPERATION = "CARD_PIN_CHANGE"


@workflow.defn
class CardPinChangeWorkflow:
    """One PIN change of one card, from the previous PIN to the new one."""

    @workflow.init
    def __init__(self, request: PinChangeInput) -> None:
        self._input = request
        self._state = PinChangeState(status=Status.CHECKING, card_id=request.card_id)
        self._challenge_id = ""
        self._lock = asyncio.Lock()

    @workflow.run
    async def run(self, request: PinChangeInput) -> PinChangeState:
        """Drive the change to a final status and return its state."""
        workflow.upsert_search_attributes(
            [
                MEMBER_ID.value_set(str(request.member_id)),
                OPERATION_KIND.value_set(OPERATION),
            ]
        )
        self._set(Status.CHECKING)
        if await self._prepare():
            await self._await_code()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._state

    @workflow.query
    def state(self) -> PinChangeState:
        """Everything the member and an officer see of this change."""
        return self._state

    @workflow.update
    async def prepared(self) -> PinChangeState:
        """Wait for the previous PIN's check (and the code sent) and return the state."""
        await workflow.wait_condition(lambda: self._state.status is not Status.CHECKING)
        return self._state

    @workflow.update
    async def confirm(self, confirmation: Confirmation) -> PinChangeState:
        """Check the code and set the new PIN; wrong codes leave it waiting (5 at most)."""
        async with self._lock:
            if self._state.status is Status.AWAITING_OTP:
                await self._change(confirmation.code)
        return self._state

    @confirm.validator
    def _can_confirm(self, confirmation: Confirmation) -> None:
        if not CODE_PATTERN.fullmatch(confirmation.code):
            raise ApplicationError("El código debe tener 6 dígitos.", type="CODIGO_INVALIDO")
        if self._state.status is not Status.AWAITING_OTP:
            raise ApplicationError(
                "El cambio de clave ya no espera un código de seguridad.", type="ESTADO_INVALIDO"
            )

    @workflow.update
    def cancel(self) -> PinChangeState:
        """ "Cancelar": the PIN stays as it was."""
        self._set(Status.CANCELLED)
        return self._state

    @cancel.validator
    def _can_cancel(self) -> None:
        if self._state.status is not Status.AWAITING_OTP:
            raise ApplicationError(
                "El cambio de clave ya no puede cancelarse.", type="ESTADO_INVALIDO"
            )

    # --- steps ----------------------------------------------------------------------------

    async def _prepare(self) -> bool:
        request = self._input
        try:
            prepared: Prepared = await workflow.execute_activity(
                PREPARE,
                PrepareInput(
                    self._key(),
                    request.member_id,
                    request.card_id,
                    request.previous_digest,
                    request.new_digest,
                ),
                result_type=Prepared,
                start_to_close_timeout=STEP_TIMEOUT,
                retry_policy=QUICK,
            )
        except ActivityError as err:
            self._refuse(_refusal(err), Status.REFUSED)
            return False
        self._state.pin_attempts_left = prepared.attempts_left
        if not prepared.ok:
            assert prepared.refusal is not None
            self._refuse(prepared.refusal, Status.REFUSED)
            return False
        self._challenge_id = prepared.challenge_id
        self._state.otp_sent_to = prepared.sent_to
        self._state.otp_expires_at = prepared.expires_at
        self._set(Status.AWAITING_OTP)
        return True

    async def _await_code(self) -> None:
        """Wait for a right code (wrong ones keep waiting) until the OTP window closes."""
        if await code_window_closed(lambda: self._state.status):
            self._set(Status.EXPIRED)

    async def _change(self, code: str) -> None:
        request = self._input
        self._set(Status.CONFIRMING)
        try:
            result: Changed = await workflow.execute_activity(
                CHANGE,
                ChangeInput(
                    self._key(),
                    request.member_id,
                    request.card_id,
                    self._challenge_id,
                    request.new_digest,
                    code,
                ),
                result_type=Changed,
                start_to_close_timeout=STEP_TIMEOUT,
                retry_policy=QUICK,
            )
        except ActivityError as err:
            self._refuse(_refusal(err), Status.REFUSED)
            return
        if result.ok:
            self._set(Status.CHANGED)
        elif result.refusal is not None:
            self._state.otp_attempts_left = 0 if result.locked else self._state.otp_attempts_left
            self._refuse(result.refusal, Status.FAILED if result.locked else Status.REFUSED)
        else:
            self._state.otp_attempts_left = result.attempts_left
            self._set(Status.AWAITING_OTP if result.attempts_left > 0 else Status.FAILED)

    @staticmethod
    def _key() -> str:
        """This change: a card's changes share the workflow ID, each run is one change."""
        info = workflow.info()
        return f"{info.workflow_id}/{info.run_id}"

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
        Refusal(
            "ERROR_DEL_SISTEMA", "No pudimos cambiar la clave de tu tarjeta. Inténtalo más tarde."
        ),
    )
