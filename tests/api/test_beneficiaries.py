"""Administración de Beneficiarios: search, create, edit and delete, each member's own only."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from api.schemas.beneficiaries import BeneficiarioOut
from bank.models import AccountStatus, Beneficiary, BeneficiaryService
from bank.payments.beneficiaries import BeneficiaryData, save_beneficiary
from tests import factories as f
from tests.api.conftest import login

URL = "/api/v1/beneficiaries"


@dataclass
class World:
    headers: dict[str, str]
    mine: f.Bundle
    other: f.Bundle
    other_headers: dict[str, str]


@pytest.fixture
def world(client: TestClient, build: Session) -> World:
    mine = f.make_full_member(build, username="gsilva", history=False)
    other = f.make_full_member(
        build, username="mlopez", first_names="MARÍA", last_names="LÓPEZ", history=False
    )
    build.commit()
    return World(
        login(client, "gsilva", f.PASSWORD), mine, other, login(client, "mlopez", f.PASSWORD)
    )


def interbank(**changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "servicio": "INTERBANCARIA",
        "nombre": "Andrés Ibarra",
        "tipo_identificacion": "CEDULA",
        "identificacion": "1759219700",
        "cuenta": "2200123456",
        "institucion": "0010",
        "tipo_cuenta": "CORRIENTE",
        "email": "andres@example.com",
    }
    body.update(changes)
    return body


def coop(w: World, **changes: object) -> dict[str, object]:
    body: dict[str, object] = {
        "servicio": "COOPROGRESO",
        "nombre": "María López",
        "tipo_identificacion": "CEDULA",
        "identificacion": w.other.member.identification,
        "cuenta": w.other.savings.number,
    }
    body.update(changes)
    return body


def create(client: TestClient, w: World, body: dict[str, object]) -> dict[str, object]:
    response = client.post(URL, json=body, headers=w.headers)
    assert response.status_code == 201, response.text
    created: dict[str, object] = response.json()
    return created


def test_unauthenticated_is_401(client: TestClient) -> None:
    assert client.get(URL).status_code == 401
    assert client.post(URL, json={}).status_code == 401
    assert client.delete(f"{URL}/1").status_code == 401


def test_create_an_interbank_beneficiary(client: TestClient, world: World) -> None:
    body = create(client, world, interbank())

    BeneficiarioOut.model_validate(body)
    assert body["institucion_nombre"] == "BANCO PICHINCHA"
    assert body["tipo_cuenta"] == "CORRIENTE"
    assert body["nombre"] == "Andrés Ibarra"
    assert client.get(f"{URL}/{body['id']}", headers=world.headers).json() == body


def test_create_a_cooprogreso_beneficiary(client: TestClient, world: World) -> None:
    body = create(client, world, coop(world))

    assert body["institucion"] == "COOPROGRESO"
    assert body["institucion_nombre"] == "COOPROGRESO"
    assert body["tipo_cuenta"] == "AHORROS"
    assert body["email"] is None


def test_invalid_cedula_is_422_in_spanish(client: TestClient, world: World) -> None:
    response = client.post(URL, json=interbank(identificacion="1759219701"), headers=world.headers)

    assert response.status_code == 422
    assert response.json()["code"] == "IDENTIFICACION_INVALIDA"
    assert response.json()["message"] == "La cédula ingresada no es válida."


def test_interbank_needs_a_known_institution(client: TestClient, world: World) -> None:
    missing = client.post(URL, json=interbank(institucion=None), headers=world.headers)
    unknown = client.post(URL, json=interbank(institucion="9999"), headers=world.headers)

    assert (missing.status_code, missing.json()["code"]) == (422, "INSTITUCION_REQUERIDA")
    assert (unknown.status_code, unknown.json()["code"]) == (422, "INSTITUCION_INVALIDA")


def test_cooprogreso_takes_no_institution(client: TestClient, world: World) -> None:
    response = client.post(URL, json=coop(world, institucion="0010"), headers=world.headers)

    assert (response.status_code, response.json()["code"]) == (422, "INSTITUCION_INVALIDA")


def test_cooprogreso_account_must_be_another_members_active_savings(
    client: TestClient, world: World, build: Session
) -> None:
    blocked = f.make_account(build, world.other.member, status=AccountStatus.BLOQUEADO)
    build.commit()
    cases = {
        "999999999999": "CUENTA_BENEFICIARIO_NO_ENCONTRADA",
        world.other.certificates.number: "CUENTA_BENEFICIARIO_NO_ENCONTRADA",
        blocked.number: "CUENTA_BENEFICIARIO_NO_ENCONTRADA",
        world.mine.savings.number: "CUENTA_PROPIA",
    }
    for number, code in cases.items():
        response = client.post(URL, json=coop(world, cuenta=number), headers=world.headers)
        assert (response.status_code, response.json()["code"]) == (422, code), number


def test_duplicate_is_409(client: TestClient, world: World) -> None:
    create(client, world, interbank())

    response = client.post(URL, json=interbank(nombre="Otro nombre"), headers=world.headers)

    assert response.status_code == 409
    assert response.json()["code"] == "BENEFICIARIO_DUPLICADO"


def test_bad_shapes_are_422_datos_invalidos(client: TestClient, world: World) -> None:
    for body in (
        interbank(nombre=""),
        interbank(nombre="x" * 81),
        interbank(cuenta="12-34"),
        interbank(tipo_identificacion="DNI"),
        interbank(email="no-es-correo"),
        interbank(servicio="TODOS"),
    ):
        response = client.post(URL, json=body, headers=world.headers)
        assert (response.status_code, response.json()["code"]) == (422, "DATOS_INVALIDOS")


def test_search_filters_by_service_name_and_identification(
    client: TestClient, world: World
) -> None:
    create(client, world, interbank())
    create(client, world, coop(world))
    create(
        client,
        world,
        interbank(nombre="Juan Pérez", identificacion="1790011674001", tipo_identificacion="RUC",
                  cuenta="777", institucion="0017"),
    )  # fmt: skip

    def names(**params: str) -> list[str]:
        response = client.get(URL, params=params, headers=world.headers)
        assert response.status_code == 200
        return [b["nombre"] for b in response.json()]

    assert names() == ["Andrés Ibarra", "Juan Pérez", "María López"]
    assert names(servicio="COOPROGRESO") == ["María López"]
    assert names(servicio="INTERBANCARIA") == ["Andrés Ibarra", "Juan Pérez"]
    assert names(nombre="andres") == ["Andrés Ibarra"]
    assert names(nombre="LÓPEZ") == ["María López"]
    assert names(identificacion="1790") == ["Juan Pérez"]
    assert names(identificacion="1759219700") == ["Andrés Ibarra"]
    assert names(servicio="INTERBANCARIA", nombre="maria") == []


def test_search_shows_only_the_members_own(client: TestClient, world: World) -> None:
    create(client, world, interbank())

    response = client.get(URL, headers=world.other_headers)

    assert response.json() == []


def test_edit(client: TestClient, world: World) -> None:
    created = create(client, world, interbank())

    response = client.put(
        f"{URL}/{created['id']}",
        json=interbank(nombre="Andrés I. Ibarra", institucion="0030", tipo_cuenta="AHORROS"),
        headers=world.headers,
    )

    assert response.status_code == 200
    assert response.json()["nombre"] == "Andrés I. Ibarra"
    assert response.json()["institucion_nombre"] == "BANCO DEL PACIFICO"
    assert client.get(f"{URL}/{created['id']}", headers=world.headers).json() == response.json()


def test_edit_onto_another_beneficiarys_account_is_409(client: TestClient, world: World) -> None:
    create(client, world, interbank())
    second = create(client, world, interbank(cuenta="555"))

    response = client.put(f"{URL}/{second['id']}", json=interbank(), headers=world.headers)

    assert response.status_code == 409


def test_delete_one(client: TestClient, world: World) -> None:
    created = create(client, world, interbank())

    response = client.delete(f"{URL}/{created['id']}", headers=world.headers)

    assert response.status_code == 200
    assert response.json() == {"eliminados": 1}
    assert client.get(f"{URL}/{created['id']}", headers=world.headers).status_code == 404


def test_delete_several(client: TestClient, world: World) -> None:
    ids = [create(client, world, interbank(cuenta=str(n)))["id"] for n in (1, 2, 3)]

    response = client.post(f"{URL}/delete", json={"ids": ids[:2]}, headers=world.headers)

    assert response.json() == {"eliminados": 2}
    assert [b["id"] for b in client.get(URL, headers=world.headers).json()] == ids[2:]


def test_another_members_beneficiary_is_404_and_untouched(
    client: TestClient, world: World, sessions: sessionmaker[Session]
) -> None:
    theirs = create(client, world, interbank())["id"]
    mine = client.post(URL, json=interbank(), headers=world.other_headers).json()["id"]
    them = world.other_headers

    for response in (
        client.get(f"{URL}/{theirs}", headers=them),
        client.put(f"{URL}/{theirs}", json=interbank(cuenta="9"), headers=them),
        client.delete(f"{URL}/{theirs}", headers=them),
        client.post(f"{URL}/delete", json={"ids": [mine, theirs]}, headers=them),
        client.get(f"{URL}/424242", headers=them),
    ):
        assert response.status_code == 404
        assert response.json()["code"] == "BENEFICIARIO_NO_ENCONTRADO"
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Beneficiary)) == 2
        assert session.get(Beneficiary, theirs).account_number == "2200123456"  # type: ignore[union-attr]


def test_save_beneficiary_is_idempotent(world: World, sessions: sessionmaker[Session]) -> None:
    data = BeneficiaryData(
        service=BeneficiaryService.INTERBANCARIA,
        name="  Andrés   Ibarra ",
        identification_type="CEDULA",
        identification="1759219700",
        account_number="2200123456",
        institution_code="0010",
    )
    with sessions() as session:
        first = save_beneficiary(session, world.mine.member.id, data)
        session.commit()
        again = save_beneficiary(session, world.mine.member.id, data)
        session.commit()
        assert again.id == first.id
        assert first.name == "Andrés Ibarra"
        assert session.scalar(select(func.count()).select_from(Beneficiary)) == 1


def test_hostile_input_is_422_not_500(client: TestClient, world: World) -> None:
    search = client.get(URL, params={"identificacion": "17\x00"}, headers=world.headers)
    huge = client.post(f"{URL}/delete", json={"ids": [2**64]}, headers=world.headers)
    nul = client.post(URL, json=interbank(nombre="Ana\x00"), headers=world.headers)

    assert [r.status_code for r in (search, huge, nul)] == [422, 422, 422]
