"""Registro de Servicios, the biller catalogue and other banks' cards ("Otros Bancos")."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from api.schemas.beneficiaries import EmpresaOut, ServicioOut, TarjetaOtroBancoOut
from bank.models import AccountStatus, RegisteredCard
from tests import factories as f
from tests.api.conftest import login

V1 = "/api/v1"
SERVICES = f"{V1}/services/registered"
CARDS = f"{V1}/cards/other"
VISA = "4111111111111111"


@dataclass
class World:
    headers: dict[str, str]
    mine: f.Bundle
    other: f.Bundle
    other_headers: dict[str, str]


@pytest.fixture
def world(client: TestClient, build: Session) -> World:
    mine = f.make_full_member(build, username="gsilva", history=False)
    other = f.make_full_member(build, username="mlopez", first_names="MARIA", history=False)
    build.commit()
    return World(
        login(client, "gsilva", f.PASSWORD), mine, other, login(client, "mlopez", f.PASSWORD)
    )


def service(w: World, **changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "cuenta": w.mine.savings.number,
        "empresa": "EEQ",
        "suministro": "1234567",
        "alias": "Luz casa",
    }
    body.update(changes)
    return body


def card(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {"institucion": "0010", "numero": VISA, "titular": "Gabriel Silva"}
    body.update(changes)
    return body


def test_unauthenticated_is_401(client: TestClient) -> None:
    for path in (f"{V1}/services/categories", f"{V1}/services/companies", SERVICES, CARDS):
        assert client.get(path).status_code == 401
    assert client.post(CARDS, json=card()).status_code == 401


def test_catalogue(client: TestClient, world: World) -> None:
    categories = client.get(f"{V1}/services/categories", headers=world.headers).json()
    water = client.get(
        f"{V1}/services/companies", params={"categoria": "AGUA"}, headers=world.headers
    ).json()
    every = client.get(f"{V1}/services/companies", headers=world.headers).json()

    assert {"codigo": "AGUA", "nombre": "Agua Potable"} in categories
    assert [c["codigo"] for c in water] == ["EPMAPS", "INTERAGUA"]
    assert water[0]["etiqueta_referencia"] == "Número de cuenta"
    assert len(every) == 12
    for company in every:
        EmpresaOut.model_validate(company)


def test_register_list_and_delete_a_service(client: TestClient, world: World) -> None:
    created = client.post(SERVICES, json=service(world), headers=world.headers)

    assert created.status_code == 201, created.text
    body = created.json()
    ServicioOut.model_validate(body)
    assert body["empresa_nombre"] == "EMPRESA ELECTRICA QUITO"
    assert body["categoria"] == "LUZ"
    assert body["etiqueta_referencia"] == "Número de suministro"
    assert client.get(SERVICES, headers=world.headers).json() == [body]
    assert client.get(SERVICES, headers=world.other_headers).json() == []

    assert client.delete(f"{SERVICES}/{body['id']}", headers=world.headers).status_code == 204
    assert client.get(SERVICES, headers=world.headers).json() == []


def test_service_with_another_members_or_unusable_account_is_404(
    client: TestClient, world: World, build: Session
) -> None:
    blocked = f.make_account(build, world.mine.member, status=AccountStatus.BLOQUEADO)
    build.commit()
    for number in (
        world.other.savings.number,
        world.mine.certificates.number,
        blocked.number,
        "999",
    ):
        response = client.post(SERVICES, json=service(world, cuenta=number), headers=world.headers)
        assert (response.status_code, response.json()["code"]) == (404, "CUENTA_NO_ENCONTRADA")


def test_unknown_company_is_422(client: TestClient, world: World) -> None:
    response = client.post(SERVICES, json=service(world, empresa="NOPE"), headers=world.headers)

    assert (response.status_code, response.json()["code"]) == (422, "EMPRESA_INVALIDA")


def test_reference_must_match_the_company(client: TestClient, world: World) -> None:
    response = client.post(
        SERVICES,
        json=service(world, empresa="CLARO", suministro="0212345678"),
        headers=world.headers,
    )

    assert response.status_code == 422
    assert response.json() == {
        "code": "REFERENCIA_INVALIDA",
        "message": "El número de teléfono ingresado no es válido.",
        "details": None,
    }


def test_duplicate_service_is_409(client: TestClient, world: World) -> None:
    assert client.post(SERVICES, json=service(world), headers=world.headers).status_code == 201

    response = client.post(SERVICES, json=service(world, alias="otra"), headers=world.headers)

    assert (response.status_code, response.json()["code"]) == (409, "SERVICIO_DUPLICADO")


def test_another_members_service_cannot_be_deleted(client: TestClient, world: World) -> None:
    created = client.post(SERVICES, json=service(world), headers=world.headers).json()

    response = client.delete(f"{SERVICES}/{created['id']}", headers=world.other_headers)

    assert (response.status_code, response.json()["code"]) == (404, "SERVICIO_NO_ENCONTRADO")
    assert len(client.get(SERVICES, headers=world.headers).json()) == 1


def test_register_list_and_delete_a_card(
    client: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    created = client.post(CARDS, json=card(numero="4111 1111 1111 1111"), headers=world.headers)

    assert created.status_code == 201, created.text
    body = created.json()
    TarjetaOtroBancoOut.model_validate(body)
    assert body["numero"] == "**** **** **** 1111"
    assert body["marca"] == "VISA"
    assert body["institucion_nombre"] == "BANCO PICHINCHA"
    assert body["titular"] == "GABRIEL SILVA"
    listed = client.get(CARDS, headers=world.headers)
    assert listed.json() == [body]
    assert VISA not in created.text and VISA not in listed.text
    with sessions() as session:
        row = session.scalars(select(RegisteredCard)).one()
        assert VISA not in repr([getattr(row, c.key) for c in RegisteredCard.__table__.columns])
        assert row.pan_digest != VISA and len(row.pan_digest) == 64

    assert client.delete(f"{CARDS}/{body['id']}", headers=world.headers).status_code == 204
    assert client.get(CARDS, headers=world.headers).json() == []


@pytest.mark.parametrize(
    ("number", "brand"),
    [("5555555555554444", "MASTERCARD"), ("378282246310005", "AMEX"),
     ("30569309025904", "DINERS"), ("6011111111111117", "DISCOVER")],
)  # fmt: skip
def test_brand_is_derived_from_the_number(
    client: TestClient, world: World, number: str, brand: str
) -> None:
    response = client.post(CARDS, json=card(numero=number), headers=world.headers)

    assert response.json()["marca"] == brand


def test_card_number_failing_luhn_is_422(client: TestClient, world: World) -> None:
    for number in ("4111111111111112", "411111111111", "41111111111111111111"):
        response = client.post(CARDS, json=card(numero=number), headers=world.headers)
        assert response.status_code == 422
        assert response.json()["code"] in ("TARJETA_INVALIDA", "DATOS_INVALIDOS")
        assert number not in response.text
    refused = client.post(CARDS, json=card(numero="4111111111111112"), headers=world.headers)
    assert refused.json()["message"] == "El número de tarjeta no es válido."


def test_card_with_unknown_institution_is_422(client: TestClient, world: World) -> None:
    response = client.post(CARDS, json=card(institucion="COOPROGRESO"), headers=world.headers)

    assert (response.status_code, response.json()["code"]) == (422, "INSTITUCION_INVALIDA")


def test_duplicate_card_is_409_but_another_member_may_register_it(
    client: TestClient, world: World
) -> None:
    assert client.post(CARDS, json=card(), headers=world.headers).status_code == 201

    again = client.post(CARDS, json=card(titular="Otro"), headers=world.headers)
    theirs = client.post(CARDS, json=card(), headers=world.other_headers)

    assert (again.status_code, again.json()["code"]) == (409, "TARJETA_DUPLICADA")
    assert theirs.status_code == 201


def test_another_members_card_cannot_be_deleted(client: TestClient, world: World) -> None:
    created = client.post(CARDS, json=card(), headers=world.headers).json()

    response = client.delete(f"{CARDS}/{created['id']}", headers=world.other_headers)

    assert (response.status_code, response.json()["code"]) == (404, "TARJETA_NO_ENCONTRADA")
    assert len(client.get(CARDS, headers=world.headers).json()) == 1


def test_cooprogreso_cards_route_still_answers(client: TestClient, world: World) -> None:
    response = client.get(f"{V1}/cards/{world.mine.credit_card.id}", headers=world.headers)

    assert response.status_code == 200  # /cards/other does not shadow Cooprogreso cards
