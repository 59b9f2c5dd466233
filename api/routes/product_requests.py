"""Solicita tus productos (manual §7): members ask for a product, officers attend them.

Members see and create only their own requests (``CurrentMember``; the list of product
types is for any signed-in user, ``CurrentUser``, since the officer's filters use it too);
officers list every
request and mark them attended (``CurrentOfficer``), each attention written to
``audit_events`` with the officer's username in the same transaction as the change (a
refused attention is audited too, like the officer's credit actions). Rules and refusals
live in ``bank.service_desk.product_requests``: at most one open request per member and
product type.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from sqlalchemy import select
from sqlalchemy.orm import Session

from api.deps import CurrentMember, CurrentOfficer, CurrentUser, DbSession, Now
from api.domain_calls import run
from api.errors import ApiError
from api.schemas import product_requests as out
from api.schemas.common import ERROR_RESPONSES, ErrorBody, money
from bank.core.masking import mask_contact_mobile, mask_email
from bank.core.money import to_cents
from bank.models import (
    AuditEvent,
    Member,
    ProductRequest,
    ProductRequestStatus,
    RequestedProduct,
)
from bank.privacy import audit
from bank.service_desk import product_requests as domain

_RESPONSES: dict[int | str, dict[str, Any]] = {
    **ERROR_RESPONSES,
    409: {"model": ErrorBody, "description": "Solicitud en curso o ya atendida"},
}
router = APIRouter(
    prefix="/product-requests", tags=["Solicita tus productos"], responses=_RESPONSES
)
officer_router = APIRouter(
    prefix="/officer/product-requests", tags=["Oficiales de crédito"], responses=_RESPONSES
)
IdPath = Annotated[int, Path(ge=1, le=2**63 - 1, description="Identificador de la solicitud")]


def present(r: ProductRequest) -> dict[str, Any]:
    """A request as its member sees it."""
    return {
        "id": r.id,
        "tipo_producto": r.product,
        "producto": domain.PRODUCTS[r.product].label,
        "monto": money(r.amount_cents) if r.amount_cents is not None else None,
        "comentario": r.comment,
        "canal_contacto": r.contact_channel,
        "canal": domain.CHANNELS[r.contact_channel],
        "estado": r.status,
        "estado_texto": domain.STATUSES[r.status],
        "fecha": r.created_at,
        "atendida_en": r.attended_at,
    }


def present_for_officer(listed: domain.ListedRequest) -> dict[str, Any]:
    """A request with the member's name and unmasked contacts (officers only)."""
    m = listed.member
    return {
        **present(listed.request),
        "socio": {
            "id": m.id,
            "nombre": f"{m.first_names} {m.last_names}",
            "identificacion": m.identification,
            "celular": m.mobile,
            "correo": m.email,
        },
        "atendida_por": listed.request.attended_by,
    }


# ---- members ----------------------------------------------------------------------------


@router.get("/types", response_model=out.TiposOut)
async def types(user: CurrentUser, session: DbSession) -> dict[str, Any]:
    """The product types and contact channels; for a member, their masked contact data.

    Any signed-in user (the officer's filters use the same list); ``contacto`` is the
    caller's own and empty for an officer.
    """
    mobile = email = None
    if user.member_id is not None:
        row = (
            await session.execute(
                select(Member.mobile, Member.email).where(Member.id == user.member_id)
            )
        ).first()
        if row is not None:
            mobile, email = row[0], row[1]
    return {
        "tipos": [
            {
                "codigo": code,
                "nombre": info.label,
                "categoria": info.category,
                "descripcion": info.description,
                "etiqueta_monto": info.amount_label,
            }
            for code, info in domain.PRODUCTS.items()
        ],
        "canales": [{"codigo": c, "nombre": label} for c, label in domain.CHANNELS.items()],
        "contacto": {"celular": mask_contact_mobile(mobile), "correo": mask_email(email)},
        "maximo_abiertas_por_tipo": domain.MAX_OPEN_PER_PRODUCT,
    }


@router.post("", response_model=out.SolicitudOut, status_code=201)
async def create(
    member: CurrentMember, session: DbSession, body: out.SolicitudIn
) -> dict[str, Any]:
    """Send a request; 409 ``SOLICITUD_EN_CURSO`` while one of that type is still open."""
    new = domain.NewRequest(
        product=body.tipo_producto,
        contact_channel=body.canal_contacto,
        amount_cents=None if body.monto is None else to_cents(body.monto),
        comment=body.comentario,
    )
    return await run(
        session,
        lambda s: present(domain.create_request(s, member.member_id, new)),
        commit=True,
    )


@router.get("", response_model=out.SolicitudesOut)
async def own(member: CurrentMember, session: DbSession) -> dict[str, Any]:
    """ "Tus solicitudes": the member's own requests, newest first."""
    found = await run(
        session, lambda s: [present(r) for r in domain.member_requests(s, member.member_id)]
    )
    return {"solicitudes": found}


# ---- officers ---------------------------------------------------------------------------


@officer_router.get("", response_model=out.SolicitudesOficialOut)
async def officer_list(
    officer: CurrentOfficer,
    session: DbSession,
    status: Annotated[ProductRequestStatus | None, Query(description="NUEVA o ATENDIDA")] = None,
    tipo: Annotated[RequestedProduct | None, Query(description="Tipo de producto")] = None,
    limit: Annotated[int, Query(ge=1, le=domain.MAX_LISTED)] = 100,
) -> dict[str, Any]:
    """Every member's requests by status and type (open ones oldest first); the read of
    their names and contacts is logged (``DATOS_PERSONALES_CONSULTADOS``, docs/privacy.md)."""

    def listed(s: Session) -> list[dict[str, Any]]:
        found = [
            present_for_officer(r)
            for r in domain.officer_requests(s, status=status, product=tipo, limit=limit)
        ]
        filters = {"estado": status.value if status else None, "tipo": tipo.value if tipo else None}
        audit.record(
            s,
            officer.username,
            audit.PERSONAL_DATA_READ,
            "product-requests",
            {"solicitudes": len(found), "filtros": filters},
        )
        return found

    return {"solicitudes": await run(session, listed, commit=True)}


def _attend(
    s: Session, request_id: int, officer: str, now: datetime, note: str | None
) -> dict[str, Any]:
    listed = domain.attend_request(s, request_id, officer, now)
    details: dict[str, Any] = {"resultado": "OK", "producto": listed.request.product.value}
    if note:
        details["nota"] = note
    s.add(
        AuditEvent(
            actor=officer[:80],
            action="solicitud.atender",
            subject=_subject(request_id),
            details=details,
        )
    )
    return present_for_officer(listed)


def _subject(request_id: int) -> str:
    return f"product-request-{request_id}"


@officer_router.post("/{request_id}/attend", response_model=out.SolicitudOficialOut)
async def attend(
    request_id: IdPath,
    officer: CurrentOfficer,
    session: DbSession,
    now: Now,
    body: out.AtenderIn | None = None,
) -> dict[str, Any]:
    """ "Marcar como atendida" (audited; 409 if already attended, 404 if unknown)."""
    note = body.nota if body else None
    try:
        return await run(
            session, lambda s: _attend(s, request_id, officer.username, now, note), commit=True
        )
    except ApiError as exc:
        details: dict[str, Any] = {"resultado": exc.code}
        if note:
            details["nota"] = note
        session.add(
            AuditEvent(
                actor=officer.username[:80],
                action="solicitud.atender",
                subject=_subject(request_id),
                details=details,
            )
        )
        await session.commit()
        raise
