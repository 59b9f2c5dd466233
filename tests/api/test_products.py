"""Account detail, movements, "Compartir", loans with their table and PDF, investments, cards."""

from __future__ import annotations

import io
from datetime import date

import pytest
from fastapi.testclient import TestClient
from pypdf import PdfReader
from sqlalchemy.orm import Session

from api.schemas.products import (
    CompartirOut,
    CuentaDetalleOut,
    InversionesOut,
    MovimientosOut,
    PrestamoDetalleOut,
    TarjetaOut,
    TarjetasOut,
)
from tests import factories as f
from tests.api.conftest import login

V1 = "/api/v1"


@pytest.fixture
def two_members(client: TestClient, build: Session) -> tuple[f.Bundle, f.Bundle, dict[str, str]]:
    """Gabriel (logged in) and María, each with every product."""
    mine = f.make_full_member(build, username="gsilva")
    other = f.make_full_member(build, username="mlopez", first_names="MARIA", last_names="LOPEZ")
    build.commit()
    return mine, other, login(client, "gsilva", f.PASSWORD)


def test_account_detail_shows_the_last_ten_movements_newest_first(
    client: TestClient, build: Session
) -> None:
    member = f.make_member(build)
    f.make_user(build, member, username="gsilva")
    savings = f.make_account(build, member, number="410112060750")
    f.deposit(build, savings, 2000, on=date(2024, 11, 1))
    for day in range(2, 14):
        f.withdraw(build, savings, 100, on=date(2024, 11, day))
    f.make_card(build, member, f.CardKind.DEBIT, account=savings, masked_number="550975XXXXXX7023")
    build.commit()

    response = client.get(
        f"{V1}/accounts/410112060750", headers=login(client, "gsilva", f.PASSWORD)
    )

    assert response.status_code == 200
    body = response.json()
    CuentaDetalleOut.model_validate(body)
    assert body["titulo"] == "410112060750 - CUENTA DE AHORROS - USD - COOPROGRESO"
    assert body["saldo_contable"] == "8.00"
    movements = body["ultimos_movimientos"]
    assert len(movements) == 10
    assert movements[0] == {
        "fecha": "2024-11-13",
        "descripcion": "0 - RETIRO DE AHORROS",
        "tipo": "Débito",
        "monto": "-1.00",
        "saldo": "8.00",
    }
    assert [m["saldo"] for m in movements[:3]] == ["8.00", "9.00", "10.00"]
    assert body["tarjetas_debito"] == [
        {"id": body["tarjetas_debito"][0]["id"], "marca": "MC Débito",
         "numero": "550975XXXXXX7023", "estado": "Activa"}
    ]  # fmt: skip


def test_a_credit_movement_reads_like_the_manual(client: TestClient, build: Session) -> None:
    member = f.make_member(build)
    f.make_user(build, member, username="gsilva")
    savings = f.make_account(build, member)
    f.move(
        build,
        savings,
        500,
        code=22047,
        description="NC TRANSFERENCIA PAGO DIRECTO",
        value_date=date(2024, 12, 18),
    )
    build.commit()

    body = client.get(
        f"{V1}/accounts/{savings.number}", headers=login(client, "gsilva", f.PASSWORD)
    ).json()

    assert body["ultimos_movimientos"] == [
        {"fecha": "2024-12-18", "descripcion": "22047 - NC TRANSFERENCIA PAGO DIRECTO",
         "tipo": "Crédito", "monto": "5.00", "saldo": "5.00"}
    ]  # fmt: skip


def test_share_gives_holder_type_number_and_institution(
    client: TestClient, two_members: tuple[f.Bundle, f.Bundle, dict[str, str]]
) -> None:
    mine, _, headers = two_members

    body = client.get(f"{V1}/accounts/{mine.savings.number}/share", headers=headers).json()

    CompartirOut.model_validate(body)
    assert body["titular"] == "GABRIEL SILVA"
    assert body["tipo_cuenta"] == "CUENTA DE AHORROS"
    assert body["numero"] == mine.savings.number
    assert body["institucion"] == "Cooprogreso Cooperativa de Ahorro y Crédito"
    identification = mine.member.identification
    assert body["identificacion"] == "XXXXXX" + identification[-4:]
    assert identification not in body["texto"]


@pytest.mark.parametrize(
    "path",
    [
        "/accounts/{savings}",
        "/accounts/{savings}/share",
        "/accounts/{savings}/movements",
        "/accounts/{certificates}",
        "/loans/{loan}",
        "/loans/{loan}/amortization.pdf",
        "/cards/{credit}",
        "/cards/{debit}",
    ],
)
def test_another_members_product_is_not_found(
    client: TestClient, two_members: tuple[f.Bundle, f.Bundle, dict[str, str]], path: str
) -> None:
    _, other, headers = two_members
    url = V1 + path.format(
        savings=other.savings.number,
        certificates=other.certificates.number,
        loan=other.loan.number,
        credit=other.credit_card.id,
        debit=other.debit_card.id,
    )

    response = client.get(url, headers=headers)

    assert response.status_code == 404
    assert response.json() == {
        "code": "PRODUCTO_NO_ENCONTRADO",
        "message": "No encontramos el producto solicitado.",
        "details": None,
    }
    unknown = client.get(V1 + "/accounts/999999999999", headers=headers)
    assert unknown.json() == response.json()


def test_products_need_a_session(client: TestClient, build: Session) -> None:
    bundle = f.make_full_member(build, username="gsilva")
    build.commit()
    for path in ("/position", f"/accounts/{bundle.savings.number}", "/cards", "/investments"):
        assert client.get(V1 + path).status_code == 401


def _savings_with_history(build: Session) -> str:
    member = f.make_member(build)
    f.make_user(build, member, username="gsilva")
    savings = f.make_account(build, member)
    f.deposit(build, savings, 100_000, on=date(2023, 6, 1))  # older than 12 months
    for month in range(1, 13):
        f.withdraw(build, savings, 1000, on=date(2024, month, 15))
    f.withdraw(build, savings, 1000, on=date(2025, 1, 10))
    build.commit()
    return savings.number


def test_movements_default_to_the_last_twelve_months(client: TestClient, build: Session) -> None:
    number = _savings_with_history(build)
    headers = login(client, "gsilva", f.PASSWORD)

    body = client.get(f"{V1}/accounts/{number}/movements", headers=headers).json()

    MovimientosOut.model_validate(body)
    assert (body["desde"], body["hasta"]) == ("2024-01-20", "2025-01-20")
    assert body["total"] == 12  # 2024-02-15 … 2025-01-10
    assert body["movimientos"][0]["fecha"] == "2025-01-10"
    assert body["movimientos"][-1]["fecha"] == "2024-02-15"


def test_movements_filter_and_paginate(client: TestClient, build: Session) -> None:
    number = _savings_with_history(build)
    headers = login(client, "gsilva", f.PASSWORD)
    url = f"{V1}/accounts/{number}/movements"

    first = client.get(url, headers=headers, params={"desde": "2024-03-01", "page_size": 5}).json()
    third = client.get(
        url, headers=headers, params={"desde": "2024-03-01", "page_size": 5, "page": 3}
    ).json()
    october = client.get(
        url, headers=headers, params={"desde": "2024-10-01", "hasta": "2024-10-31"}
    ).json()

    assert first["total"] == third["total"] == 11
    assert len(first["movimientos"]) == 5
    assert [m["fecha"] for m in third["movimientos"]] == ["2024-03-15"]
    assert [m["fecha"] for m in october["movimientos"]] == ["2024-10-15"]


@pytest.mark.parametrize(
    ("params", "code"),
    [
        ({"desde": "2023-12-01"}, "RANGO_FECHAS_INVALIDO"),
        ({"desde": "2024-06-01", "hasta": "2024-05-01"}, "RANGO_FECHAS_INVALIDO"),
        ({"desde": "ayer"}, "DATOS_INVALIDOS"),
        ({"page_size": 101}, "DATOS_INVALIDOS"),
        ({"page": 0}, "DATOS_INVALIDOS"),
    ],
)
def test_bad_movement_queries_are_refused(
    client: TestClient, build: Session, params: dict[str, object], code: str
) -> None:
    number = _savings_with_history(build)

    response = client.get(
        f"{V1}/accounts/{number}/movements",
        headers=login(client, "gsilva", f.PASSWORD),
        params=params,
    )

    assert response.status_code == 422
    assert response.json()["code"] == code
    if code == "RANGO_FECHAS_INVALIDO" and "hasta" not in params:
        assert response.json()["message"] == (
            "Solo puedes consultar movimientos de los últimos 12 meses."
        )


def test_loan_detail_derives_each_installments_status(
    client: TestClient, build: Session, set_today
) -> None:
    member = f.make_member(build)
    f.make_user(build, member, username="gsilva")
    savings = f.make_account(build, member)
    loan = f.make_loan(build, member, savings, first_due=date(2024, 9, 5), term_months=6, paid=1)
    build.commit()
    set_today(date(2024, 11, 5))  # 2nd (Oct 5) is late, 3rd is due today

    body = client.get(f"{V1}/loans/{loan.number}", headers=login(client, "gsilva", f.PASSWORD))

    body = body.json()
    PrestamoDetalleOut.model_validate(body)
    statuses = [row["estado"] for row in body["tabla_amortizacion"]]
    assert statuses == ["Pagada", "Vencida", "Vigente", "Por Venir", "Por Venir", "Por Venir"]
    assert body["status"] == "Vencido"
    assert body["proximo_pago"] == "2024-10-05"
    assert body["tasa_interes"] == "15.83%"
    first = body["tabla_amortizacion"][0]
    inst = loan.installments[0]
    assert first["cuota"] == f"{inst.total_cents / 100:.2f}"
    assert first["seguro"] == "19.32"
    assert body["totales"]["capital"] == "13750.00"
    assert body["cuenta"] == savings.number


def test_amortization_pdf_is_a_real_pdf_with_the_table(
    client: TestClient, two_members: tuple[f.Bundle, f.Bundle, dict[str, str]]
) -> None:
    mine, _, headers = two_members

    response = client.get(f"{V1}/loans/{mine.loan.number}/amortization.pdf", headers=headers)

    assert response.status_code == 200
    assert response.headers["content-type"] == "application/pdf"
    assert response.headers["content-disposition"] == (
        f'attachment; filename="tabla-amortizacion-{mine.loan.number}.pdf"'
    )
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert "Tabla de Amortización" in text
    assert "GABRIEL SILVA" in text
    assert mine.loan.number in text
    assert "$13,750.00" in text
    assert "Vigente" in text and "Por Venir" in text
    assert "Totales" in text


def test_investments_and_cards(
    client: TestClient, two_members: tuple[f.Bundle, f.Bundle, dict[str, str]]
) -> None:
    mine, _, headers = two_members

    investments = client.get(f"{V1}/investments", headers=headers).json()
    cards = client.get(f"{V1}/cards", headers=headers).json()
    card = client.get(f"{V1}/cards/{mine.credit_card.id}", headers=headers).json()

    InversionesOut.model_validate(investments)
    TarjetasOut.model_validate(cards)
    TarjetaOut.model_validate(card)
    assert [i["numero"] for i in investments["inversiones"]] == [mine.investment.number]
    assert [c["id"] for c in cards["tarjetas"]] == [mine.credit_card.id, mine.debit_card.id]
    assert card["cupo_total"] == "9957.04"
    assert card["cupo_disponible"] == "821.52"
