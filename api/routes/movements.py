"""Every money movement's life after its start: read it, confirm it with the OTP, cancel it.

Starting one (``start_movement``) is shared by the transfer, bill and card routes: the
client's ``Idempotency-Key`` names the workflow (``mov-<member>-<key>``), so a retried
request joins the first one, and the same key with another order is a 409.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Header, Request
from sqlalchemy import select
from temporalio.client import Client, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from api.deps import CurrentMember, Now, TemporalClient, app_state
from api.errors import ApiError
from api.schemas.common import ERROR_RESPONSES, ErrorBody
from api.schemas.movements import ConfirmacionIn, MovimientoOut, movimiento
from bank.models import Account
from bank.payments.orders import Order
from workflows.movement import MovementWorkflow
from workflows.movement_types import (
    CONFLICT,
    IDEMPOTENCY_KEY,
    Confirmation,
    MovementInput,
    MovementState,
    Status,
    workflow_id,
)

log = logging.getLogger(__name__)

router = APIRouter(prefix="/movements", tags=["Transferencias y pagos"])

RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    400: {"model": ErrorBody, "description": "IDEMPOTENCY_KEY_INVALIDA"},
    409: {"model": ErrorBody, "description": "IDEMPOTENCY_CONFLICT, ESTADO_INVALIDO"},
    503: {"model": ErrorBody, "description": "SERVICIO_NO_DISPONIBLE"},
}

_NOT_FOUND_CODES = frozenset(
    {"CUENTA_ORIGEN_NO_ENCONTRADA", "BENEFICIARIO_NO_ENCONTRADO", "TARJETA_NO_ENCONTRADA"}
)
_STATUS_BY_CODE = {"FACTURA_YA_PAGADA": 409, "SERVICIO_NO_DISPONIBLE": 503}

IdempotencyKey = Annotated[str | None, Header(alias="Idempotency-Key")]


def unavailable() -> ApiError:
    return ApiError(
        503,
        "SERVICIO_NO_DISPONIBLE",
        "El servicio no está disponible en este momento. Intenta más tarde.",
    )


def not_found() -> ApiError:
    return ApiError(404, "MOVIMIENTO_NO_ENCONTRADO", "No encontramos la operación solicitada.")


def checked_key(key: str | None) -> str:
    """The client's Idempotency-Key, required on every movement start."""
    if key is None or not IDEMPOTENCY_KEY.fullmatch(key):
        raise ApiError(
            400,
            "IDEMPOTENCY_KEY_INVALIDA",
            "Envía una cabecera Idempotency-Key de 8 a 64 letras, dígitos, '-' o '_'.",
        )
    return key


async def require_origin(request: Request, member_id: int, number: str) -> None:
    """404 unless the origin account is the caller's (never reveal another's account).

    A short session of its own: the request then waits on Temporal without holding a
    database connection.
    """
    async with app_state(request).read_engine.connect() as conn:
        owner = await conn.scalar(select(Account.member_id).where(Account.number == number))
    if owner != member_id:
        raise ApiError(404, "CUENTA_NO_ENCONTRADA", "No encontramos la cuenta de origen.")


def answer(key: str, state: MovementState) -> MovimientoOut:
    """The member's view, or the refusal as an error (nothing moved)."""
    if state.status in (Status.REJECTED, Status.FAILED) and state.refusal is not None:
        code = state.refusal.code
        status = 404 if code in _NOT_FOUND_CODES else _STATUS_BY_CODE.get(code, 422)
        raise ApiError(status, code, state.refusal.message, details={"id": key})
    return movimiento(key, state)


async def start_movement(request: Request, client: Client, key: str, order: Order) -> MovimientoOut:
    """Start (or join) the movement of ``key`` and answer with its preview."""
    movement_id = workflow_id(order.member_id, key)
    digest = order.digest()
    try:
        await client.start_workflow(
            MovementWorkflow.run,
            MovementInput(order, digest, key),
            id=movement_id,
            task_queue=app_state(request).settings.task_queue,
            id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
            id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
        )
    except WorkflowAlreadyStartedError:
        pass  # closed with this key: answer from its state below
    except RPCError as exc:
        log.warning("cannot start %s: %s", movement_id, exc)
        raise unavailable() from exc
    handle = client.get_workflow_handle_for(MovementWorkflow.run, movement_id)
    try:
        state = await handle.execute_update(MovementWorkflow.preview, digest)
    except WorkflowUpdateFailedError as exc:
        if isinstance(exc.cause, ApplicationError) and exc.cause.type == CONFLICT:
            raise _conflict() from exc
        state = await current_state(client, movement_id)
    except RPCError as exc:
        if exc.status != RPCStatusCode.NOT_FOUND:
            raise unavailable() from exc
        state = await current_state(client, movement_id)
    if state.order_digest != digest:
        raise _conflict()
    return answer(key, state)


def _conflict() -> ApiError:
    return ApiError(
        409,
        "IDEMPOTENCY_CONFLICT",
        "La clave de idempotencia ya se usó para otra operación.",
    )


async def current_state(client: Client, movement_id: str) -> MovementState:
    """The ``state`` Query (also answered by a closed workflow)."""
    handle = client.get_workflow_handle_for(MovementWorkflow.run, movement_id)
    try:
        return await handle.query(MovementWorkflow.state)
    except RPCError as exc:
        if exc.status in (RPCStatusCode.NOT_FOUND, RPCStatusCode.INVALID_ARGUMENT):
            raise not_found() from exc
        raise unavailable() from exc


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
    try:
        found = [
            e
            async for e in client.list_workflows(
                query, limit=PENDING_LIMIT, page_size=PENDING_LIMIT
            )
        ]
    except RPCError as exc:
        log.warning("visibility query %r failed: %s", query, exc)
        raise unavailable() from exc
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
        state = await handle.execute_update(MovementWorkflow.confirm, Confirmation(body.codigo))
    except WorkflowUpdateFailedError as exc:
        raise _update_refused(exc) from exc
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            await current_state(client, movement_id)  # 404 if it never existed
            raise _state_error() from exc
        raise unavailable() from exc
    if state.status is Status.AWAITING_OTP:
        tries = "1 intento" if state.attempts_left == 1 else f"{state.attempts_left} intentos"
        raise ApiError(
            422,
            "CODIGO_INCORRECTO",
            f"El código ingresado es incorrecto. Te quedan {tries}.",
            details={"intentos_restantes": state.attempts_left},
        )
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
        state = await handle.execute_update(MovementWorkflow.cancel)
    except WorkflowUpdateFailedError as exc:
        raise _update_refused(exc) from exc
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            await current_state(client, movement_id)
            raise _state_error() from exc
        raise unavailable() from exc
    return movimiento(key, state)


def _state_error() -> ApiError:
    return ApiError(409, "ESTADO_INVALIDO", "La operación ya no admite este paso.")


def _update_refused(exc: WorkflowUpdateFailedError) -> ApiError:
    cause = exc.cause
    if isinstance(cause, ApplicationError) and cause.type == "CODIGO_INVALIDO":
        return ApiError(422, "CODIGO_INVALIDO", cause.message)
    if isinstance(cause, ApplicationError) and cause.type == "ESTADO_INVALIDO":
        return ApiError(409, "ESTADO_INVALIDO", cause.message)
    return unavailable()
