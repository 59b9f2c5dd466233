"""Cambiar clave and Recuperar clave of a debit or credit card (manual §1).

``POST /cards/{id}/pin/change`` checks the new PIN's rules (4 digits, not consecutive, not
repeated, not the birth date) and its confirmation here, in clear, then starts
``CardPinChangeWorkflow`` with keyed digests only; its answer waits for the previous PIN's
check and the SMS code. ``…/confirm`` sends the code, ``…/cancel`` gives up.
``POST /cards/{id}/pin/recover`` emails a temporary PIN ("GENERACION DE CLAVE") at once: one
step, no waiting, so no workflow. Every call checks the card is the member's.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request, status
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy

from api import temporal
from api.deps import CurrentMember, DbSession, Now, TemporalClient, app_state
from api.domain_calls import run
from api.errors import ApiError, wrong_code
from api.schemas.card_pins import (
    PIN_STATES,
    CambioClaveIn,
    CambioClaveOut,
    EstadoClaveOut,
    RecuperacionClaveOut,
    change_out,
)
from api.schemas.common import ERROR_RESPONSES
from api.schemas.movements import ConfirmacionIn
from bank.cards import pins
from bank.models import CardPin, Member
from workflows.card_pin.contract import (
    Confirmation,
    PinChangeInput,
    PinChangeState,
    Status,
    workflow_id,
)
from workflows.card_pin.workflow import CardPinChangeWorkflow

router = APIRouter(prefix="/cards/{card_id}/pin", tags=["Tarjetas: clave"])
CardId = Annotated[int, Path(ge=1, le=2**63 - 1)]
RESPONSES = ERROR_RESPONSES


def not_found() -> ApiError:
    return ApiError(404, "CAMBIO_NO_ENCONTRADO", "No hay un cambio de clave en curso.")


@router.get("", response_model=EstadoClaveOut, responses=RESPONSES)
async def pin_status(card_id: CardId, member: CurrentMember, db: DbSession) -> EstadoClaveOut:
    """Whether the card's PIN is active, temporary (to be changed) or blocked."""

    def read(session: Session) -> pins.PinStatus:
        pins.owned_card(session, member.member_id, card_id)
        return pins.status_of(session.get(CardPin, card_id))

    found = await run(db, read)
    return EstadoClaveOut(
        tarjeta_id=card_id,
        estado=found.state,
        intentos_restantes=found.attempts_left,
        mensaje=PIN_STATES[found.state],
    )


@router.post(
    "/change",
    response_model=CambioClaveOut,
    status_code=status.HTTP_201_CREATED,
    responses=RESPONSES,
)
async def start_change(
    card_id: CardId,
    body: CambioClaveIn,
    member: CurrentMember,
    db: DbSession,
    client: TemporalClient,
    request: Request,
) -> CambioClaveOut:
    """Clave anterior, nueva y confirmación → the SMS code (or why not)."""
    secret = app_state(request).settings.secret_key

    def digests(session: Session) -> tuple[str, str]:
        card = pins.owned_card(session, member.member_id, card_id)
        owner = session.get(Member, member.member_id)
        birth = owner.birth_date if owner else None
        pins.check_new_pin(body.clave_nueva, body.confirmacion, body.clave_anterior, birth)
        return (
            pins.pin_digest(secret, card, body.clave_anterior),
            pins.pin_digest(secret, card, body.clave_nueva),
        )

    previous, new = await run(db, digests)
    change_id = workflow_id(card_id)
    await temporal.start(
        client,
        CardPinChangeWorkflow.run,
        PinChangeInput(member.member_id, card_id, previous, new),
        id=change_id,
        task_queue=app_state(request).settings.task_queue,
        # A new change replaces one still waiting for its code (that code is voided too).
        id_conflict_policy=WorkflowIDConflictPolicy.TERMINATE_EXISTING,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
    )
    handle = client.get_workflow_handle_for(CardPinChangeWorkflow.run, change_id)
    state = await temporal.update(handle, CardPinChangeWorkflow.prepared, not_found=not_found)
    return _answer(state)


@router.get("/change", response_model=CambioClaveOut, responses=RESPONSES)
async def current_change(
    card_id: CardId, member: CurrentMember, db: DbSession, client: TemporalClient
) -> CambioClaveOut:
    """The latest change of this card (to resume the code step)."""
    await _owned(db, member.member_id, card_id)
    return change_out(await _state(client, card_id))


@router.post("/change/confirm", response_model=CambioClaveOut, responses=RESPONSES)
async def confirm_change(
    card_id: CardId,
    body: ConfirmacionIn,
    member: CurrentMember,
    db: DbSession,
    client: TemporalClient,
) -> CambioClaveOut:
    """The SMS code: right → the new PIN is set (its shape is the workflow validator's)."""
    await _owned(db, member.member_id, card_id)
    handle = client.get_workflow_handle_for(CardPinChangeWorkflow.run, workflow_id(card_id))
    state = await temporal.update(
        handle,
        CardPinChangeWorkflow.confirm,
        (Confirmation(body.codigo),),
        not_found=not_found,
    )
    if state.status is Status.AWAITING_OTP:
        raise wrong_code(state.otp_attempts_left)
    return _answer(state)


@router.post("/change/cancel", response_model=CambioClaveOut, responses=RESPONSES)
async def cancel_change(
    card_id: CardId, member: CurrentMember, db: DbSession, client: TemporalClient
) -> CambioClaveOut:
    """ "Cancelar" on the code step: the PIN stays as it was."""
    await _owned(db, member.member_id, card_id)
    handle = client.get_workflow_handle_for(CardPinChangeWorkflow.run, workflow_id(card_id))
    return change_out(
        await temporal.update(handle, CardPinChangeWorkflow.cancel, not_found=not_found)
    )


@router.post("/recover", response_model=RecuperacionClaveOut, responses=RESPONSES)
async def recover_pin(
    card_id: CardId, member: CurrentMember, db: DbSession, request: Request, now: Now
) -> RecuperacionClaveOut:
    """A temporary PIN by email; it unblocks the card's PIN and must then be changed."""
    secret = app_state(request).settings.secret_key

    def recover(session: Session) -> str:
        card = pins.owned_card(session, member.member_id, card_id)
        owner = session.get(Member, member.member_id)
        assert owner is not None
        return pins.recover(session, card, owner, secret, now)

    sent_to = await run(db, recover, commit=True)
    return RecuperacionClaveOut(
        enviado_a=sent_to,
        mensaje="Estimado usuario hemos enviado una clave temporal a su correo electrónico "
        "registrado.",
    )


async def _owned(db: AsyncSession, member_id: int, card_id: int) -> None:
    """The card is this member's (another member's card is "not found" alike)."""
    await run(db, lambda session: pins.owned_card(session, member_id, card_id))


async def _state(client: Client, card_id: int) -> PinChangeState:
    handle = client.get_workflow_handle_for(CardPinChangeWorkflow.run, workflow_id(card_id))
    return await temporal.query(handle, CardPinChangeWorkflow.state, not_found=not_found)


def _answer(state: PinChangeState) -> CambioClaveOut:
    """A refused change is an error answer; waiting or done is the change itself."""
    out = change_out(state)
    if state.status is Status.REFUSED and state.refusal is not None:
        code = state.refusal.code
        status_code = 409 if code in {"CLAVE_BLOQUEADA", "TARJETA_SIN_CLAVE"} else 422
        raise ApiError(
            status_code,
            code,
            state.refusal.message,
            details={"intentos_restantes": state.pin_attempts_left},
        )
    return out
