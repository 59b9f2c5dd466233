"""Response models of "Historial de Pagos"; field names mirror the manual's columns.

Money is a string with two decimals ("7.13"), dates are ISO, times ``HH:MM`` in
America/Guayaquil. ``total`` is always ``monto + comision + iva``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field

from api.schemas.common import Money, money
from bank.core.masking import mask_account
from bank.payments.history import HistoryLine, HistoryRange


class PagoHistorialOut(BaseModel):
    """A line of the history: a manual payment or an automatic run, paid or not."""

    fecha: date
    hora: str = Field(pattern=r"^[0-2][0-9]:[0-5][0-9]$", examples=["14:32"])
    categoria: str = Field(examples=["LUZ"])
    categoria_nombre: str = Field(examples=["Energía Eléctrica"])
    empresa: str = Field(examples=["EEQ"])
    empresa_nombre: str = Field(examples=["EMPRESA ELECTRICA QUITO"])
    suministro: str = Field(examples=["1234567"])
    recibos: list[str] = Field(examples=[["023035471"]])
    cuenta: str = Field(description="Cuenta debitada (enmascarada)", examples=["XXXXXXXX0750"])
    monto: Money
    comision: Money
    iva: Money
    total: Money = Field(description="Monto + Comisión + IVA")
    estado: str = Field(
        description="PAGADO, o por qué no se pagó (SIN_FACTURA, SUPERA_MONTO_MAXIMO, "
        "FONDOS_INSUFICIENTES, YA_PAGADO, REVERSADO, ERROR)",
        examples=["PAGADO"],
    )
    estado_descripcion: str = Field(examples=["Pagado"])
    automatico: bool = Field(description="Débito automático (Pagos Programados) o no")
    codigo: str = Field(description="Código del pago (comprobante)", examples=["SP25011900001"])


class HistorialPagosOut(BaseModel):
    """Historial de Pagos: the range actually queried and its lines, newest first."""

    desde: date
    hasta: date
    pagos: list[PagoHistorialOut]


def history_line(line: HistoryLine) -> dict[str, Any]:
    """A line as the JSON the API answers (validated by :class:`PagoHistorialOut` in tests)."""
    return {
        "fecha": line.fecha.isoformat(),
        "hora": line.hora,
        "categoria": line.categoria,
        "categoria_nombre": line.categoria_nombre,
        "empresa": line.empresa,
        "empresa_nombre": line.empresa_nombre,
        "suministro": line.suministro,
        "recibos": list(line.recibos),
        "cuenta": mask_account(line.cuenta),
        "monto": money(line.monto_cents),
        "comision": money(line.comision_cents),
        "iva": money(line.iva_cents),
        "total": money(line.total_cents),
        "estado": str(line.estado),
        "estado_descripcion": line.estado_descripcion,
        "automatico": line.automatico,
        "codigo": line.codigo,
    }


def history(span: HistoryRange, lines: list[HistoryLine]) -> dict[str, Any]:
    """The whole answer of ``GET /payments/history``."""
    return {
        "desde": span.since.isoformat(),
        "hasta": span.until.isoformat(),
        "pagos": [history_line(line) for line in lines],
    }
