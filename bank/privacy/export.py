"""A member's personal data, as the member may take it away (LOPDP, derecho de acceso y
portabilidad): identity, contacts, products, consents, requests and who accessed the data.

Plain JSON-ready values, money as strings of cents' dollars. Never a password hash, a
session or OTP digest, a PIN digest, a card's full number or a token: those are secrets,
not the member's data. Biometric images are not exported: the credit journey deletes them
(``docs/privacy.md``). The caller owns the transaction.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from bank.core.money import from_cents
from bank.models import (
    Account,
    AuditEvent,
    Card,
    CreditConsent,
    Member,
    PrivacyRequest,
    User,
)
from bank.models.products import Loan
from bank.privacy import audit
from bank.privacy.contracts import CONSENT_ACTION, CONSENT_TEXTS

MAX_ACCESSES = 500
"""The newest access-log lines exported (the whole log stays with the officer's records)."""


def _money(cents: int) -> str:
    return str(from_cents(cents))


def _iso(value: date | datetime | None) -> str | None:
    return value.isoformat() if value is not None else None


def member_export(session: Session, member_id: int) -> dict[str, Any]:
    """Everything the cooperative holds about member ``member_id`` (see the module docstring).

    Raises:
        LookupError: no such member.
    """
    member = session.get(Member, member_id)
    if member is None:
        raise LookupError(member_id)
    users = session.scalars(select(User).where(User.member_id == member_id)).all()
    subjects = [audit.member_subject(member_id), *(u.username for u in users)]
    return {
        "identidad": {
            "tipo_identificacion": str(member.identification_type),
            "identificacion": member.identification,
            "nombres": member.first_names,
            "apellidos": member.last_names,
            "fecha_nacimiento": _iso(member.birth_date),
            "estado_civil": str(member.civil_status),
            "cedula_vence": _iso(member.id_card_expires_on),
        },
        "contactos": {
            "correo": member.email,
            "celular": member.mobile,
            "direccion": member.address,
            "datos_actualizados": _iso(member.data_updated_on),
        },
        "usuarios": [
            {
                "usuario": u.username,
                "rol": str(u.role),
                "creado": _iso(u.created_at),
                "ultimo_ingreso": _iso(u.last_login_at),
            }
            for u in users
        ],
        "productos": _products(session, member_id),
        "consentimientos": _consents(session, member_id),
        "solicitudes_privacidad": [
            {"id": r.id, "tipo": r.kind, "estado": str(r.status), "fecha": _iso(r.created_at)}
            for r in session.scalars(
                select(PrivacyRequest).where(PrivacyRequest.member_id == member_id)
            )
        ],
        "accesos": _accesses(session, subjects),
    }


def _products(session: Session, member_id: int) -> dict[str, list[dict[str, Any]]]:
    accounts = session.scalars(select(Account).where(Account.member_id == member_id)).all()
    loans = session.scalars(select(Loan).where(Loan.member_id == member_id)).all()
    cards = session.scalars(select(Card).where(Card.member_id == member_id)).all()
    return {
        "cuentas": [
            {
                "numero": a.number,
                "producto": str(a.product),
                "estado": str(a.status),
                "saldo": _money(a.balance_cents),
            }
            for a in accounts
        ],
        "creditos": [
            {
                "numero": loan.number,
                "producto": loan.product_name,
                "monto": _money(loan.amount_cents),
                "saldo_capital": _money(loan.principal_balance_cents),
                "plazo_meses": loan.term_months,
                "estado": str(loan.status),
            }
            for loan in loans
        ],
        "tarjetas": [
            {
                "numero": c.masked_number,
                "tipo": str(c.kind),
                "marca": c.brand,
                "estado": str(c.status),
            }
            for c in cards
        ],
    }


def _consents(session: Session, member_id: int) -> list[dict[str, Any]]:
    credit = session.scalars(select(CreditConsent).where(CreditConsent.member_id == member_id))
    biometric = session.scalars(
        select(AuditEvent)
        .where(
            AuditEvent.action == CONSENT_ACTION,
            AuditEvent.subject == audit.member_subject(member_id),
        )
        .order_by(AuditEvent.at)
    )
    found: list[dict[str, Any]] = [
        {
            "tipo": "DATOS_PERSONALES_Y_CREDITICIOS",
            "solicitud": c.workflow_id,
            "version_texto": c.text_version,
            "fecha": _iso(c.accepted_at),
            "origen": c.origin,
        }
        for c in credit
    ]
    found += [
        {
            "tipo": "BIOMETRICO",
            "solicitud": e.details.get("workflow_id"),
            "version_texto": e.details.get("version_texto"),
            "texto": CONSENT_TEXTS.get(str(e.details.get("version_texto")), ""),
            "finalidad": e.details.get("finalidad"),
            "fecha": _iso(e.at),
            "origen": e.details.get("origen"),
        }
        for e in biometric
    ]
    return found


def _accesses(session: Session, subjects: list[str]) -> list[dict[str, Any]]:
    """Who read, exported or changed this member's data, and the member's own sign-ins."""
    events = session.scalars(
        select(AuditEvent)
        .where(or_(AuditEvent.subject.in_(subjects), AuditEvent.actor.in_(subjects)))
        .order_by(AuditEvent.at.desc(), AuditEvent.id.desc())
        .limit(MAX_ACCESSES)
    )
    return [
        {"fecha": _iso(e.at), "quien": e.actor, "accion": e.action, "sobre": e.subject}
        for e in events
    ]
