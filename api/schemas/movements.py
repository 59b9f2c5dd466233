"""Requests and answers of transfers, bill payments and card payments (Spanish field names)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.schemas.common import AccountNumber, Money, MoneyAmount, PlainText, money
from bank.core.masking import mask_account
from bank.payments.orders import MAX_RECEIPTS, Preview
from workflows.movement.contract import MovementState, Status

Canal = Literal["WEB", "MOVIL"]
Reference = Annotated[PlainText, StringConstraints(max_length=120, strip_whitespace=True)]
Code = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9-]{1,20}$")]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class NuevoBeneficiarioIn(_In):
    """A payee typed in for this transfer; ``guardar`` keeps it among the beneficiaries."""

    nombre: Annotated[PlainText, StringConstraints(min_length=1, max_length=80)]
    tipo_identificacion: Literal["CEDULA", "RUC", "PASAPORTE"]
    identificacion: Annotated[str, StringConstraints(min_length=5, max_length=20)]
    cuenta: AccountNumber
    institucion: Annotated[str, StringConstraints(pattern=r"^[0-9]{4}$")] | None = None
    tipo_cuenta: Literal["AHORROS", "CORRIENTE"] = "AHORROS"
    guardar: bool = False


class TransferenciaIn(_In):
    """Transferencias a mis Cuentas, Cooprogreso o Interbancarias."""

    tipo: Literal["PROPIAS", "COOPROGRESO", "INTERBANCARIA"]
    cuenta_origen: AccountNumber
    monto: MoneyAmount
    referencia: Reference = ""
    cuenta_destino: AccountNumber | None = None
    """Propias y Cooprogreso: the destination account number."""
    beneficiario_id: int | None = Field(default=None, ge=1)
    nuevo_beneficiario: NuevoBeneficiarioIn | None = None
    canal: Canal = "WEB"


class PagoServicioIn(_In):
    """Pago de Servicios: the receipts chosen after the look-up."""

    cuenta_origen: AccountNumber
    empresa: Code
    suministro: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z-]{1,30}$")]
    recibos: list[Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z-]{1,30}$")]] = Field(
        min_length=1, max_length=MAX_RECEIPTS
    )
    canal: Canal = "WEB"


class PagoTarjetaIn(_In):
    """Pago Tarjetas: a Cooprogreso card (``tarjeta_id``) or another bank's registered card."""

    cuenta_origen: AccountNumber
    tarjeta_id: int | None = Field(default=None, ge=1)
    tarjeta_registrada_id: int | None = Field(default=None, ge=1)
    opcion: Literal["MINIMO", "TOTAL", "OTRO"]
    monto: MoneyAmount | None = None
    canal: Canal = "WEB"


class ConsultaServicioIn(_In):
    empresa: Code
    suministro: Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z-]{1,30}$")]
    recibos: list[Annotated[str, StringConstraints(pattern=r"^[0-9A-Za-z-]{1,30}$")]] | None = (
        Field(default=None, min_length=1, max_length=MAX_RECEIPTS)
    )
    """The receipts ticked under "Seleccionar Pago" (all pending ones when omitted)."""


class ConfirmacionIn(_In):
    codigo: Annotated[str, StringConstraints(min_length=1, max_length=12)]


class ReciboOut(BaseModel):
    numero: str
    periodo: str
    monto: Money
    comision: Money
    iva: Money
    total: Money


class DestinoOut(BaseModel):
    nombre: str
    cuenta: str
    institucion: str
    tipo_cuenta: str
    acreditacion_inmediata: bool
    empresa: str | None = None
    suministro: str | None = None
    recibos: list[ReciboOut] = []


class ResumenOut(BaseModel):
    """The preview: what the code authorises."""

    cuenta_origen: str
    destino: DestinoOut
    monto: Money
    comision: Money
    iva: Money
    total: Money
    referencia: str


class ErrorOut(BaseModel):
    code: str
    message: str


class MovimientoOut(BaseModel):
    id: str
    tipo: str
    estado: str
    mensaje: str
    resumen: ResumenOut | None = None
    codigo_enviado_a: str | None = None
    codigo_expira: datetime | None = None
    intentos_restantes: int
    acreditacion_estimada: datetime | None = None
    finalizado: datetime | None = None
    error: ErrorOut | None = None


ESTADOS: dict[Status, tuple[str, str]] = {
    Status.PREPARING: ("PREPARANDO", "Estamos preparando tu operación."),
    Status.AWAITING_OTP: (
        "ESPERANDO_CODIGO",
        "Revisa los datos e ingresa el código de seguridad que te enviamos por SMS.",
    ),
    Status.CONFIRMING: ("PROCESANDO", "Estamos procesando tu operación."),
    Status.POSTED: (
        "EN_PROCESO",
        "Tu operación fue debitada y está en proceso de acreditación.",
    ),
    Status.COMPLETED: ("EXITOSA", "Tu operación se realizó con éxito."),
    Status.REVERSED: (
        "REVERSADA",
        "La institución receptora rechazó la operación; el valor debitado, incluida la "
        "comisión, fue acreditado nuevamente en tu cuenta.",
    ),
    Status.REJECTED: ("RECHAZADA", "La operación no se realizó."),
    Status.EXPIRED: ("EXPIRADA", "El código de seguridad expiró. La operación no se realizó."),
    Status.FAILED: (
        "FALLIDA",
        "Superaste el número de intentos permitidos. La operación no se realizó.",
    ),
    Status.CANCELLED: ("CANCELADA", "Cancelaste la operación. No se realizó ningún débito."),
}

TIPOS = {
    "OWN_TRANSFER": "TRANSFERENCIA_PROPIA",
    "COOP_TRANSFER": "TRANSFERENCIA_COOPROGRESO",
    "INTERBANK_TRANSFER": "TRANSFERENCIA_INTERBANCARIA",
    "SERVICE_PAYMENT": "PAGO_SERVICIO",
    "COOP_CARD_PAYMENT": "PAGO_TARJETA_COOPROGRESO",
    "OTHER_CARD_PAYMENT": "PAGO_TARJETA_OTRO_BANCO",
}


def resumen(preview: Preview) -> ResumenOut:
    """The preview as the member sees it (account numbers masked)."""
    d = preview.destination
    return ResumenOut(
        cuenta_origen=mask_account(preview.origin_account_number),
        destino=DestinoOut(
            nombre=d.name,
            cuenta=d.account_masked,
            institucion=d.institution_name,
            tipo_cuenta=d.account_type,
            acreditacion_inmediata=d.immediate,
            empresa=d.company_name or None,
            suministro=d.supply_number or None,
            recibos=[
                ReciboOut(
                    numero=r.number,
                    periodo=r.period,
                    monto=money(r.amount_cents),
                    comision=money(r.fee_cents),
                    iva=money(r.iva_cents),
                    total=money(r.amount_cents + r.fee_cents + r.iva_cents),
                )
                for r in d.receipts
            ],
        ),
        monto=money(preview.amount_cents),
        comision=money(preview.fee_cents),
        iva=money(preview.iva_cents),
        total=money(preview.total_cents),
        referencia=preview.reference,
    )


def movimiento(key: str, state: MovementState) -> MovimientoOut:
    """A movement's state as the member sees it."""
    estado, mensaje = ESTADOS[state.status]
    error = None
    if state.refusal is not None:
        error = ErrorOut(code=state.refusal.code, message=state.refusal.message)
        if state.status in (Status.REJECTED, Status.REVERSED):
            mensaje = state.refusal.message
    return MovimientoOut(
        id=key,
        tipo=TIPOS[str(state.kind)],
        estado=estado,
        mensaje=mensaje,
        resumen=resumen(state.preview) if state.preview else None,
        codigo_enviado_a=state.otp_sent_to or None,
        codigo_expira=state.otp_expires_at,
        intentos_restantes=state.attempts_left,
        acreditacion_estimada=state.settles_at,
        finalizado=state.completed_at,
        error=error,
    )


class ReciboConsultaOut(BaseModel):
    numero: str
    periodo: str
    vencimiento: str
    monto: Money
    comision: Money
    iva: Money
    total: Money


class ValoresAPagarOut(BaseModel):
    """ "Valores a pagar" of the selected receipts: what the payment's preview will charge."""

    recibos: list[str]
    monto: Money
    comision: Money
    iva: Money
    total: Money = Field(description="Total a Pagar: Monto + Comisión + IVA")


class ConsultaServicioOut(BaseModel):
    empresa: str
    nombre_empresa: str
    suministro: str
    titular: str | None
    recibos: list[ReciboConsultaOut]
    valores_a_pagar: ValoresAPagarOut


class InstitucionOut(BaseModel):
    codigo: str
    nombre: str
    acreditacion_inmediata: bool


class TarjetaPagableOut(BaseModel):
    id: int
    tipo: Literal["COOPROGRESO", "OTRO_BANCO"]
    marca: str
    numero: str
    institucion: str
    pago_minimo: Money | None = None
    pago_total: Money | None = None
    fecha_maxima_pago: str | None = None
