"""What the transfer browser tests set up and read beside the browser: Gabriel's second
savings account, this test file's own beneficiaries, balances read through the API."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from sqlalchemy import select

from bank.core.db import make_engine, session_factory
from bank.demo.data import MEMBERS
from bank.models import Account, AccountStatus, Member, ProductType
from tests.web.service_payments_support import call
from tests.web.stack import Stack

GABRIEL = MEMBERS[0]
MARIA_JOSE = MEMBERS[3]
SECOND_SAVINGS = "410112060784"
"""Gabriel's second savings account, opened for these tests (the manual's member has one)."""


def open_second_savings(stack: Stack, status: AccountStatus = AccountStatus.ACTIVO) -> str:
    """Open a second savings account of Gabriel's, as a branch would (or set its status).

    The demo data gives Gabriel one savings account (manual §1), and "Transferencias a mis
    Cuentas" moves money between two of them. Set INACTIVO after these tests, so the screens
    of other test files see Gabriel's one active savings account again.
    """
    engine = make_engine(stack.database_url)
    try:
        with session_factory(engine).begin() as session:
            found = session.scalar(select(Account).where(Account.number == SECOND_SAVINGS))
            if found is not None:
                found.status = status
                return SECOND_SAVINGS
            member_id = session.scalar(
                select(Member.id).where(Member.identification == GABRIEL.identification)
            )
            assert member_id is not None
            session.add(
                Account(
                    number=SECOND_SAVINGS,
                    member_id=member_id,
                    product=ProductType.SAVINGS,
                    status=status,
                    currency="USD",
                    opened_on=date.today(),
                )
            )
    finally:
        engine.dispose()
    return SECOND_SAVINGS


def balances(stack: Stack, token: str) -> dict[str, tuple[Decimal, Decimal]]:
    """Account number → (saldo contable, saldo disponible), from the position."""
    status, position = call(stack, token, "GET", "/position")
    assert status == 200, position
    return {
        c["numero"]: (Decimal(c["saldo_contable"]), Decimal(c["saldo_disponible"]))
        for c in position["cuentas"]
    }


def beneficiary(stack: Stack, token: str, body: dict[str, Any]) -> dict[str, Any]:
    """The member's beneficiary for ``body['cuenta']``: registered now, or found if it was."""
    status, saved = call(stack, token, "POST", "/beneficiaries", body)
    if status == 201:
        return dict(saved)
    assert status == 409, saved
    status, listed = call(stack, token, "GET", f"/beneficiaries?servicio={body['servicio']}")
    assert status == 200, listed
    return next(b for b in listed if b["cuenta"] == body["cuenta"])


def cooprogreso_payee(stack: Stack, token: str) -> dict[str, Any]:
    """María José Andrango's savings account as Gabriel's Cooprogreso beneficiary."""
    return beneficiary(
        stack,
        token,
        {
            "servicio": "COOPROGRESO",
            "nombre": f"{MARIA_JOSE.first_names} {MARIA_JOSE.last_names}",
            "tipo_identificacion": "CEDULA",
            "identificacion": MARIA_JOSE.identification,
            "cuenta": MARIA_JOSE.savings_number,
        },
    )


def slow_bank_payee(stack: Stack, token: str) -> dict[str, Any]:
    """A payee at BANCO BOLIVARIANO (no immediate credit: the next clearing cycle)."""
    return beneficiary(
        stack,
        token,
        {
            "servicio": "INTERBANCARIA",
            "nombre": "ROSA TRANSFERENCIAS PRUEBA",
            "tipo_identificacion": "CEDULA",
            "identificacion": "1712345675",
            "cuenta": "7712345678",
            "institucion": "0037",
            "tipo_cuenta": "AHORROS",
        },
    )


def movement(stack: Stack, token: str, key: str) -> dict[str, Any]:
    status, found = call(stack, token, "GET", f"/movements/{key}")
    assert status == 200, found
    return dict(found)
