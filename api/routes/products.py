"""Productos (manual §1): position, accounts, movements, loans, investments and cards.

Every route filters by the caller's member id: another member's product is answered exactly
like a product that does not exist (404 ``PRODUCTO_NO_ENCONTRADO``).
"""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Annotated

from fastapi import APIRouter, Path, Query, Request, Response

from api.deps import (
    BEARER_SECURITY,
    CurrentMember,
    DbConn,
    Today,
    app_state,
    bearer_token,
    require_member,
)
from api.errors import ApiError, product_not_found
from api.schemas import present
from api.schemas.common import ERROR_RESPONSES, AccountNumber, JsonBytes
from api.schemas.products import (
    CompartirOut,
    CuentaDetalleOut,
    InversionesOut,
    MovimientosOut,
    PosicionOut,
    PrestamoDetalleOut,
    TarjetaDetalleOut,
    TarjetasOut,
)
from bank.access.auth import authenticate, check_session, split_token
from bank.queries import accounts, cards, loans
from bank.queries.accounts import AccountDetail
from bank.queries.position import fetch_position
from bank.reports.amortization_pdf import render_amortization_pdf

router = APIRouter(tags=["Productos"], responses=ERROR_RESPONSES)

NumberPath = Annotated[AccountNumber, Path(description="Número del producto")]
MAX_PAGE = 10_000
MAX_PAGE_SIZE = 100


@router.get(
    "/position",
    response_model=PosicionOut,
    response_class=JsonBytes,
    openapi_extra=BEARER_SECURITY,
)
async def position(request: Request) -> Response:
    """Resumen de Productos: Cuentas, Préstamos, Inversiones y Tarjetas.

    The hot path: on PostgreSQL one prepared statement, shared by concurrent requests,
    reads the session and renders the whole document (``bank.queries.position_pg``); the
    session is validated here before the document is released. Elsewhere (SQLite) the
    portable queries run.
    """
    state = app_state(request)
    token = bearer_token(request)
    now, today = datetime.now(UTC), state.clock.today()  # no dependencies on the hot path
    if state.positions is None:
        async with state.read_engine.connect() as conn:
            caller = require_member(await authenticate(conn, state.auth_policy, token, now=now))
            data = await fetch_position(conn, caller.member_id)
        return JsonBytes(present.position(data, today))
    session_id, _ = split_token(token)
    row = await state.positions.get(session_id, today)
    principal, stale = check_session(row, state.auth_policy, token, now=now)
    require_member(principal)
    if stale:
        await state.positions.touch(session_id, now)
    assert row is not None  # check_session refuses a missing session
    return Response(row[-1], media_type="application/json")


async def _account(conn: DbConn, member: CurrentMember, number: str) -> AccountDetail:
    found = await accounts.get_account(conn, member.member_id, number)
    if found is None:
        raise product_not_found()
    return found


@router.get("/accounts/{number}", response_model=CuentaDetalleOut, response_class=JsonBytes)
async def account_detail(member: CurrentMember, conn: DbConn, number: NumberPath) -> JsonBytes:
    """Detalle de cuenta: saldos, últimos 10 movimientos y tarjetas de débito."""
    account = await _account(conn, member, number)
    movements = await accounts.last_movements(conn, account.id, limit=10)
    debit_cards = await accounts.debit_cards(conn, account.id)
    return JsonBytes(present.account_detail(account, movements, debit_cards))


@router.get("/accounts/{number}/share", response_model=CompartirOut, response_class=JsonBytes)
async def share_account(member: CurrentMember, conn: DbConn, number: NumberPath) -> JsonBytes:
    """Compartir: the account's details for someone who wants to transfer to it."""
    return JsonBytes(present.share(await _account(conn, member, number)))


def twelve_months_before(today: date) -> date:
    """The same day one year earlier (28 February for 29 February)."""
    try:
        return today.replace(year=today.year - 1)
    except ValueError:
        return today.replace(year=today.year - 1, day=28)


@router.get("/accounts/{number}/movements", response_model=MovimientosOut, response_class=JsonBytes)
async def movements(
    member: CurrentMember,
    conn: DbConn,
    today: Today,
    number: NumberPath,
    desde: Annotated[date | None, Query(description="Desde (AAAA-MM-DD)")] = None,
    hasta: Annotated[date | None, Query(description="Hasta (AAAA-MM-DD)")] = None,
    page: Annotated[int, Query(ge=1, le=MAX_PAGE)] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE)] = 20,
) -> JsonBytes:
    """Detalle de Movimientos: the last 12 months by default, newest first, paginated."""
    earliest = twelve_months_before(today)
    since, until = desde or earliest, hasta or today
    if since < earliest:
        raise ApiError(
            422,
            "RANGO_FECHAS_INVALIDO",
            "Solo puedes consultar movimientos de los últimos 12 meses.",
            {"desde_minimo": earliest.isoformat()},
        )
    if since > until:
        raise ApiError(
            422, "RANGO_FECHAS_INVALIDO", "La fecha desde no puede ser posterior a la fecha hasta."
        )
    account = await _account(conn, member, number)
    result = await accounts.movements_between(
        conn, account.id, since, until, page=page, page_size=page_size
    )
    return JsonBytes(
        {
            "numero": account.number,
            "desde": since.isoformat(),
            "hasta": until.isoformat(),
            "page": page,
            "page_size": page_size,
            "total": result.total,
            "movimientos": [present.movement(m) for m in result.movements],
        }
    )


async def _loan(conn: DbConn, member: CurrentMember, number: str, today: date) -> loans.LoanDetail:
    found = await loans.get_loan(conn, member.member_id, number, today)
    if found is None:
        raise product_not_found()
    return found


@router.get("/loans/{number}", response_model=PrestamoDetalleOut, response_class=JsonBytes)
async def loan_detail(
    member: CurrentMember, conn: DbConn, today: Today, number: NumberPath
) -> JsonBytes:
    """Detalle de Préstamos con su Tabla de Amortización."""
    return JsonBytes(present.loan_detail(await _loan(conn, member, number, today)))


@router.get(
    "/loans/{number}/amortization.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}, "description": "PDF"}},
)
async def loan_amortization_pdf(
    request: Request, member: CurrentMember, conn: DbConn, today: Today, number: NumberPath
) -> Response:
    """The amortization table as a PDF download."""
    loan = await _loan(conn, member, number, today)
    generated_at = datetime.now(app_state(request).clock.timezone)
    pdf = await asyncio.to_thread(render_amortization_pdf, loan, generated_at=generated_at)
    filename = f"tabla-amortizacion-{loan.number}.pdf"
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{filename}"'},
    )


@router.get("/investments", response_model=InversionesOut, response_class=JsonBytes)
async def investments(member: CurrentMember, conn: DbConn) -> JsonBytes:
    """Inversiones."""
    rows = await cards.list_investments(conn, member.member_id)
    return JsonBytes({"inversiones": [present.investment(row) for row in rows]})


@router.get("/cards", response_model=TarjetasOut, response_class=JsonBytes)
async def list_cards(member: CurrentMember, conn: DbConn) -> JsonBytes:
    """Tarjetas: credit cards with their balances, debit cards with their state."""
    rows = await cards.list_cards(conn, member.member_id)
    return JsonBytes({"tarjetas": [present.card(row) for row in rows]})


@router.get("/cards/{card_id}", response_model=TarjetaDetalleOut, response_class=JsonBytes)
async def card_detail(
    member: CurrentMember,
    conn: DbConn,
    card_id: Annotated[int, Path(ge=1, le=2**63 - 1)],
) -> JsonBytes:
    """One card of the member."""
    row = await cards.get_card(conn, member.member_id, card_id)
    if row is None:
        raise product_not_found()
    return JsonBytes(present.card_detail(row))
