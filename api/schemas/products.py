"""Response models of the products endpoints; field names mirror the manual's columns.

Money is a string with two decimals ("13750.00"), dates are ISO (``2025-02-05``), rates are
shown as in the manual ("7.90%").
"""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field

from api.schemas.common import Money


class CuentaOut(BaseModel):
    """A row of "Cuentas"."""

    numero: str = Field(examples=["410112060750"])
    tipo_cuenta: str = Field(examples=["CUENTA DE AHORROS"])
    estado: str = Field(examples=["ACTIVO"])
    saldo_contable: Money
    saldo_disponible: Money


class PrestamoOut(BaseModel):
    """A row of "Préstamos"."""

    numero: str = Field(examples=["0118958000"])
    descripcion: str = Field(examples=["CONSUMO PRIORITARIO ROL DE PAGOS"])
    monto: Money
    saldo_capital: Money
    valor_a_pagar: Money | None = Field(description="Total de la próxima cuota impaga")
    proximo_pago: date | None
    fecha_emision: date = Field(description="Fecha de emisión / concesión")
    status: str = Field(examples=["Vigente"])


class InversionOut(BaseModel):
    """A row of "Inversiones"."""

    numero: str = Field(examples=["0010"])
    monto: Money
    fecha_emision: date
    fecha_vencimiento: date
    tasa_interes: str = Field(examples=["7.90%"])
    dias: int = Field(examples=[365])
    interes_ganado: Money
    interes_pagado: Money
    estado: str


class TarjetaOut(BaseModel):
    """A row of "Tarjetas"; the credit fields are null for debit cards."""

    id: int
    tipo: str = Field(examples=["CREDITO"], description="CREDITO o DEBITO")
    marca: str = Field(examples=["Mastercard Estandar"])
    numero: str = Field(examples=["513744XXXXXX0395"])
    estado: str = Field(examples=["Activa"])
    cuenta: str | None = Field(description="Débito: la cuenta de la tarjeta")
    cupo_total: Money | None
    utilizado_rotativo: Money | None
    pago_minimo: Money | None
    fecha_max_pago: date | None
    utilizado_diferido: Money | None
    cupo_disponible: Money | None


class TarjetaDetalleOut(TarjetaOut):
    """One card: the row of "Tarjetas" and, for a credit card, what it has consumed."""

    consumo_hasta_la_fecha: Money | None = Field(
        description="Crédito: utilizado rotativo + utilizado diferido (cupo − disponible)"
    )


class PosicionOut(BaseModel):
    """Resumen de Productos: the consolidated position."""

    cuentas: list[CuentaOut]
    prestamos: list[PrestamoOut]
    inversiones: list[InversionOut]
    tarjetas: list[TarjetaOut]


class MovimientoOut(BaseModel):
    """A movement of an account."""

    fecha: date
    descripcion: str = Field(examples=["22050 - ND TRANSFERENCIA PAGO DIRECTO"])
    tipo: str = Field(examples=["Débito"], description="Débito o Crédito")
    monto: Money = Field(description="Negativo para débitos")
    saldo: Money = Field(description="Saldo contable después del movimiento")


class TarjetaDebitoOut(BaseModel):
    """A debit card of the account."""

    id: int
    marca: str = Field(examples=["MC Débito"])
    numero: str = Field(examples=["550975XXXXXX7023"])
    estado: str = Field(examples=["Activa"])


class CuentaDetalleOut(CuentaOut):
    """Detalle de cuenta: the account, its last 10 movements and its debit cards."""

    titulo: str = Field(examples=["410112060750 - CUENTA DE AHORROS - USD - COOPROGRESO"])
    moneda: str = Field(examples=["USD"])
    ultimos_movimientos: list[MovimientoOut]
    tarjetas_debito: list[TarjetaDebitoOut]


class CompartirOut(BaseModel):
    """What "Compartir" gives: enough for someone to transfer to this account."""

    titular: str
    tipo_cuenta: str
    numero: str
    moneda: str
    institucion: str = Field(examples=["Cooprogreso Cooperativa de Ahorro y Crédito"])
    identificacion: str = Field(examples=["XXXXXX4567"], description="Enmascarada")
    texto: str = Field(description="Texto listo para compartir")


class MovimientosOut(BaseModel):
    """A page of movements in a date range (at most 12 months back)."""

    numero: str
    desde: date
    hasta: date
    page: int
    page_size: int
    total: int
    movimientos: list[MovimientoOut]


class CuotaOut(BaseModel):
    """A row of the amortization table."""

    n_cuota: int
    cuota: Money
    capital: Money
    interes: Money
    mora: Money
    seguro: Money
    fecha_pago: date
    estado: str = Field(examples=["Vigente"], description="Pagada, Vencida, Vigente o Por Venir")


class TotalesOut(BaseModel):
    """Totals of the amortization table."""

    cuota: Money
    capital: Money
    interes: Money
    mora: Money
    seguro: Money


class PrestamoDetalleOut(PrestamoOut):
    """Detalle de Préstamos with its Tabla de Amortización."""

    tasa_interes: str = Field(examples=["15.83%"])
    plazo_meses: int
    cuenta: str = Field(description="Cuenta de desembolso y débito")
    tabla_amortizacion: list[CuotaOut]
    totales: TotalesOut


class InversionesOut(BaseModel):
    """The member's investments."""

    inversiones: list[InversionOut]


class TarjetasOut(BaseModel):
    """The member's cards."""

    tarjetas: list[TarjetaOut]
