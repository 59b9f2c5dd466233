"""Resumen de Productos: the consolidated position a member sees after logging in."""

from __future__ import annotations

from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from api.schemas.products import PosicionOut
from bank.models import CardKind, CardStatus
from tests import factories as f
from tests.api.conftest import login


def test_position_shows_the_four_sections_of_the_manual(client: TestClient, build: Session) -> None:
    bundle = f.make_full_member(build, username="gsilva")
    build.commit()
    headers = login(client, "gsilva", f.PASSWORD)

    response = client.get("/api/v1/position", headers=headers)

    assert response.status_code == 200
    body = response.json()
    PosicionOut.model_validate(body)
    savings, certificates = body["cuentas"]
    assert savings == {
        "numero": bundle.savings.number,
        "tipo_cuenta": "CUENTA DE AHORROS",
        "estado": "ACTIVO",
        "saldo_contable": "295.65",
        "saldo_disponible": "295.65",
    }
    assert certificates["tipo_cuenta"] == "CERTIFICADOS DE APORTACION"
    assert certificates["saldo_contable"] == "432.90"
    assert certificates["saldo_disponible"] == "0.00"
    [loan] = body["prestamos"]
    first = bundle.loan.installments[0]
    assert loan == {
        "numero": bundle.loan.number,
        "descripcion": "CONSUMO PRIORITARIO ROL DE PAGOS",
        "monto": "13750.00",
        "saldo_capital": "13750.00",
        "valor_a_pagar": f"{first.total_cents / 100:.2f}",
        "proximo_pago": "2025-02-05",
        "fecha_emision": "2024-12-18",
        "status": "Vigente",
    }
    [investment] = body["inversiones"]
    assert investment["monto"] == "10000.00"
    assert investment["tasa_interes"] == "7.90%"
    assert investment["dias"] == 365
    assert investment["fecha_vencimiento"] == "2025-12-18"
    assert (investment["interes_ganado"], investment["interes_pagado"]) == ("0.00", "0.00")
    credit, debit = body["tarjetas"]
    assert credit["tipo"] == "CREDITO"
    assert credit["utilizado_rotativo"] == "1538.14"
    assert credit["utilizado_diferido"] == "7597.38"
    assert credit["pago_minimo"] == "708.63"
    assert credit["fecha_max_pago"] == "2025-01-02"
    assert credit["cupo_disponible"] == "821.52"
    assert "XXXXXX" in credit["numero"]
    assert debit["tipo"] == "DEBITO"
    assert debit["estado"] == "Activa"
    assert debit["cuenta"] == bundle.savings.number
    assert debit["cupo_disponible"] is None


def test_position_lists_only_the_callers_products(client: TestClient, build: Session) -> None:
    f.make_full_member(build, username="gsilva")
    other = f.make_full_member(build, username="mlopez", first_names="MARIA", last_names="LOPEZ")
    build.commit()

    body = client.get("/api/v1/position", headers=login(client, "gsilva", f.PASSWORD)).json()

    numbers = {row["numero"] for section in body.values() for row in section}
    assert other.savings.number not in numbers
    assert other.loan.number not in numbers
    assert other.credit_card.masked_number not in numbers


def test_a_member_without_products_gets_empty_sections(client: TestClient, build: Session) -> None:
    member = f.make_member(build)
    f.make_user(build, member, username="nuevo")
    build.commit()

    body = client.get("/api/v1/position", headers=login(client, "nuevo", f.PASSWORD)).json()

    assert body == {"cuentas": [], "prestamos": [], "inversiones": [], "tarjetas": []}


def test_loan_status_and_next_payment_follow_the_schedule(
    client: TestClient, build: Session, set_today
) -> None:
    member = f.make_member(build)
    f.make_user(build, member, username="gsilva")
    savings = f.make_account(build, member)
    loan = f.make_loan(build, member, savings, paid=2, first_due=date(2024, 10, 5))
    f.make_card(build, member, CardKind.DEBIT, account=savings, status=CardStatus.BLOQUEADA)
    build.commit()
    headers = login(client, "gsilva", f.PASSWORD)
    third = loan.installments[2]

    set_today(date(2024, 12, 1))
    [row] = client.get("/api/v1/position", headers=headers).json()["prestamos"]
    assert row["proximo_pago"] == "2024-12-05"
    assert row["valor_a_pagar"] == f"{third.total_cents / 100:.2f}"
    assert row["status"] == "Vigente"
    assert row["saldo_capital"] == f"{loan.principal_balance_cents / 100:.2f}"

    set_today(date(2024, 12, 6))
    body = client.get("/api/v1/position", headers=headers).json()
    assert body["prestamos"][0]["status"] == "Vencido"
    assert body["tarjetas"][0]["estado"] == "Bloqueada"
