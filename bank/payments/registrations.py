"""Registered services ("Registro de Servicios") and other banks' cards ("Otros Bancos").

Plain functions over a synchronous ``Session``; they flush but never commit. A card's full
number is never stored or returned: only a mask and a keyed digest (HMAC with the app's
secret, as for Cooprogreso cards).
"""

from __future__ import annotations

import re
from typing import ClassVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from stdnum import luhn

from bank.access.security import keyed_digest
from bank.adapters import spi_institutions
from bank.adapters.biller_catalog import COMPANY_BY_CODE
from bank.adapters.biller_types import Company
from bank.core.errors import DomainError
from bank.core.masking import mask_other_bank_card
from bank.models import Account, AccountStatus, ProductType, RegisteredCard, RegisteredService
from bank.notifications import spanish

BRANDS = ("VISA", "MASTERCARD", "DINERS", "AMEX", "DISCOVER")


class RegistrationRefused(DomainError):
    """A refusal about a registration; ``status_code`` is the HTTP status the API answers."""

    status_code: ClassVar[int] = 422


class CuentaNoEncontrada(RegistrationRefused):
    status_code = 404
    code = "CUENTA_NO_ENCONTRADA"
    default_message = "No encontramos la cuenta de ahorros seleccionada."


class EmpresaInvalida(RegistrationRefused):
    code = "EMPRESA_INVALIDA"
    default_message = "La empresa seleccionada no es válida."


class ReferenciaInvalida(RegistrationRefused):
    code = "REFERENCIA_INVALIDA"
    default_message = "El número ingresado no es válido para esta empresa."


class ServicioDuplicado(RegistrationRefused):
    status_code = 409
    code = "SERVICIO_DUPLICADO"
    default_message = "Ya tienes registrado este servicio."


class ServicioNoEncontrado(RegistrationRefused):
    status_code = 404
    code = "SERVICIO_NO_ENCONTRADO"
    default_message = "No encontramos el servicio registrado."


class InstitucionInvalida(RegistrationRefused):
    code = "INSTITUCION_INVALIDA"
    default_message = "La institución financiera seleccionada no es válida."


class TarjetaInvalida(RegistrationRefused):
    code = "TARJETA_INVALIDA"
    default_message = "El número de tarjeta no es válido."


class MarcaRequerida(RegistrationRefused):
    code = "MARCA_REQUERIDA"
    default_message = "Selecciona la marca de la tarjeta."


class TarjetaDuplicada(RegistrationRefused):
    status_code = 409
    code = "TARJETA_DUPLICADA"
    default_message = "Ya tienes registrada esta tarjeta."


class TarjetaNoEncontrada(RegistrationRefused):
    status_code = 404
    code = "TARJETA_NO_ENCONTRADA"
    default_message = "No encontramos la tarjeta."


# --- registered services --------------------------------------------------------------------


def own_savings_account(session: Session, member_id: int, number: str) -> Account:
    """The member's own active savings account ``number``.

    Raises:
        CuentaNoEncontrada: unknown, another member's, not savings or not active.
    """
    account = session.scalar(
        select(Account).where(Account.number == number, Account.member_id == member_id)
    )
    if (
        account is None
        or account.product is not ProductType.SAVINGS
        or account.status is not AccountStatus.ACTIVO
    ):
        raise CuentaNoEncontrada()
    return account


def company(code: str) -> Company:
    """The biller company ``code``.

    Raises:
        EmpresaInvalida: not in the catalogue.
    """
    found = COMPANY_BY_CODE.get(code)
    if found is None:
        raise EmpresaInvalida()
    return found


def list_services(session: Session, member_id: int) -> list[tuple[RegisteredService, str]]:
    """The member's registered services with their debit account's number, oldest first."""
    rows = session.execute(
        select(RegisteredService, Account.number)
        .join(Account, Account.id == RegisteredService.account_id)
        .where(RegisteredService.member_id == member_id)
        .order_by(RegisteredService.id)
    )
    return [(service, number) for service, number in rows.tuples()]


def register_service(
    session: Session,
    member_id: int,
    *,
    account_number: str,
    company_code: str,
    supply_number: str,
    alias: str = "",
) -> RegisteredService:
    """Register a service to pay from the member's savings account.

    Raises:
        CuentaNoEncontrada, EmpresaInvalida: see :func:`own_savings_account`, :func:`company`.
        ReferenciaInvalida: the reference does not match the company's pattern.
        ServicioDuplicado: the member already registered this company and reference.
    """
    account = own_savings_account(session, member_id, account_number)
    biller = company(company_code)
    reference = supply_number.strip()
    if not re.fullmatch(biller.reference_pattern, reference):
        raise ReferenciaInvalida(spanish.invalid(biller.reference_label))
    service = RegisteredService(
        member_id=member_id,
        account_id=account.id,
        category=biller.category,
        company_code=biller.code,
        supply_number=reference,
        alias=" ".join(alias.split()),
    )
    try:
        with session.begin_nested():
            session.add(service)
    except IntegrityError:
        raise ServicioDuplicado() from None
    return service


def delete_service(session: Session, member_id: int, service_id: int) -> None:
    """Delete the member's registered service (another member's is not found)."""
    found = session.get(RegisteredService, service_id)
    if found is None or found.member_id != member_id:
        raise ServicioNoEncontrado()
    session.delete(found)
    session.flush()


# --- other banks' cards ------------------------------------------------------------------------


def card_brand(number: str) -> str | None:
    """The brand its prefix tells, or None."""
    if number.startswith("4"):
        return "VISA"
    if number[:2] in ("34", "37"):
        return "AMEX"
    if number[:2] in ("30", "36", "38", "39"):
        return "DINERS"
    if number[0] in "25":
        return "MASTERCARD"
    if number.startswith("6"):
        return "DISCOVER"
    return None


def card_number(value: str) -> str:
    """The card number's digits (spaces and dashes dropped), checked with Luhn.

    Raises:
        TarjetaInvalida: not 13 to 19 digits, or the check digit fails.
    """
    digits = re.sub(r"[ -]", "", value)
    if not re.fullmatch(r"[0-9]{13,19}", digits) or not luhn.is_valid(digits):
        raise TarjetaInvalida()
    return digits


def list_cards(session: Session, member_id: int) -> list[RegisteredCard]:
    """The member's registered cards of other banks, oldest first."""
    query = select(RegisteredCard).where(RegisteredCard.member_id == member_id)
    return list(session.scalars(query.order_by(RegisteredCard.id)))


def register_card(
    session: Session,
    member_id: int,
    secret_key: str,
    *,
    institution_code: str,
    number: str,
    holder_name: str,
    brand: str | None = None,
) -> RegisteredCard:
    """Register another bank's credit card; stores its mask and keyed digest only.

    Raises:
        InstitucionInvalida: not an SPI institution.
        TarjetaInvalida, MarcaRequerida: bad number, or a brand neither given nor derivable.
        TarjetaDuplicada: the member already registered this card.
    """
    if spi_institutions.institution(institution_code) is None:
        raise InstitucionInvalida()
    digits = card_number(number)
    chosen = brand or card_brand(digits)
    if chosen is None or chosen not in BRANDS:
        raise MarcaRequerida()
    card = RegisteredCard(
        member_id=member_id,
        institution_code=institution_code,
        brand=chosen,
        holder_name=" ".join(holder_name.split()).upper(),
        masked_number=mask_other_bank_card(digits),
        pan_digest=keyed_digest(secret_key, digits),
    )
    try:
        with session.begin_nested():
            session.add(card)
    except IntegrityError:
        raise TarjetaDuplicada() from None
    return card


def delete_card(session: Session, member_id: int, card_id: int) -> None:
    """Delete the member's registered card (another member's is not found)."""
    found = session.get(RegisteredCard, card_id)
    if found is None or found.member_id != member_id:
        raise TarjetaNoEncontrada()
    session.delete(found)
    session.flush()
