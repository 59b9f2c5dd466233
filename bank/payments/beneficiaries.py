"""Beneficiaries ("Administración de Beneficiarios"): search, create, edit and delete.

Plain functions over a synchronous ``Session``; they flush but never commit (the caller owns
the transaction). Refusals are :class:`~bank.core.errors.DomainError` subclasses whose
``status_code`` tells the API how to answer (404 not found, 409 duplicate, else 422).
"""

from __future__ import annotations

import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import ClassVar

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bank.adapters import spi_institutions
from bank.core.errors import DomainError
from bank.models import (
    COOPROGRESO_INSTITUTION,
    Account,
    AccountStatus,
    Beneficiary,
    BeneficiaryService,
    ProductType,
)
from bank.models.base import utcnow
from bank.payments.identification import validate_identification

ACCOUNT_TYPES = ("AHORROS", "CORRIENTE")
COOPROGRESO_NAME = "COOPROGRESO"


class BeneficiaryRefused(DomainError):
    """A refusal about a beneficiary; ``status_code`` is the HTTP status the API answers."""

    status_code: ClassVar[int] = 422


class BeneficiarioNoEncontrado(BeneficiaryRefused):
    status_code = 404
    code = "BENEFICIARIO_NO_ENCONTRADO"
    default_message = "No encontramos el beneficiario."


class BeneficiarioDuplicado(BeneficiaryRefused):
    status_code = 409
    code = "BENEFICIARIO_DUPLICADO"
    default_message = "Ya tienes registrado un beneficiario con esta cuenta."


class InstitucionRequerida(BeneficiaryRefused):
    code = "INSTITUCION_REQUERIDA"
    default_message = "Selecciona la institución financiera del beneficiario."


class InstitucionInvalida(BeneficiaryRefused):
    code = "INSTITUCION_INVALIDA"
    default_message = "La institución financiera seleccionada no es válida."


class CuentaBeneficiarioNoEncontrada(BeneficiaryRefused):
    code = "CUENTA_BENEFICIARIO_NO_ENCONTRADA"
    default_message = "No encontramos una cuenta de ahorros activa de Cooprogreso con ese número."


class CuentaPropia(BeneficiaryRefused):
    code = "CUENTA_PROPIA"
    default_message = "Esta cuenta es tuya: usa Transferencias a mis Cuentas."


class TipoCuentaInvalido(BeneficiaryRefused):
    code = "TIPO_CUENTA_INVALIDO"
    default_message = "El tipo de cuenta debe ser AHORROS o CORRIENTE."


@dataclass(frozen=True)
class BeneficiaryData:
    """A beneficiary as typed by the member (or by a transfer that saves its payee)."""

    service: BeneficiaryService
    name: str
    identification_type: str
    """``CEDULA``, ``RUC`` or ``PASAPORTE``."""
    identification: str
    account_number: str
    institution_code: str = ""
    """SPI code for INTERBANCARIA; empty (or ``COOPROGRESO``) for COOPROGRESO."""
    account_type: str = "AHORROS"
    email: str | None = None


def institution_name(code: str) -> str:
    """The institution's display name (``COOPROGRESO`` for our own)."""
    if code == COOPROGRESO_INSTITUTION:
        return COOPROGRESO_NAME
    found = spi_institutions.institution(code)
    return found.name if found else code


def fold(text: str) -> str:
    """Lower-cased text without accents, for name searches ("Núñez" → "nunez")."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def search_beneficiaries(
    session: Session,
    member_id: int,
    *,
    service: BeneficiaryService | None = None,
    name: str | None = None,
    identification: str | None = None,
) -> list[Beneficiary]:
    """The member's beneficiaries by name; optional filters: ``name`` anywhere in the name
    (case and accents ignored), ``identification`` by prefix."""
    query = select(Beneficiary).where(Beneficiary.member_id == member_id)
    if service is not None:
        query = query.where(Beneficiary.service == service)
    if identification:
        query = query.where(Beneficiary.identification.startswith(identification.strip().upper()))
    rows = list(session.scalars(query.order_by(Beneficiary.name, Beneficiary.id)))
    if name and name.strip():
        wanted = fold(" ".join(name.split()))
        rows = [b for b in rows if wanted in fold(b.name)]
    return rows


def get_beneficiary(session: Session, member_id: int, beneficiary_id: int) -> Beneficiary:
    """The member's beneficiary; ``BeneficiarioNoEncontrado`` if unknown or another's."""
    found = session.get(Beneficiary, beneficiary_id)
    if found is None or found.member_id != member_id:
        raise BeneficiarioNoEncontrado()
    return found


def normalize(session: Session, member_id: int, data: BeneficiaryData) -> BeneficiaryData:
    """``data`` validated and in its stored form.

    Raises:
        IdentificacionInvalida: the identification fails its document's rules.
        InstitucionRequerida, InstitucionInvalida: wrong institution for the service.
        CuentaBeneficiarioNoEncontrada, CuentaPropia: a Cooprogreso account that cannot be one.
        TipoCuentaInvalido: neither AHORROS nor CORRIENTE.
    """
    identification = validate_identification(data.identification_type, data.identification)
    account_type = data.account_type.upper()
    if account_type not in ACCOUNT_TYPES:
        raise TipoCuentaInvalido()
    code = data.institution_code.strip()
    if data.service is BeneficiaryService.COOPROGRESO:
        if code not in ("", COOPROGRESO_INSTITUTION):
            raise InstitucionInvalida(
                "Para Transferencias Cooprogreso no se selecciona institución financiera."
            )
        _check_cooprogreso_account(session, member_id, data.account_number)
        code, account_type = COOPROGRESO_INSTITUTION, "AHORROS"
    elif not code:
        raise InstitucionRequerida()
    elif code == COOPROGRESO_INSTITUTION or spi_institutions.institution(code) is None:
        raise InstitucionInvalida()
    return replace(
        data,
        name=" ".join(data.name.split()),
        identification=identification,
        institution_code=code,
        account_type=account_type,
        email=(data.email or "").strip() or None,
    )


def _check_cooprogreso_account(session: Session, member_id: int, number: str) -> None:
    account = session.scalar(select(Account).where(Account.number == number))
    if (
        account is None
        or account.member_id is None
        or account.product is not ProductType.SAVINGS
        or account.status is not AccountStatus.ACTIVO
    ):
        raise CuentaBeneficiarioNoEncontrada()
    if account.member_id == member_id:
        raise CuentaPropia()


def _same_account(
    session: Session, member_id: int, data: BeneficiaryData, exclude_id: int | None = None
) -> Beneficiary | None:
    query = select(Beneficiary).where(
        Beneficiary.member_id == member_id,
        Beneficiary.service == data.service,
        Beneficiary.institution_code == data.institution_code,
        Beneficiary.account_number == data.account_number,
    )
    if exclude_id is not None:
        query = query.where(Beneficiary.id != exclude_id)
    return session.scalar(query)


def _apply(beneficiary: Beneficiary, data: BeneficiaryData) -> None:
    beneficiary.service = data.service
    beneficiary.name = data.name
    beneficiary.identification_type = data.identification_type
    beneficiary.identification = data.identification
    beneficiary.account_number = data.account_number
    beneficiary.institution_code = data.institution_code
    beneficiary.account_type = data.account_type
    beneficiary.email = data.email
    beneficiary.updated_at = utcnow()


def _insert(session: Session, member_id: int, data: BeneficiaryData) -> Beneficiary | None:
    """The new row, or None when the unique constraint refused it (a concurrent twin)."""
    beneficiary = Beneficiary(member_id=member_id)
    _apply(beneficiary, data)
    try:
        with session.begin_nested():
            session.add(beneficiary)
    except IntegrityError:
        return None
    return beneficiary


def create_beneficiary(session: Session, member_id: int, data: BeneficiaryData) -> Beneficiary:
    """A new beneficiary (validated, flushed); 409 ``BeneficiarioDuplicado`` when the member
    already has one for this service and account, else the refusals of :func:`normalize`."""
    clean = normalize(session, member_id, data)
    if _same_account(session, member_id, clean) is not None:
        raise BeneficiarioDuplicado()
    created = _insert(session, member_id, clean)
    if created is None:
        raise BeneficiarioDuplicado()
    return created


def save_beneficiary(session: Session, member_id: int, data: BeneficiaryData) -> Beneficiary:
    """Idempotent create (for a transfer that keeps its payee): the existing beneficiary for
    this service and account, unchanged, else a new one. Refusals: see :func:`normalize`."""
    clean = normalize(session, member_id, data)
    existing = _same_account(session, member_id, clean)
    if existing is not None:
        return existing
    created = _insert(session, member_id, clean)
    if created is None:
        existing = _same_account(session, member_id, clean)
        assert existing is not None  # the constraint fired: the twin is committed
        return existing
    return created


def update_beneficiary(
    session: Session, member_id: int, beneficiary_id: int, data: BeneficiaryData
) -> Beneficiary:
    """Replace every field of the member's beneficiary (validated; flushed, not committed).

    Raises:
        BeneficiarioNoEncontrado: unknown id or not the member's.
        BeneficiarioDuplicado: another of the member's beneficiaries has this account.
    """
    beneficiary = get_beneficiary(session, member_id, beneficiary_id)
    clean = normalize(session, member_id, data)
    if _same_account(session, member_id, clean, exclude_id=beneficiary_id) is not None:
        raise BeneficiarioDuplicado()
    _apply(beneficiary, clean)
    try:
        with session.begin_nested():
            session.flush()
    except IntegrityError:
        raise BeneficiarioDuplicado() from None
    return beneficiary


def delete_beneficiaries(session: Session, member_id: int, ids: Sequence[int]) -> int:
    """Delete the member's beneficiaries ``ids``, all or none; returns how many.

    Raises:
        BeneficiarioNoEncontrado: one of the ids is unknown or not the member's.
    """
    wanted = set(ids)
    if not wanted:
        return 0
    owned = set(
        session.scalars(
            select(Beneficiary.id).where(
                Beneficiary.member_id == member_id, Beneficiary.id.in_(wanted)
            )
        )
    )
    if owned != wanted:
        raise BeneficiarioNoEncontrado()
    session.execute(
        delete(Beneficiary).where(Beneficiary.member_id == member_id, Beneficiary.id.in_(wanted))
    )
    return len(wanted)
