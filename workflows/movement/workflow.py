"""A money movement as a workflow: preview → OTP → one posting → settlement saga.

ID ``mov-<member>-<Idempotency-Key>`` (``workflows.movement.contract``). The ``preview``
Update answers once the preview is ready and its OTP sent (the same key with another order
is rejected: ``IDEMPOTENCY_CONFLICT``); ``confirm`` checks the code and moves the money in
one activity (one balanced entry: principal, commission, IVA). Interbank transfers and
other banks' cards then wait for the SPI (immediate institutions within seconds, the rest
at the next clearing cycle); a rejection credits everything back and emails the member.
Service payments tell the biller; a biller refusal reverses too. See docs/transfers.md.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import timedelta
from typing import TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from bank.payments.orders import SPI_KINDS, MovementKind
    from workflows.movement.contract import (
        BILLER_PAY,
        CODE_PATTERN,
        CONFIRM_WAIT,
        CONFLICT,
        EXECUTE,
        FINAL,
        OTP_WINDOW,
        PATIENT,
        POSTING,
        POSTING_TIMEOUT,
        PREPARE,
        QUICK,
        REFUSED,
        REVERSE,
        SETTLE,
        SPI_STATUS,
        SPI_SUBMIT,
        STATUS_POLL,
        Confirmation,
        Executed,
        ExecuteInput,
        MovementInput,
        MovementState,
        Prepared,
        Refusal,
        ReverseInput,
        SettlementInput,
        SpiAnswer,
        Status,
        rejection_reason,
    )
    from workflows.search_attributes import (
        AMOUNT,
        IDEMPOTENCY_KEY,
        JOURNEY_STATUS,
        MEMBER_ID,
        OPERATION_KIND,
    )


T = TypeVar("T")
LOCAL_STEPS = "movement-local-steps"
"""Patch: the preview and the posting run as local activities (see ``_step``)."""
SPI_WAIT_TIMER = "movement-spi-wait-timer"
"""Patch: the wait for the SPI's settlement is always a timer (see ``_await_spi``)."""
MIN_SPI_WAIT = timedelta(seconds=1)


@workflow.defn
class MovementWorkflow:
    """One transfer or payment of one member, from preview to its final outcome."""

    @workflow.init
    def __init__(self, request: MovementInput) -> None:
        self._input = request
        self._state = MovementState(
            status=Status.PREPARING, kind=request.order.kind, order_digest=request.order_digest
        )
        self._prepared: Prepared | None = None
        self._lock = asyncio.Lock()

    @workflow.run
    async def run(self, request: MovementInput) -> MovementState:
        """Drive the movement to a final status and return its state."""
        order = request.order
        workflow.upsert_search_attributes(
            [
                OPERATION_KIND.value_set(str(order.kind)),
                MEMBER_ID.value_set(str(order.member_id)),
                IDEMPOTENCY_KEY.value_set(request.idempotency_key),
            ]
        )
        self._set(Status.PREPARING)
        if await self._prepare(request):
            await self._await_confirmation()
            if self._state.status is Status.POSTED:
                await self._settle()
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self._state

    @workflow.query
    def state(self) -> MovementState:
        """Everything the member and an officer see of this movement."""
        return self._state

    @workflow.update
    async def preview(self, order_digest: str) -> MovementState:
        """Wait for the preview (or its refusal) and return the state."""
        await workflow.wait_condition(lambda: self._state.status is not Status.PREPARING)
        return self._state

    @preview.validator
    def _same_order(self, order_digest: str) -> None:
        if order_digest != self._input.order_digest:
            raise ApplicationError(
                "La clave de idempotencia ya se usó para otra operación.", type=CONFLICT
            )

    @workflow.update
    async def confirm(self, confirmation: Confirmation) -> MovementState:
        """Check the OTP and move the money; wrong codes leave it waiting (5 at most)."""
        async with self._lock:
            if self._state.status is Status.AWAITING_OTP:
                await self._execute(confirmation.code)
        if self._state.kind is MovementKind.SERVICE_PAYMENT and self._state.status is Status.POSTED:
            with contextlib.suppress(asyncio.TimeoutError):
                await workflow.wait_condition(
                    lambda: self._state.status in FINAL, timeout=CONFIRM_WAIT
                )
        return self._state

    @confirm.validator
    def _can_confirm(self, confirmation: Confirmation) -> None:
        if not CODE_PATTERN.fullmatch(confirmation.code):
            raise ApplicationError("El código debe tener 6 dígitos.", type="CODIGO_INVALIDO")
        if self._state.status is not Status.AWAITING_OTP:
            raise ApplicationError(
                "La operación ya no espera un código de seguridad.", type="ESTADO_INVALIDO"
            )

    @workflow.update
    def cancel(self) -> MovementState:
        """The member cancels the preview ("Cancelar"): nothing moves."""
        self._set(Status.CANCELLED)
        return self._state

    @cancel.validator
    def _can_cancel(self) -> None:
        if self._state.status is not Status.AWAITING_OTP:
            raise ApplicationError("La operación ya no puede cancelarse.", type="ESTADO_INVALIDO")

    # --- steps ----------------------------------------------------------------------------

    async def _await_confirmation(self) -> None:
        """Wait for a right code (wrong ones keep waiting) until the OTP window closes."""
        waiting = (Status.AWAITING_OTP, Status.CONFIRMING)
        with contextlib.suppress(asyncio.TimeoutError):
            await workflow.wait_condition(
                lambda: self._state.status not in waiting, timeout=OTP_WINDOW
            )
        # A confirmation running when the window closed may still finish.
        await workflow.wait_condition(lambda: self._state.status is not Status.CONFIRMING)
        if self._state.status is Status.AWAITING_OTP:
            self._set(Status.EXPIRED)

    async def _prepare(self, request: MovementInput) -> bool:
        try:
            prepared: Prepared = await _step(
                PREPARE, request, Prepared, timedelta(seconds=30), QUICK
            )
        except (ActivityError, ApplicationError) as err:
            self._refuse(_refusal(err))
            return False
        self._prepared = prepared
        self._state.preview = prepared.preview
        self._state.otp_sent_to = prepared.sent_to
        self._state.otp_expires_at = prepared.expires_at
        workflow.upsert_search_attributes([AMOUNT.value_set(prepared.preview.total_cents / 100)])
        self._set(Status.AWAITING_OTP)
        return True

    async def _execute(self, code: str) -> None:
        assert self._prepared is not None
        self._set(Status.CONFIRMING)
        try:
            result: Executed = await _step(
                EXECUTE,
                ExecuteInput(
                    workflow.info().workflow_id,
                    self._prepared.preview,
                    self._prepared.challenge_id,
                    code,
                    self._input.order.new_beneficiary,
                ),
                Executed,
                POSTING_TIMEOUT,
                POSTING,
            )
        except (ActivityError, ApplicationError) as err:
            self._refuse(_refusal(err))
            return
        if result.ok:
            self._state.entry_id = result.entry_id
            final = self._state.kind not in SPI_KINDS | {MovementKind.SERVICE_PAYMENT}
            self._set(Status.COMPLETED if final else Status.POSTED)
            if final:
                self._state.completed_at = workflow.now()
        elif result.refusal is not None:
            self._state.attempts_left = 0 if result.locked else self._state.attempts_left
            self._refuse(result.refusal, Status.FAILED if result.locked else Status.REJECTED)
        else:
            self._state.attempts_left = result.attempts_left
            self._set(Status.AWAITING_OTP if result.attempts_left > 0 else Status.FAILED)

    async def _settle(self) -> None:
        assert self._prepared is not None
        settlement = SettlementInput(
            workflow.info().workflow_id, self._prepared.preview, submitted_at=workflow.now()
        )
        if self._state.kind is MovementKind.SERVICE_PAYMENT:
            answer = await self._call(BILLER_PAY, settlement)
        else:
            answer = await self._await_spi(settlement)
        if answer.state == "CREDITED":
            await self._call(SETTLE, settlement, result=False)
            self._state.completed_at = workflow.now()
            self._set(Status.COMPLETED)
            return
        reason = rejection_reason(answer.reason)
        await self._call(
            REVERSE,
            ReverseInput(settlement.movement_id, settlement.preview, answer.reason or "", reason),
            result=False,
        )
        self._state.refusal = Refusal(answer.reason or "RECHAZADA", reason)
        self._state.completed_at = workflow.now()
        self._set(Status.REVERSED)

    async def _await_spi(self, settlement: SettlementInput) -> SpiAnswer:
        ack = await self._call(SPI_SUBMIT, settlement)
        self._state.settles_at = ack.settles_at
        wait = ack.settles_at - workflow.now()
        # Whether to wait must not depend on the clock: a workflow task retried after a server
        # outage replays with a later now() than the first attempt computed with (the
        # outage test caught a nondeterminism error there). Since SPI_WAIT_TIMER there is
        # always a timer, at least a second long; its length may differ, its command not.
        always = workflow.patched(SPI_WAIT_TIMER)
        while True:
            if always:
                await workflow.sleep(max(wait, MIN_SPI_WAIT))
            elif wait > timedelta(0):
                await workflow.sleep(wait)
            answer = await self._call(
                SPI_STATUS,
                SettlementInput(
                    settlement.movement_id,
                    settlement.preview,
                    settlement.submitted_at,
                    as_of=workflow.now(),
                ),
            )
            if answer.state != "PENDING":
                return answer
            wait = STATUS_POLL

    async def _call(self, name: str, arg: object, *, result: bool = True) -> SpiAnswer:
        return await workflow.execute_activity(
            name,
            arg,
            result_type=SpiAnswer if result else None,
            start_to_close_timeout=timedelta(seconds=30),
            retry_policy=PATIENT,
        )

    def _refuse(self, refusal: Refusal, status: Status = Status.REJECTED) -> None:
        self._state.refusal = refusal
        self._set(status)

    def _set(self, status: Status) -> None:
        self._state.status = status
        self._state.history.append(f"{workflow.now().isoformat()} {status}")
        workflow.upsert_search_attributes([JOURNEY_STATUS.value_set(str(status))])


async def _step(
    name: str, arg: object, result_type: type[T], limit: timedelta, retry: RetryPolicy
) -> T:
    """The preview or the posting: a local activity (one short transaction run inside the
    workflow task, no activity task round trips through the server); histories recorded
    before ``LOCAL_STEPS`` ran them as ordinary activities and replay that way.
    """
    if workflow.patched(LOCAL_STEPS):
        return await workflow.execute_local_activity(
            name, arg, result_type=result_type, start_to_close_timeout=limit, retry_policy=retry
        )
    return await workflow.execute_activity(
        name, arg, result_type=result_type, start_to_close_timeout=limit, retry_policy=retry
    )


def _refusal(err: ActivityError | ApplicationError) -> Refusal:
    """The member-facing refusal carried by an activity's ApplicationError (a local
    activity's failure can arrive unwrapped, as the ApplicationError itself)."""
    cause = err.cause if isinstance(err, ActivityError) else err
    if isinstance(cause, ApplicationError) and cause.type == REFUSED and len(cause.details) >= 2:
        return Refusal(str(cause.details[0]), str(cause.details[1]))
    return Refusal(
        "SERVICIO_NO_DISPONIBLE",
        "El servicio no está disponible en este momento. Intenta más tarde.",
    )
