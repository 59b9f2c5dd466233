"""A member's rights over their personal data (LOPDP 2021): export and deletion request.

``GET /privacy/export`` answers everything the cooperative holds about the signed-in member
(``bank.privacy.export``: identity, contacts, products, consents, requests, and who accessed
the data), never a secret; the export itself is written to the access log.
``POST /privacy/deletion-request`` records a request for an officer: regulated records are
kept for their legal terms, so nothing is erased by the request itself (``docs/privacy.md``).
A member only ever reaches their own data: the member id comes from the session, never from
the request.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy.orm import Session

from api.deps import CurrentMember, DbSession, Now, request_origin
from api.domain_calls import run
from api.errors import ApiError
from api.schemas import privacy as out
from api.schemas.common import ERROR_RESPONSES, ErrorBody
from bank.privacy import audit
from bank.privacy.export import member_export
from bank.privacy.requests import request_deletion

router = APIRouter(prefix="/privacy", tags=["Protección de datos"], responses=ERROR_RESPONSES)

DELETED_ON_REQUEST = [
    "Beneficiarios, servicios y tarjetas de terceros registrados para tus pagos (sin pagos "
    "programados pendientes).",
    "Solicitudes de productos ya atendidas.",
    "Tus datos de contacto (correo, celular, dirección) cuando ya no tengas productos vigentes.",
    "Imágenes faciales y patrones biométricos: ya se eliminan solos al terminar cada firma.",
]
KEPT_BY_LAW = [
    "Identificación, contratos, pagarés y documentos firmados de tus créditos.",
    "Movimientos, saldos y asientos contables de tus cuentas, créditos y tarjetas.",
    "Copias de tu cédula del expediente de crédito y consentimientos otorgados.",
    "Registros de auditoría y de accesos a tus datos.",
]


def _export(session: Session, member_id: int, actor: str) -> dict[str, Any]:
    try:
        data = member_export(session, member_id)
    except LookupError as exc:
        raise ApiError(404, "SOCIO_NO_ENCONTRADO", "No encontramos tus datos.") from exc
    subject = audit.member_subject(member_id)
    audit.record(session, actor, audit.PERSONAL_DATA_EXPORTED, subject, {"secciones": len(data)})
    return data


@router.get("/export", response_model=out.ExportOut)
async def export(member: CurrentMember, session: DbSession) -> dict[str, Any]:
    """Everything the cooperative holds about you, as JSON (the export is logged)."""
    actor = member.principal.username
    return await run(session, lambda s: _export(s, member.member_id, actor), commit=True)


@router.post(
    "/deletion-request",
    response_model=out.SolicitudEliminacionOut,
    status_code=201,
    responses={409: {"model": ErrorBody, "description": "Ya hay una solicitud abierta"}},
)
async def deletion_request(
    member: CurrentMember,
    session: DbSession,
    request: Request,
    now: Now,
    body: out.SolicitudEliminacionIn | None = None,
) -> out.SolicitudEliminacionOut:
    """Ask for your personal data to be deleted: recorded for an officer (409 if one is open)."""
    reason = body.motivo if body else None
    actor, origin = member.principal.username, request_origin(request)
    recorded = await run(
        session,
        lambda s: request_deletion(s, member.member_id, actor, reason, origin, now),
        commit=True,
    )
    return out.SolicitudEliminacionOut(
        id=recorded.id,
        estado=str(recorded.status),
        fecha=recorded.created_at,
        mensaje=(
            "Registramos tu solicitud. Un oficial de Cooprogreso la atenderá y te informará qué "
            "datos se eliminan; los que la ley obliga a conservar se mantienen por su plazo legal."
        ),
        se_elimina=DELETED_ON_REQUEST,
        se_conserva=KEPT_BY_LAW,
    )
