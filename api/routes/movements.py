"""Every money movement's life after its start: list the pending ones, read, confirm, cancel.

Starting one is ``api.movements_service.start_movement`` (used by ``api/routes/money.py``).
"""

from __future__ import annotations

import asyncio
from datetime import datetime

from fastapi import APIRouter, Request
from temporalio.client import Client

from api import temporal
from api.deps import CurrentMember, Now, TemporalClient, app_state
from api.errors import ApiError, wrong_code
from api.movements_service import RESPONSES, answer, current_state, not_found
from api.schemas.movements import ConfirmacionIn, MovimientoOut, movimiento
from workflows.movement.contract import (
    IDEMPOTENCY_KEY,
    Confirmation,
    MovementState,
    Status,
    workflow_id,
)
from workflows.movement.workflow import MovementWorkflow

router = APIRouter(prefix="/movements", tags=["Transferencias y pagos"])


def _movement_id(member_id: int, key: str) -> str:
    if not IDEMPOTENCY_KEY.fullmatch(key):
        raise not_found()
    return workflow_id(member_id, key)


PENDING_LIMIT = 20
"""At most this many pending operations are listed (a member rarely has more than one)."""


@router.get("", response_model=list[MovimientoOut], responses=RESPONSES)
async def pending_movements(
    request: Request, member: CurrentMember, client: TemporalClient, now: Now
) -> list[MovimientoOut]:
    """Operaciones pendientes de confirmar: the caller's previews still awaiting their code.

    Newest first. Found through Temporal's visibility store (``MemberId`` and
    ``JourneyStatus`` search attributes of running movement workflows), which is updated
    asynchronously: each candidate's state is then read by Query, so an operation confirmed,
    cancelled or expired a moment ago is never offered.
    """
    prefix = workflow_id(member.member_id, "")
    query = (
        f'WorkflowType = "{MovementWorkflow.__name__}" AND ExecutionStatus = "Running"'
        f' AND MemberId = "{member.member_id}" AND JourneyStatus = "{Status.AWAITING_OTP}"'
        f' AND TaskQueue = "{app_state(request).settings.task_queue}"'
    )
    found = await temporal.list_executions(client, query, PENDING_LIMIT)
    # Only the caller's own IDs (the visibility filter is not the only guard).
    mine = [
        e
        for e in found
        if e.id.startswith(prefix) and IDEMPOTENCY_KEY.fullmatch(e.id.removeprefix(prefix))
    ]
    mine.sort(key=lambda e: e.start_time, reverse=True)
    states = await asyncio.gather(*(_pending_state(client, e.id) for e in mine))
    return [
        movimiento(e.id.removeprefix(prefix), state)
        for e, state in zip(mine, states, strict=True)
        if state is not None and _still_pending(state, now)
    ]


async def _pending_state(client: Client, movement_id: str) -> MovementState | None:
    """The state of a listed movement; ``None`` if it vanished meanwhile."""
    try:
        return await current_state(client, movement_id)
    except ApiError as exc:
        if exc.status_code == 404:
            return None
        raise


def _still_pending(state: MovementState, now: datetime) -> bool:
    expires = state.otp_expires_at
    return state.status is Status.AWAITING_OTP and (expires is None or expires > now)


@router.get("/{key}", response_model=MovimientoOut, responses=RESPONSES)
async def get_movement(key: str, member: CurrentMember, client: TemporalClient) -> MovimientoOut:
    """Where a transfer or payment stands (pending interbank credits included)."""
    state = await current_state(client, _movement_id(member.member_id, key))
    return movimiento(key, state)


@router.post("/{key}/confirm", response_model=MovimientoOut, responses=RESPONSES)
async def confirm_movement(
    key: str, body: ConfirmacionIn, member: CurrentMember, client: TemporalClient
) -> MovimientoOut:
    """Authorise the preview with the SMS code: the money moves now."""
    movement_id = _movement_id(member.member_id, key)
    handle = client.get_workflow_handle_for(MovementWorkflow.run, movement_id)
    try:
        state = await temporal.update(
            handle, MovementWorkflow.confirm, (Confirmation(body.codigo),), not_found=_state_error
        )
    except temporal.WorkflowGone as exc:
        await current_state(client, movement_id)  # 404 if it never existed
        raise _state_error() from exc
    if state.status is Status.AWAITING_OTP:
        raise wrong_code(state.attempts_left)
    if state.status is Status.FAILED:
        raise ApiError(
            422,
            "INTENTOS_AGOTADOS",
            "Superaste el número de intentos permitidos. La operación no se realizó.",
        )
    return answer(key, state)


@router.post("/{key}/cancel", response_model=MovimientoOut, responses=RESPONSES)
async def cancel_movement(key: str, member: CurrentMember, client: TemporalClient) -> MovimientoOut:
    """Cancel a preview that still waits for its code."""
    movement_id = _movement_id(member.member_id, key)
    handle = client.get_workflow_handle_for(MovementWorkflow.run, movement_id)
    try:
        state = await temporal.update(handle, MovementWorkflow.cancel, not_found=_state_error)
    except temporal.WorkflowGone as exc:
        await current_state(client, movement_id)  # 404 if it never existed
        raise _state_error() from exc
    return movimiento(key, state)


def _state_error() -> ApiError:
    return ApiError(409, "ESTADO_INVALIDO", "La operación ya no admite este paso.")
