"""Authorising a scheduled payment: the parameters, the OTP bound to them, the row.

Two steps, stateless between them: ``request_code`` checks the parameters and sends an OTP
bound to exactly them; ``authorise`` receives the same parameters with the code, verifies
the code against their digest (any change needs a new code) and writes the row. The caller
creates the Temporal Schedule before committing.
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from bank.access import otp
from bank.adapters.biller_catalog import COMPANY_BY_CODE
from bank.core.errors import DomainError
from bank.core.money import format_usd
from bank.models import PaymentSchedule, ScheduleStatus
from bank.notifications import spanish
from bank.payments.registrations import own_savings_account

OPERATION = "scheduled_payment.authorise"
TERMS_VERSION = "2026-11"
FREQUENCIES = {"SEMANAL": 7, "QUINCENAL": 7, "MENSUAL": 31}
"""Frequency → largest ``dia`` (weekday 1-7, or day of the month 1-31)."""
MAX_YEARS = 5


class AuthorisationRefused(DomainError):
    code = "PAGO_PROGRAMADO_INVALIDO"
    default_message = "Revisa los datos del pago programado."


class TermsNotAccepted(DomainError):
    code = "TERMINOS_NO_ACEPTADOS"
    default_message = "Debes aceptar los términos y condiciones para programar el pago."


class ScheduleNotFound(DomainError):
    code = "PAGO_PROGRAMADO_NO_ENCONTRADO"
    default_message = "No encontramos el pago programado."
    status_code = 404


@dataclass(frozen=True)
class Authorisation:
    """What the member authorises (the OTP is bound to all of it)."""

    account_number: str
    company_code: str
    supply_number: str
    max_amount_cents: int
    frequency: str
    day: int
    start_date: date
    end_date: date


def check(auth: Authorisation, member_id: int, session: Session, today: date) -> None:
    """Refuse parameters a bank would not schedule (Spanish messages)."""
    own_savings_account(session, member_id, auth.account_number)
    company = COMPANY_BY_CODE.get(auth.company_code)
    if company is None:
        raise AuthorisationRefused("La empresa seleccionada no es válida.")
    if not re.fullmatch(company.reference_pattern, auth.supply_number):
        raise AuthorisationRefused(spanish.invalid(company.reference_label, typed=False))
    top = FREQUENCIES.get(auth.frequency)
    if top is None or not 1 <= auth.day <= top:
        raise AuthorisationRefused("La frecuencia o el día de pago no son válidos.")
    if auth.start_date < today or auth.end_date <= auth.start_date:
        raise AuthorisationRefused(
            "La fecha hasta debe ser posterior a la fecha desde (hoy o después)."
        )
    if (auth.end_date - auth.start_date).days > 366 * MAX_YEARS:
        raise AuthorisationRefused(f"La autorización puede durar hasta {MAX_YEARS} años.")


def request_code(
    session: Session, member_id: int, auth: Authorisation, terms: bool, today: date, secret: str
) -> otp.IssuedOtp:
    """Check the parameters and send the OTP bound to them."""
    if not terms:
        raise TermsNotAccepted()
    check(auth, member_id, session, today)
    company = COMPANY_BY_CODE[auth.company_code].name
    purpose = (
        f"Pago programado {auth.frequency.lower()} de {company} {auth.supply_number} "
        f"hasta {format_usd(auth.max_amount_cents)}"
    )
    return otp.issue(
        session, member_id, OPERATION, asdict(auth), secret_key=secret, purpose=purpose
    )


def authorise(
    session: Session,
    member_id: int,
    auth: Authorisation,
    challenge_id: str,
    code: str,
    today: date,
    secret: str,
) -> PaymentSchedule:
    """Verify the code for exactly these parameters and write the authorisation (flushed)."""
    check(auth, member_id, session, today)
    otp.verify(session, challenge_id, member_id, OPERATION, asdict(auth), code, secret_key=secret)
    return record_authorisation(session, member_id, auth, origin=challenge_id)


def record_authorisation(
    session: Session, member_id: int, auth: Authorisation, *, origin: str
) -> PaymentSchedule:
    """Write an authorisation already confirmed (flushed); ``origin``: what confirmed it."""
    account = own_savings_account(session, member_id, auth.account_number)
    company = COMPANY_BY_CODE[auth.company_code]
    row = PaymentSchedule(
        origin=origin,
        member_id=member_id,
        account_id=account.id,
        category=company.category,
        company_code=company.code,
        company_name=company.name,
        supply_number=auth.supply_number,
        max_amount_cents=auth.max_amount_cents,
        frequency=auth.frequency,
        day=auth.day,
        start_date=auth.start_date,
        end_date=auth.end_date,
        status=ScheduleStatus.ACTIVO,
        terms_version=TERMS_VERSION,
    )
    session.add(row)
    session.flush()
    return row


def owned(session: Session, member_id: int, payment_id: int) -> PaymentSchedule:
    """The member's authorisation (another member's is not found)."""
    row = session.scalar(
        select(PaymentSchedule).where(
            PaymentSchedule.id == payment_id, PaymentSchedule.member_id == member_id
        )
    )
    if row is None or row.status is ScheduleStatus.CANCELADO:
        raise ScheduleNotFound()
    return row


MAX_OPERATION = "scheduled_payment.max"


def _max_payload(row: PaymentSchedule, max_amount_cents: int) -> dict[str, int]:
    return {"schedule": row.id, "max_amount_cents": max_amount_cents}


def request_max_code(
    session: Session, member_id: int, payment_id: int, max_amount_cents: int, secret: str
) -> otp.IssuedOtp:
    """A new "Monto máximo" needs its own code, bound to the authorisation and the amount."""
    row = owned(session, member_id, payment_id)
    purpose = (
        f"cambiar el monto máximo del pago programado {row.supply_number} a "
        f"{format_usd(max_amount_cents)}"
    )
    return otp.issue(
        session,
        member_id,
        MAX_OPERATION,
        _max_payload(row, max_amount_cents),
        secret_key=secret,
        purpose=purpose,
    )


def change_max(
    session: Session,
    member_id: int,
    payment_id: int,
    max_amount_cents: int,
    challenge_id: str,
    code: str,
    secret: str,
) -> PaymentSchedule:
    """Verify the code and change the maximum; the next run reads it from the row."""
    row = owned(session, member_id, payment_id)
    otp.verify(
        session,
        challenge_id,
        member_id,
        MAX_OPERATION,
        _max_payload(row, max_amount_cents),
        code,
        secret_key=secret,
    )
    row.max_amount_cents = max_amount_cents
    session.flush()
    return row
