"""Pagos Programados: authorise (terms + OTP), list, pause, resume, cancel.

Each authorisation is a ``payment_schedules`` row and the Temporal Schedule
``sched-pay-<id>`` (``workflows/scheduled_payment/schedules.py``). See docs/scheduled-payments.md.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Request, status
from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from sqlalchemy import select
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from api.deps import CurrentMember, DbSession, TemporalClient, Today, app_state
from api.domain_calls import run
from api.schemas.common import ERROR_RESPONSES, AccountNumber, Money, MoneyAmount, money
from api.temporal import SERVER_TIMEOUT, unavailable
from bank.core.masking import mask_account
from bank.core.money import to_cents
from bank.models import Account, PaymentSchedule, ScheduleStatus, ServicePaymentRecord
from bank.payments import authorisations as core
from bank.payments.history import OUTCOME_TEXT
from workflows.scheduled_payment.contract import schedule_id
from workflows.scheduled_payment.schedules import schedule

router = APIRouter(prefix="/scheduled-payments", tags=["Pagos programados"])
RESPONSES: dict[int | str, dict[str, Any]] = dict(ERROR_RESPONSES)
PaymentId = Annotated[int, Path(ge=1, le=2**63 - 1)]


class AutorizacionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    cuenta: AccountNumber
    empresa: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,20}$")]
    suministro: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z-]{1,30}$")]
    monto_maximo: MoneyAmount
    frecuencia: Literal["SEMANAL", "QUINCENAL", "MENSUAL"]
    dia: int = Field(ge=1, le=31)
    desde: date
    hasta: date

    def authorisation(self) -> core.Authorisation:
        return core.Authorisation(
            self.cuenta,
            self.empresa,
            self.suministro,
            to_cents(self.monto_maximo),
            self.frecuencia,
            self.dia,
            self.desde,
            self.hasta,
        )


class SolicitudIn(AutorizacionIn):
    acepta_terminos: bool


class ConfirmacionIn(AutorizacionIn):
    id_autorizacion: Annotated[str, StringConstraints(min_length=1, max_length=36)]
    codigo: Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]


class CodigoOut(BaseModel):
    id_autorizacion: str
    enviado_a: str
    expira: datetime


class PagoProgramadoOut(BaseModel):
    id: int
    cuenta: str
    empresa: str
    suministro: str
    monto_maximo: Money
    frecuencia: str
    dia: int | None
    desde: date
    hasta: date
    estado: str
    proxima_ejecucion: datetime | None = None
    ultimo_resultado: str | None = None
    ultimo_resultado_descripcion: str | None = Field(
        default=None, description="What the member reads, as in Historial de Pagos"
    )


@router.post("/code", response_model=CodigoOut, responses=RESPONSES)
async def request_code(
    body: SolicitudIn, request: Request, member: CurrentMember, db: DbSession, today: Today
) -> CodigoOut:
    """Accept the terms and get the SMS code bound to these parameters."""
    secret = app_state(request).settings.secret_key
    issued = await run(
        db,
        lambda s: core.request_code(
            s, member.member_id, body.authorisation(), body.acepta_terminos, today, secret
        ),
        commit=True,
    )
    return CodigoOut(
        id_autorizacion=issued.challenge_id, enviado_a=issued.sent_to, expira=issued.expires_at
    )


@router.post(
    "", response_model=PagoProgramadoOut, status_code=status.HTTP_201_CREATED, responses=RESPONSES
)
async def authorise(
    body: ConfirmacionIn,
    request: Request,
    member: CurrentMember,
    db: DbSession,
    today: Today,
    client: TemporalClient,
) -> PagoProgramadoOut:
    """Confirm with the code: the authorisation and its Schedule are created together."""
    secret = app_state(request).settings.secret_key
    row = await run(
        db,
        lambda s: core.authorise(
            s,
            member.member_id,
            body.authorisation(),
            body.id_autorizacion,
            body.codigo,
            today,
            secret,
        ),
    )
    try:
        await client.create_schedule(
            schedule_id(row.id),
            schedule(
                row.id,
                member.member_id,
                row.frequency,
                row.day or 1,
                row.start_date,
                row.end_date,
                app_state(request).settings.task_queue,
            ),
            rpc_timeout=SERVER_TIMEOUT,
        )
    except RPCError as exc:
        await db.rollback()  # nothing half-written: no row without its Schedule
        raise unavailable() from exc
    await db.commit()
    return _present(row, mask_account(body.cuenta))


def _present(row: PaymentSchedule, account: str, **extra: Any) -> PagoProgramadoOut:
    return PagoProgramadoOut(
        id=row.id,
        cuenta=account,
        empresa=row.company_name,
        suministro=row.supply_number,
        monto_maximo=money(row.max_amount_cents),
        frecuencia=row.frequency,
        dia=row.day,
        desde=row.start_date,
        hasta=row.end_date,
        estado=row.status.value,
        **extra,
    )


async def _present_loaded(db: DbSession, row: PaymentSchedule) -> PagoProgramadoOut:
    """An authorisation with its debit account (masked) read back."""
    number = await db.scalar(select(Account.number).where(Account.id == row.account_id))
    return _present(row, mask_account(number or ""))


@router.get("", response_model=list[PagoProgramadoOut], responses=RESPONSES)
async def list_scheduled(
    member: CurrentMember, db: DbSession, client: TemporalClient
) -> list[PagoProgramadoOut]:
    """ "Consultar Pagos Programados": next run and last outcome of each authorisation."""
    rows = (
        await db.execute(
            select(PaymentSchedule, Account.number)
            .join(Account, Account.id == PaymentSchedule.account_id)
            .where(
                PaymentSchedule.member_id == member.member_id,
                PaymentSchedule.status != ScheduleStatus.CANCELADO,
            )
            .order_by(PaymentSchedule.id)
        )
    ).all()
    answer = []
    for row, number in rows:
        last = await db.scalar(
            select(ServicePaymentRecord.outcome)
            .where(ServicePaymentRecord.schedule_id == row.id)
            .order_by(ServicePaymentRecord.id.desc())
            .limit(1)
        )
        answer.append(
            _present(
                row,
                mask_account(number),
                proxima_ejecucion=await _next_run(client, row),
                ultimo_resultado=str(last) if last else None,
                ultimo_resultado_descripcion=OUTCOME_TEXT.get(last) if last else None,
            )
        )
    return answer


async def _next_run(client: Client, row: PaymentSchedule) -> datetime | None:
    if row.status is not ScheduleStatus.ACTIVO:
        return None
    try:
        described = await client.get_schedule_handle(schedule_id(row.id)).describe(
            rpc_timeout=SERVER_TIMEOUT
        )
    except RPCError:
        return None
    upcoming = described.info.next_action_times
    return upcoming[0] if upcoming else None


async def _change(
    db: DbSession, client: Client, member_id: int, payment_id: int, action: str
) -> PagoProgramadoOut:
    row: PaymentSchedule = await run(db, lambda s: core.owned(s, member_id, payment_id))
    handle = client.get_schedule_handle(schedule_id(row.id))
    try:
        if action == "pause":
            await handle.pause(note="Pausado por el socio", rpc_timeout=SERVER_TIMEOUT)
            row.status = ScheduleStatus.PAUSADO
        elif action == "resume":
            await handle.unpause(note="Reanudado por el socio", rpc_timeout=SERVER_TIMEOUT)
            row.status = ScheduleStatus.ACTIVO
        else:
            await handle.delete(rpc_timeout=SERVER_TIMEOUT)
            row.status = ScheduleStatus.CANCELADO
    except RPCError as exc:
        if exc.status != RPCStatusCode.NOT_FOUND or action != "cancel":
            raise unavailable() from exc
    await db.commit()
    return await _present_loaded(db, row)


@router.post("/{payment_id}/pause", response_model=PagoProgramadoOut, responses=RESPONSES)
async def pause(
    payment_id: PaymentId, member: CurrentMember, db: DbSession, client: TemporalClient
) -> PagoProgramadoOut:
    """Pause: no run happens until resumed."""
    return await _change(db, client, member.member_id, payment_id, "pause")


@router.post("/{payment_id}/resume", response_model=PagoProgramadoOut, responses=RESPONSES)
async def resume(
    payment_id: PaymentId, member: CurrentMember, db: DbSession, client: TemporalClient
) -> PagoProgramadoOut:
    """Resume a paused authorisation."""
    return await _change(db, client, member.member_id, payment_id, "resume")


@router.delete("/{payment_id}", response_model=PagoProgramadoOut, responses=RESPONSES)
async def cancel(
    payment_id: PaymentId, member: CurrentMember, db: DbSession, client: TemporalClient
) -> PagoProgramadoOut:
    """Cancel: the Schedule is deleted and no further run happens."""
    return await _change(db, client, member.member_id, payment_id, "cancel")


class MontoMaximoIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    monto_maximo: MoneyAmount


class MontoMaximoConfirmacionIn(MontoMaximoIn):
    id_autorizacion: Annotated[str, StringConstraints(min_length=1, max_length=36)]
    codigo: Annotated[str, StringConstraints(pattern=r"^[0-9]{6}$")]


@router.post("/{payment_id}/max/code", response_model=CodigoOut, responses=RESPONSES)
async def request_max_code(
    payment_id: PaymentId,
    body: MontoMaximoIn,
    request: Request,
    member: CurrentMember,
    db: DbSession,
) -> CodigoOut:
    """Ask for the code that authorises a new maximum amount."""
    secret = app_state(request).settings.secret_key
    cents = to_cents(body.monto_maximo)
    issued = await run(
        db,
        lambda s: core.request_max_code(s, member.member_id, payment_id, cents, secret),
        commit=True,
    )
    return CodigoOut(
        id_autorizacion=issued.challenge_id, enviado_a=issued.sent_to, expira=issued.expires_at
    )


@router.post("/{payment_id}/max", response_model=PagoProgramadoOut, responses=RESPONSES)
async def change_max(
    payment_id: PaymentId,
    body: MontoMaximoConfirmacionIn,
    request: Request,
    member: CurrentMember,
    db: DbSession,
) -> PagoProgramadoOut:
    """Change the maximum amount with its code (the next run uses it)."""
    secret = app_state(request).settings.secret_key
    cents = to_cents(body.monto_maximo)
    row = await run(
        db,
        lambda s: core.change_max(
            s, member.member_id, payment_id, cents, body.id_autorizacion, body.codigo, secret
        ),
        commit=True,
    )
    return await _present_loaded(db, row)
