"""Administración de Beneficiarios: search, create, edit and delete the member's payees.

Another member's beneficiary is answered exactly like one that does not exist (404
``BENEFICIARIO_NO_ENCONTRADO``); rules and refusals live in ``bank.payments.beneficiaries``.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Path, Query

from api.deps import CurrentMember, DbSession
from api.domain_calls import run
from api.schemas.beneficiaries import (
    BeneficiarioIn,
    BeneficiarioOut,
    EliminadosOut,
    EliminarIn,
)
from api.schemas.common import ERROR_RESPONSES, ErrorBody, PlainText
from bank.models import Beneficiary, BeneficiaryService
from bank.payments import beneficiaries as domain

router = APIRouter(
    prefix="/beneficiaries",
    tags=["Beneficiarios"],
    responses={**ERROR_RESPONSES, 409: {"model": ErrorBody, "description": "Duplicado"}},
)
IdPath = Annotated[int, Path(ge=1, le=2**63 - 1, description="Identificador del beneficiario")]


def present(b: Beneficiary) -> dict[str, Any]:
    """A beneficiary as the API answers it."""
    return {
        "id": b.id,
        "servicio": b.service.value,
        "nombre": b.name,
        "tipo_identificacion": b.identification_type,
        "identificacion": b.identification,
        "cuenta": b.account_number,
        "institucion": b.institution_code,
        "institucion_nombre": domain.institution_name(b.institution_code),
        "tipo_cuenta": b.account_type,
        "email": b.email,
    }


def _data(body: BeneficiarioIn) -> domain.BeneficiaryData:
    return domain.BeneficiaryData(
        service=body.servicio,
        name=body.nombre,
        identification_type=body.tipo_identificacion,
        identification=body.identificacion,
        account_number=body.cuenta,
        institution_code=body.institucion or "",
        account_type=body.tipo_cuenta,
        email=body.email,
    )


@router.get("", response_model=list[BeneficiarioOut])
async def search(
    member: CurrentMember,
    session: DbSession,
    servicio: Annotated[
        BeneficiaryService | None, Query(description="Sin valor: todos los servicios")
    ] = None,
    nombre: Annotated[PlainText | None, Query(max_length=80)] = None,
    identificacion: Annotated[PlainText | None, Query(max_length=20)] = None,
) -> list[dict[str, Any]]:
    """Buscar: the member's beneficiaries, optionally by service, name and identification."""
    found = await run(
        session,
        lambda s: [
            present(b)
            for b in domain.search_beneficiaries(
                s, member.member_id, service=servicio, name=nombre, identification=identificacion
            )
        ],
    )
    return found


@router.post("", response_model=BeneficiarioOut, status_code=201)
async def create(member: CurrentMember, session: DbSession, body: BeneficiarioIn) -> dict[str, Any]:
    """Nuevo Beneficiario for Transferencias Cooprogreso or Interbancarias."""
    data = _data(body)
    return await run(
        session,
        lambda s: present(domain.create_beneficiary(s, member.member_id, data)),
        commit=True,
    )


@router.post("/delete", response_model=EliminadosOut)
async def delete_many(
    member: CurrentMember, session: DbSession, body: EliminarIn
) -> dict[str, int]:
    """Eliminar several: all must be the member's, or nothing is deleted (404)."""
    count = await run(
        session, lambda s: domain.delete_beneficiaries(s, member.member_id, body.ids), commit=True
    )
    return {"eliminados": count}


@router.get("/{beneficiary_id}", response_model=BeneficiarioOut)
async def detail(
    member: CurrentMember, session: DbSession, beneficiary_id: IdPath
) -> dict[str, Any]:
    """One beneficiary of the member."""
    return await run(
        session, lambda s: present(domain.get_beneficiary(s, member.member_id, beneficiary_id))
    )


@router.put("/{beneficiary_id}", response_model=BeneficiarioOut)
async def edit(
    member: CurrentMember, session: DbSession, beneficiary_id: IdPath, body: BeneficiarioIn
) -> dict[str, Any]:
    """Editar: replace the beneficiary's fields (validated like a new one)."""
    data = _data(body)
    return await run(
        session,
        lambda s: present(domain.update_beneficiary(s, member.member_id, beneficiary_id, data)),
        commit=True,
    )


@router.delete("/{beneficiary_id}", response_model=EliminadosOut)
async def delete_one(
    member: CurrentMember, session: DbSession, beneficiary_id: IdPath
) -> dict[str, int]:
    """Eliminar one beneficiary."""
    count = await run(
        session,
        lambda s: domain.delete_beneficiaries(s, member.member_id, [beneficiary_id]),
        commit=True,
    )
    return {"eliminados": count}
