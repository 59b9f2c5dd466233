"""Registro de Servicios, the biller catalogue, and other banks' cards ("Otros Bancos").

``router`` serves ``/services/...``; ``cards_router`` serves ``/cards/other`` and must be
included before the products router, whose ``GET /cards/{card_id}`` would otherwise take
``GET /cards/other``. A card's full number is never answered nor stored.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request

from api.deps import CurrentMember, DbSession, app_state
from api.domain_calls import run
from api.schemas.beneficiaries import (
    CategoriaOut,
    EmpresaOut,
    ServicioIn,
    ServicioOut,
    TarjetaOtroBancoIn,
    TarjetaOtroBancoOut,
)
from api.schemas.common import ERROR_RESPONSES, ErrorBody
from bank.adapters.biller_catalog import CATEGORIES, CATEGORY_BY_CODE, COMPANIES, COMPANY_BY_CODE
from bank.adapters.biller_types import Company
from bank.models import RegisteredCard, RegisteredService
from bank.payments import registrations as domain
from bank.payments.beneficiaries import institution_name

_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    409: {"model": ErrorBody, "description": "Duplicado"},
}
router = APIRouter(prefix="/services", tags=["Pago de Servicios"], responses=_RESPONSES)
cards_router = APIRouter(prefix="/cards/other", tags=["Pago de Tarjetas"], responses=_RESPONSES)
IdPath = Annotated[int, Path(ge=1, le=2**63 - 1)]


def _company(c: Company) -> dict[str, str]:
    return {
        "codigo": c.code,
        "nombre": c.name,
        "categoria": c.category,
        "etiqueta_referencia": c.reference_label,
    }


def _service(service: RegisteredService, account_number: str) -> dict[str, Any]:
    biller = COMPANY_BY_CODE.get(service.company_code)
    category = CATEGORY_BY_CODE.get(service.category)
    return {
        "id": service.id,
        "cuenta": account_number,
        "categoria": service.category,
        "categoria_nombre": category.name if category else service.category,
        "empresa": service.company_code,
        "empresa_nombre": biller.name if biller else service.company_code,
        "etiqueta_referencia": biller.reference_label if biller else "",
        "suministro": service.supply_number,
        "alias": service.alias,
    }


def _card(card: RegisteredCard) -> dict[str, Any]:
    return {
        "id": card.id,
        "institucion": card.institution_code,
        "institucion_nombre": institution_name(card.institution_code),
        "marca": card.brand,
        "titular": card.holder_name,
        "numero": card.masked_number,
    }


@router.get("/categories", response_model=list[CategoriaOut])
async def categories(member: CurrentMember) -> list[dict[str, str]]:
    """Categorías de servicios."""
    return [{"codigo": c.code, "nombre": c.name} for c in CATEGORIES]


@router.get("/companies", response_model=list[EmpresaOut])
async def companies(
    member: CurrentMember,
    categoria: Annotated[
        str | None, Query(max_length=40, description="Código de categoría")
    ] = None,
) -> list[dict[str, str]]:
    """Empresas, optionally of one category, with what their reference is called."""
    return [_company(c) for c in COMPANIES if categoria is None or c.category == categoria]


@router.get("/registered", response_model=list[ServicioOut])
async def registered(member: CurrentMember, session: DbSession) -> list[dict[str, Any]]:
    """The member's registered services."""
    return await run(
        session,
        lambda s: [_service(*row) for row in domain.list_services(s, member.member_id)],
    )


@router.post("/registered", response_model=ServicioOut, status_code=201)
async def register(member: CurrentMember, session: DbSession, body: ServicioIn) -> dict[str, Any]:
    """Registro de Servicios: the debit account, the company and the reference."""
    return await run(
        session,
        lambda s: _service(
            domain.register_service(
                s,
                member.member_id,
                account_number=body.cuenta,
                company_code=body.empresa,
                supply_number=body.suministro,
                alias=body.alias,
            ),
            body.cuenta,
        ),
        commit=True,
    )


@router.delete("/registered/{service_id}", status_code=204)
async def unregister(member: CurrentMember, session: DbSession, service_id: IdPath) -> None:
    """Delete a registered service."""
    await run(
        session, lambda s: domain.delete_service(s, member.member_id, service_id), commit=True
    )


@cards_router.get("", response_model=list[TarjetaOtroBancoOut])
async def other_cards(member: CurrentMember, session: DbSession) -> list[dict[str, Any]]:
    """The member's registered cards of other banks (masked)."""
    return await run(session, lambda s: [_card(c) for c in domain.list_cards(s, member.member_id)])


@cards_router.post("", response_model=TarjetaOtroBancoOut, status_code=201)
async def register_card(
    member: CurrentMember, session: DbSession, body: TarjetaOtroBancoIn, request: Request
) -> dict[str, Any]:
    """Register another bank's credit card to pay it from Cooprogreso."""
    secret = app_state(request).settings.secret_key
    return await run(
        session,
        lambda s: _card(
            domain.register_card(
                s,
                member.member_id,
                secret,
                institution_code=body.institucion,
                number=body.numero,
                holder_name=body.titular,
                brand=body.marca,
            )
        ),
        commit=True,
    )


@cards_router.delete("/{card_id}", status_code=204)
async def unregister_card(member: CurrentMember, session: DbSession, card_id: IdPath) -> None:
    """Delete a registered card of another bank."""
    await run(session, lambda s: domain.delete_card(s, member.member_id, card_id), commit=True)
