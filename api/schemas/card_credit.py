"""Requests and answers of a credit card's purchases, deferrals and statements (Spanish).

Money goes out as strings with two decimals (``common.money``); rates as percentages with
two decimals ("15.00").
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.schemas.common import Money, MoneyAmount, money
from bank.cards.deferrals import DeferralPlan
from bank.core.rates import percent
from workflows.card_deferral.contract import DeferralState, Status

Id = Annotated[int, Field(ge=1, le=2**63 - 1)]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ConsumoOut(BaseModel):
    id: int
    fecha: datetime
    comercio: str
    monto: Money
    diferido: bool
    diferible: bool = Field(description="Aún puede diferirse (no diferido y en el rotativo)")
    plazo_meses: int | None = Field(description="El plazo de su diferido, si lo tiene")


class ConsumosOut(BaseModel):
    tarjeta_id: int
    consumos: list[ConsumoOut]


class PlazoOut(BaseModel):
    meses: int
    sin_intereses: bool
    tasa_anual: str = Field(examples=["15.00"], description="Tasa nominal anual, en %")


class PlazosOut(BaseModel):
    plazos: list[PlazoOut]


class SimulacionIn(_In):
    consumo_id: Id
    monto: MoneyAmount
    plazo_meses: Annotated[int, Field(ge=1, le=120)]


class FilaOut(BaseModel):
    numero: int
    corte: date = Field(description="El estado de cuenta que factura la cuota")
    capital: Money
    interes: Money
    cuota: Money
    saldo: Money


class SimulacionOut(BaseModel):
    consumo_id: int
    comercio: str
    monto: Money
    plazo_meses: int
    sin_intereses: bool
    tasa_anual: str
    tasa_efectiva: str
    cuota: Money
    total_intereses: Money
    total_a_pagar: Money
    tabla: list[FilaOut]


class DiferimientoOut(BaseModel):
    """The deferral journey: waiting for its code, done, or refused (with the reason)."""

    estado: str
    otp_enviado_a: str | None = None
    otp_vence: datetime | None = None
    intentos_restantes: int
    simulacion: SimulacionOut | None = None
    diferido_id: int | None = None
    codigo: str | None = None
    mensaje: str | None = None


class CodigoIn(_In):
    codigo: Annotated[str, StringConstraints(min_length=1, max_length=12)]


class DiferidoOut(BaseModel):
    id: int
    consumo_id: int
    comercio: str
    fecha: datetime
    monto: Money
    plazo_meses: int
    tasa_anual: str
    cuota: Money
    cuotas_facturadas: int
    capital_pendiente: Money
    estado: str = Field(examples=["VIGENTE"], description="VIGENTE, CANCELADO o PRECANCELADO")


class DiferidosOut(BaseModel):
    tarjeta_id: int
    diferidos: list[DiferidoOut]


class PrecancelacionOut(BaseModel):
    diferido: DiferidoOut
    capital_trasladado: Money
    mensaje: str


class ConceptoOut(BaseModel):
    concepto: str = Field(examples=["INTERESES"])
    monto: Money


class EstadoCuentaOut(BaseModel):
    id: int
    corte: date
    desde: date
    pagar_hasta_el: date
    saldo_anterior: Money
    consumos: Money
    pagos: Money
    cuotas_diferidos: Money
    intereses: Money
    total_a_pagar: Money
    pago_minimo: Money
    utilizado_diferido: Money
    por_pagar: Money | None = Field(
        description="El último estado: lo que queda tras los pagos desde el corte"
    )
    minimo_por_pagar: Money | None
    por_pagar_detalle: list[ConceptoOut] | None = Field(
        description="Lo que queda, por concepto, en el orden en que los pagos lo cubren"
    )
    pdf: str = Field(description="Dirección del PDF del estado de cuenta")


class EstadosCuentaOut(BaseModel):
    tarjeta_id: int
    estados: list[EstadoCuentaOut]


class CompraIn(_In):
    """A purchase from the card network simulator (embedded run only)."""

    comercio: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
    monto: MoneyAmount


def rate(value: Decimal) -> str:
    """A nominal or effective annual fraction as a percentage with two decimals."""
    return percent(value)


def plan_out(plan: DeferralPlan) -> SimulacionOut:
    total_interest = plan.total_interest_cents
    return SimulacionOut(
        consumo_id=plan.purchase_id,
        comercio=plan.merchant,
        monto=money(plan.amount_cents),
        plazo_meses=plan.term_months,
        sin_intereses=plan.interest_free,
        tasa_anual=rate(plan.annual_rate),
        tasa_efectiva=rate(plan.effective_rate),
        cuota=money(plan.installment_cents),
        total_intereses=money(total_interest),
        total_a_pagar=money(plan.amount_cents + total_interest),
        tabla=[
            FilaOut(
                numero=row.number,
                corte=row.cycle_end,
                capital=money(row.principal_cents),
                interes=money(row.interest_cents),
                cuota=money(row.installment_cents),
                saldo=money(row.balance_after_cents),
            )
            for row in plan.rows
        ],
    )


_MESSAGES = {
    Status.AWAITING_OTP: "Enviamos un código a tu celular por SMS. ¡Ingrésalo!",
    Status.DEFERRED: "Tu consumo fue diferido con éxito.",
    Status.EXPIRED: "El código expiró. Vuelve a simular tu diferido.",
    Status.CANCELLED: "Cancelaste el diferido. Tu consumo sigue en tu saldo rotativo.",
    Status.FAILED: "Superaste el número de intentos del código. Tu consumo no fue diferido.",
}


def journey_out(state: DeferralState, plan: DeferralPlan | None) -> DiferimientoOut:
    refusal = state.refusal
    return DiferimientoOut(
        estado=state.status.value,
        otp_enviado_a=state.otp_sent_to or None,
        otp_vence=state.otp_expires_at,
        intentos_restantes=state.otp_attempts_left,
        simulacion=plan_out(plan) if plan else None,
        diferido_id=state.deferral_id or None,
        codigo=refusal.code if refusal else None,
        mensaje=refusal.message if refusal else _MESSAGES.get(state.status),
    )


class CierreOut(BaseModel):
    """The monthly close run by hand (embedded run)."""

    corte: date
    estados_cerrados: int
