"""Starting a money movement and reading its state: shared by the movement routes.

Not a route module: ``api/routes/money.py`` (transfers, bills, cards) starts movements with
``start_movement``; ``api/routes/movements.py`` reads, confirms and cancels them. The
client's ``Idempotency-Key`` names the workflow (``mov-<member>-<key>``), so a retried
request joins the first one, and the same key with another order is a 409. Temporal is
reached through ``api.temporal`` (bounded waits, the ``REFUSALS`` table).
"""

from __future__ import annotations

import logging
from typing import Annotated, Any

from fastapi import Header, Request
from sqlalchemy import select
from temporalio.client import Client, WithStartWorkflowOperation
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.exceptions import WorkflowAlreadyStartedError
from temporalio.service import RPCStatusCode

from api import temporal
from api.deps import app_state
from api.errors import ApiError
from api.schemas.common import ERROR_RESPONSES, ErrorBody
from api.schemas.movements import MovimientoOut, movimiento
from bank.models import Account
from bank.payments.orders import Order
from workflows.movement.contract import (
    CONFLICT,
    IDEMPOTENCY_KEY,
    MovementInput,
    MovementState,
    Status,
    workflow_id,
)
from workflows.movement.workflow import MovementWorkflow

log = logging.getLogger(__name__)

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


def not_found() -> ApiError:
    """404 ``MOVIMIENTO_NO_ENCONTRADO`` (unknown key, or another member's)."""
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
    start = WithStartWorkflowOperation(
        MovementWorkflow.run,
        MovementInput(order, digest, key),
        id=movement_id,
        task_queue=app_state(request).settings.task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
    )
    try:
        # One request: start (or join the running one) and wait for the preview.
        state = await temporal.update_with_start(
            client, MovementWorkflow.preview, (digest,), start, not_found=not_found
        )
    except temporal.UpdateRefused as exc:
        if exc.error_type == CONFLICT:
            raise
        state = await current_state(client, movement_id)  # closed meanwhile: its answer
    except (temporal.WorkflowGone, WorkflowAlreadyStartedError):
        state = await current_state(client, movement_id)  # a closed movement with this key
    if state.order_digest != digest:
        raise _conflict()
    return answer(key, state)


def _conflict() -> ApiError:
    """The same key with another order (the ``REFUSALS`` answer for ``CONFLICT``)."""
    refusal = temporal.REFUSALS[CONFLICT]
    assert refusal.code is not None and refusal.message is not None
    return ApiError(refusal.status, refusal.code, refusal.message)


async def current_state(client: Client, movement_id: str) -> MovementState:
    """The ``state`` Query (also answered by a closed workflow)."""
    handle = client.get_workflow_handle_for(MovementWorkflow.run, movement_id)
    return await temporal.query(
        handle, MovementWorkflow.state, not_found=not_found, not_found_codes=_GONE
    )


_GONE = frozenset({RPCStatusCode.NOT_FOUND, RPCStatusCode.INVALID_ARGUMENT})
