"""Historial de Pagos (manual §3) and the receipt of a paid service bill.

Every query filters by the caller's member id: another member's payment code is answered
exactly like an unknown one (404 ``PAGO_NO_ENCONTRADO``). A payment that exists but did not
pay (an automatic run without a bill, over its maximum, without funds…) has no receipt: it is
answered 409 ``PAGO_NO_REALIZADO`` — the resource exists, its state forbids the operation.
"""

from __future__ import annotations

import asyncio
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from api.deps import CurrentMember, DbConn, Today
from api.errors import ApiError
from api.schemas import payment_history as present
from api.schemas.common import ERROR_RESPONSES, ErrorBody, JsonBytes
from api.schemas.payment_history import HistorialPagosOut
from bank.core.masking import mask_account
from bank.payments.history import (
    PaymentNotFound,
    PaymentNotMade,
    history_range,
    paid_payment,
    payment_history,
)
from bank.reports.payment_receipt import render_receipt

router = APIRouter(prefix="/payments", tags=["Pago de Servicios"], responses=ERROR_RESPONSES)

_CODE = r"^[A-Za-z0-9_-]*$"
"""Codes of categories, companies and payments: letters, digits, ``-`` and ``_``."""


def _optional(value: str | None) -> str | None:
    # The app's "Todas las Categorías" / "Todos los Servicios" send an empty value.
    return value or None


@router.get(
    "/history",
    response_model=HistorialPagosOut,
    response_class=JsonBytes,
    responses={422: {"model": ErrorBody, "description": "Rango de fechas o filtro inválido"}},
)
async def history(
    member: CurrentMember,
    conn: DbConn,
    today: Today,
    categoria: Annotated[
        str | None, Query(max_length=40, pattern=_CODE, description="Código de categoría")
    ] = None,
    servicio: Annotated[
        str | None, Query(max_length=20, pattern=_CODE, description="Código de la empresa")
    ] = None,
    desde: Annotated[date | None, Query(description="Fecha desde (AAAA-MM-DD)")] = None,
    hasta: Annotated[date | None, Query(description="Fecha hasta (AAAA-MM-DD)")] = None,
    codigo: Annotated[
        str | None, Query(max_length=20, pattern=_CODE, description="Código del pago")
    ] = None,
) -> JsonBytes:
    """Historial de Pagos: manual and automatic payments, paid or not, newest first.

    Every filter is optional. The range defaults to the last 3 months and cannot start
    earlier (422 ``RANGO_FECHAS_INVALIDO``); a ``hasta`` in the future is read as today.
    An unknown category or service is 422 ``CATEGORIA_INVALIDA`` / ``SERVICIO_INVALIDO``.
    """
    span = history_range(desde, hasta, today=today)
    lines = await payment_history(
        conn,
        member.member_id,
        category=_optional(categoria),
        company_code=_optional(servicio),
        date_from=desde,
        date_to=hasta,
        code=_optional(codigo),
        today=today,
    )
    return JsonBytes(present.history(span, lines))


@router.get(
    "/{codigo}/receipt",
    response_class=Response,
    responses={
        200: {"content": {"application/pdf": {}}, "description": "Comprobante en PDF"},
        404: {"model": ErrorBody, "description": "Pago no encontrado"},
        409: {"model": ErrorBody, "description": "El pago no se realizó: no tiene comprobante"},
    },
)
async def receipt(
    member: CurrentMember,
    conn: DbConn,
    codigo: Annotated[str, Path(min_length=1, max_length=20, pattern=_CODE)],
) -> Response:
    """Comprobante de Pago de Servicios (PDF) of one of the member's paid payments.

    Unknown code or another member's: 404 ``PAGO_NO_ENCONTRADO``. A payment that did not
    pay: 409 ``PAGO_NO_REALIZADO``.
    """
    try:
        found = await paid_payment(conn, member.member_id, codigo)
    except (PaymentNotFound, PaymentNotMade) as exc:
        status = 404 if isinstance(exc, PaymentNotFound) else 409
        raise ApiError(status, exc.code, exc.message) from exc
    pdf = await asyncio.to_thread(
        render_receipt, found.line, found.member_name, mask_account(found.line.cuenta)
    )
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="comprobante-{codigo}.pdf"'},
    )
