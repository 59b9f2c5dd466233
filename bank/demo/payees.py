"""Demo payees of the manual's member: beneficiaries (§2 "Administración de Beneficiarios")
and registered services (§3 "Registro de Servicios"), so the demo's transfer and bill
screens have something to choose from. Bills come from the biller simulator on look-up.

Written through the same functions as the member's API (validation included) and only when
missing, so a second seed run creates nothing.
"""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from bank.demo import data
from bank.models import Beneficiary, BeneficiaryService, Member
from bank.payments.beneficiaries import BeneficiaryData, save_beneficiary
from bank.payments.registrations import list_services, register_service

NANCY = data.MEMBERS[1]
BENEFICIARIES = (
    BeneficiaryData(
        service=BeneficiaryService.COOPROGRESO,
        name=f"{NANCY.first_names} {NANCY.last_names}",
        identification_type="CEDULA",
        identification=NANCY.identification,
        account_number=NANCY.savings_number,
    ),
    BeneficiaryData(
        service=BeneficiaryService.INTERBANCARIA,
        name="JORGE PAREDES",
        identification_type="CEDULA",
        identification="1712345675",
        account_number="2200456789",
        institution_code="0010",  # Banco Pichincha: credited within seconds
        account_type="AHORROS",
        email="jorge.paredes@example.com",
    ),
)
SERVICES = (
    ("EEQ", "1234567", "Luz de la casa"),
    ("EPMAPS", "7654321", "Agua de la casa"),
)
"""(company, supply / account number, alias)."""


def seed_payees(
    session: Session, member: Member, savings_number: str, created: dict[str, int]
) -> None:
    """Give ``member`` the demo beneficiaries and services that are missing."""
    before = _beneficiaries(session, member.id)
    for beneficiary in BENEFICIARIES:
        save_beneficiary(session, member.id, beneficiary)
    if added := _beneficiaries(session, member.id) - before:
        created["beneficiaries"] += added
    registered = {(s.company_code, s.supply_number) for s, _ in list_services(session, member.id)}
    for company, supply, alias in SERVICES:
        if (company, supply) not in registered:
            register_service(
                session,
                member.id,
                account_number=savings_number,
                company_code=company,
                supply_number=supply,
                alias=alias,
            )
            created["registered_services"] += 1


def _beneficiaries(session: Session, member_id: int) -> int:
    query = select(func.count()).select_from(Beneficiary).where(Beneficiary.member_id == member_id)
    return int(session.scalar(query) or 0)
