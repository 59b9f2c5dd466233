"""Solicita tus productos: members' own requests, officers attend them; contact and FAQ."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bank.models import AuditEvent, ProductRequest, ProductRequestStatus, Role
from bank.service_desk import product_requests as domain
from tests import factories as f
from tests.api.conftest import login

URL = "/api/v1/product-requests"
OFFICER_URL = "/api/v1/officer/product-requests"


def people(build: Session) -> None:
    ana = f.make_member(build, first_names="ANA", last_names="PAREDES")
    f.make_user(build, ana, username="ana")
    beto = f.make_member(build, first_names="BETO", last_names="MORA")
    beto.email = None
    f.make_user(build, beto, username="beto")
    f.make_user(build, None, username="oficial", role=Role.OFFICER)
    build.commit()


def count(sessions: sessionmaker[Session]) -> int:
    with sessions() as session:
        return session.scalar(select(func.count()).select_from(ProductRequest)) or 0


def test_member_requests_a_product_and_sees_only_their_own(
    client: TestClient, build: Session
) -> None:
    people(build)
    ana, beto = login(client, "ana", f.PASSWORD), login(client, "beto", f.PASSWORD)

    types = client.get(f"{URL}/types", headers=ana)
    created = client.post(
        URL,
        json={
            "tipo_producto": "CREDITO_VIVIENDA",
            "canal_contacto": "WHATSAPP",
            "monto": "45000.50",
            "comentario": "  Para construir mi casa en Conocoto  ",
        },
        headers=ana,
    )
    card = client.post(
        URL, json={"tipo_producto": "TARJETA_DEBITO", "canal_contacto": "LLAMADA"}, headers=ana
    )
    own = client.get(URL, headers=ana)
    others = client.get(URL, headers=beto)

    assert types.status_code == 200, types.text
    body = types.json()
    assert {t["codigo"] for t in body["tipos"]} >= {"CREDITO_CONSUMO", "TARJETA_CREDITO"}
    labels = {t["codigo"]: t for t in body["tipos"]}
    assert labels["CREDITO_VIVIENDA"]["nombre"] == "Crédito de vivienda"
    assert labels["CUENTA_AHORROS"]["etiqueta_monto"] is None
    assert [c["codigo"] for c in body["canales"]] == ["LLAMADA", "WHATSAPP", "CORREO", "AGENCIA"]
    assert body["contacto"]["celular"].startswith("09") and "*" in body["contacto"]["celular"]
    assert body["contacto"]["correo"].endswith("@example.com")
    assert body["maximo_abiertas_por_tipo"] == 1
    assert created.status_code == 201, created.text
    request = created.json()
    assert request["producto"] == "Crédito de vivienda"
    assert request["monto"] == "45000.50"
    assert request["comentario"] == "Para construir mi casa en Conocoto"
    assert (request["canal"], request["estado"], request["estado_texto"]) == (
        "WhatsApp",
        "NUEVA",
        "Recibida",
    )
    assert card.status_code == 201 and card.json()["monto"] is None
    assert [r["tipo_producto"] for r in own.json()["solicitudes"]] == [
        "TARJETA_DEBITO",
        "CREDITO_VIVIENDA",
    ]
    assert others.json() == {"solicitudes": []}


def test_one_open_request_per_product_type(
    client: TestClient, build: Session, sessions: sessionmaker[Session]
) -> None:
    people(build)
    ana, officer = login(client, "ana", f.PASSWORD), login(client, "oficial", f.PASSWORD)
    body = {"tipo_producto": "CREDITO_CONSUMO", "canal_contacto": "CORREO", "monto": 1500}

    first = client.post(URL, json=body, headers=ana)
    second = client.post(URL, json=body, headers=ana)
    other_type = client.post(URL, json={**body, "tipo_producto": "MICROCREDITO"}, headers=ana)
    attended = client.post(f"{OFFICER_URL}/{first.json()['id']}/attend", headers=officer)
    after = client.post(URL, json=body, headers=ana)

    assert first.status_code == 201 and first.json()["monto"] == "1500.00"
    assert second.status_code == 409, second.text
    assert second.json()["code"] == "SOLICITUD_EN_CURSO"
    assert "Crédito de consumo" in second.json()["message"]
    assert other_type.status_code == 201
    assert attended.status_code == 200
    assert after.status_code == 201
    assert count(sessions) == 3


def test_bad_input_is_a_spanish_4xx_and_writes_nothing(
    client: TestClient, build: Session, sessions: sessionmaker[Session]
) -> None:
    people(build)
    ana, beto = login(client, "ana", f.PASSWORD), login(client, "beto", f.PASSWORD)
    good = {"tipo_producto": "CREDITO_CONSUMO", "canal_contacto": "LLAMADA"}

    answers = {
        "unknown type": client.post(URL, json={**good, "tipo_producto": "YATE"}, headers=ana),
        "no channel": client.post(URL, json={"tipo_producto": "MICROCREDITO"}, headers=ana),
        "negative": client.post(URL, json={**good, "monto": "-5"}, headers=ana),
        "three decimals": client.post(URL, json={**good, "monto": "10.555"}, headers=ana),
        "amount for an account": client.post(
            URL,
            json={"tipo_producto": "CUENTA_AHORROS", "canal_contacto": "LLAMADA", "monto": 50},
            headers=ana,
        ),
        "long comment": client.post(URL, json={**good, "comentario": "x" * 501}, headers=ana),
        "control chars": client.post(URL, json={**good, "comentario": "hola\x00"}, headers=ana),
        "extra field": client.post(URL, json={**good, "socio": 2}, headers=ana),
        "no email registered": client.post(
            URL, json={**good, "canal_contacto": "CORREO"}, headers=beto
        ),
        "not json": client.post(
            URL, content=b"{", headers={**ana, "content-type": "application/json"}
        ),
    }

    statuses = {name: r.status_code for name, r in answers.items()}
    assert statuses == {**dict.fromkeys(answers, 422), "not json": 400}
    codes = {name: r.json()["code"] for name, r in answers.items()}
    assert codes["amount for an account"] == "MONTO_NO_APLICA"
    assert codes["no email registered"] == "CONTACTO_NO_REGISTRADO"
    assert codes["unknown type"] == "DATOS_INVALIDOS"
    assert answers["negative"].json()["details"][0]["message"] == (
        "El monto debe ser mayor que cero."
    )
    assert answers["long comment"].json()["details"][0]["message"] == (
        "Debe tener como máximo 500 caracteres."
    )
    assert "correo electrónico" in answers["no email registered"].json()["message"]
    assert count(sessions) == 0


def test_officer_lists_filters_and_attends_audited(
    client: TestClient, build: Session, sessions: sessionmaker[Session]
) -> None:
    people(build)
    ana, officer = login(client, "ana", f.PASSWORD), login(client, "oficial", f.PASSWORD)
    sent = [
        client.post(URL, json={"tipo_producto": t, "canal_contacto": "AGENCIA"}, headers=ana)
        for t in ("CUENTA_AHORROS", "TARJETA_CREDITO")
    ]
    first_id, second_id = (r.json()["id"] for r in sent)

    everything = client.get(OFFICER_URL, headers=officer)
    cards = client.get(OFFICER_URL, params={"tipo": "TARJETA_CREDITO"}, headers=officer)
    attended = client.post(
        f"{OFFICER_URL}/{second_id}/attend", json={"nota": "Llamé a la socia"}, headers=officer
    )
    again = client.post(f"{OFFICER_URL}/{second_id}/attend", headers=officer)
    missing = client.post(f"{OFFICER_URL}/999999/attend", headers=officer)
    still_open = client.get(OFFICER_URL, params={"status": "NUEVA"}, headers=officer)
    done = client.get(OFFICER_URL, params={"status": "ATENDIDA"}, headers=officer)
    seen_by_member = client.get(URL, headers=ana).json()["solicitudes"]

    assert everything.status_code == 200, everything.text
    [row, _] = everything.json()["solicitudes"]
    assert row["socio"]["nombre"] == "ANA PAREDES"
    assert row["socio"]["celular"] and "*" not in row["socio"]["celular"]
    assert [r["id"] for r in cards.json()["solicitudes"]] == [second_id]
    assert attended.status_code == 200, attended.text
    assert attended.json()["estado"] == "ATENDIDA" and attended.json()["atendida_por"] == "oficial"
    assert attended.json()["atendida_en"] is not None
    assert again.status_code == 409 and again.json()["code"] == "SOLICITUD_YA_ATENDIDA"
    assert missing.status_code == 404 and missing.json()["code"] == "SOLICITUD_NO_ENCONTRADA"
    assert [r["id"] for r in still_open.json()["solicitudes"]] == [first_id]
    assert [r["id"] for r in done.json()["solicitudes"]] == [second_id]
    assert {r["id"]: r["estado_texto"] for r in seen_by_member} == {
        first_id: "Recibida",
        second_id: "Atendida",
    }
    with sessions() as session:
        audits = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "solicitud.atender")
            .order_by(AuditEvent.id)
        ).all()
        reads = session.scalars(
            select(AuditEvent)
            .where(AuditEvent.action == "DATOS_PERSONALES_CONSULTADOS")
            .order_by(AuditEvent.id)
        ).all()
        stored = session.get(ProductRequest, second_id)
        assert stored is not None and stored.status is ProductRequestStatus.ATENDIDA
    # Each officer list of names and contacts is in the access log (docs/privacy.md).
    assert [(r.actor, r.subject, r.details["solicitudes"]) for r in reads] == [
        ("oficial", "product-requests", 2),
        ("oficial", "product-requests", 1),
        ("oficial", "product-requests", 1),
        ("oficial", "product-requests", 1),
    ]
    assert reads[1].details["filtros"] == {"estado": None, "tipo": "TARJETA_CREDITO"}
    assert [(a.actor, a.subject, a.details["resultado"]) for a in audits] == [
        ("oficial", f"product-request-{second_id}", "OK"),
        ("oficial", f"product-request-{second_id}", "SOLICITUD_YA_ATENDIDA"),
        ("oficial", "product-request-999999", "SOLICITUD_NO_ENCONTRADA"),
    ]
    assert audits[0].details["nota"] == "Llamé a la socia"


def test_roles_are_kept_apart(client: TestClient, build: Session) -> None:
    people(build)
    ana, officer = login(client, "ana", f.PASSWORD), login(client, "oficial", f.PASSWORD)
    created = client.post(
        URL, json={"tipo_producto": "CUENTA_AHORROS", "canal_contacto": "LLAMADA"}, headers=ana
    )

    answers = [
        client.get(OFFICER_URL, headers=ana),
        client.post(f"{OFFICER_URL}/{created.json()['id']}/attend", headers=ana),
        client.get(URL, headers=officer),
        client.post(
            URL,
            json={"tipo_producto": "CUENTA_AHORROS", "canal_contacto": "LLAMADA"},
            headers=officer,
        ),
    ]
    officer_types = client.get(f"{URL}/types", headers=officer)
    anonymous = [client.get(URL), client.get(OFFICER_URL), client.get(f"{URL}/types")]
    bad_filter = client.get(OFFICER_URL, params={"status": "CERRADA"}, headers=officer)

    assert [r.status_code for r in answers] == [403] * 4
    assert officer_types.status_code == 200  # the officer's filters list the same types
    assert officer_types.json()["contacto"] == {"celular": None, "correo": None}
    assert {r.json()["code"] for r in answers} == {"ACCESO_DENEGADO"}
    assert [r.status_code for r in anonymous] == [401] * 3
    assert bad_filter.status_code == 422


def test_contact_and_faq_are_public_spanish_content(client: TestClient) -> None:
    contact = client.get("/api/v1/contact")
    faq = client.get("/api/v1/help/faq")

    assert contact.status_code == 200
    body = contact.json()
    assert [c["nombre"] for c in body["canales"]] == [
        "Call Center",
        "WhatsApp",
        "Correo electrónico",
    ]
    assert all(a["direccion"] and a["horario"] for a in body["agencias"])
    assert {s["nombre"] for s in body["redes_sociales"]} >= {"Facebook", "Instagram"}
    assert "contraseña" in body["aviso_seguridad"]
    assert faq.status_code == 200
    questions = {q["id"]: q for t in faq.json()["temas"] for q in t["preguntas"]}
    assert {"prerrequisitos", "navegadores", "registro", "otp", "firma", "requisitos"} <= set(
        questions
    )
    assert "Google Chrome" in " ".join(questions["navegadores"]["respuesta"])
    assert "19H00" in " ".join(questions["firma"]["respuesta"])  # the settings' cut-off
    assert "5 minutos" in " ".join(questions["sesion"]["respuesta"])


def test_the_database_holds_the_one_open_request_rule_under_a_race(
    client: TestClient,
    build: Session,
    sessions: sessionmaker[Session],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Two requests sent at once both pass the count; the partial unique index refuses one."""
    people(build)
    ana = login(client, "ana", f.PASSWORD)
    body = {"tipo_producto": "MICROCREDITO", "canal_contacto": "LLAMADA"}
    assert client.post(URL, json=body, headers=ana).status_code == 201
    monkeypatch.setattr(domain, "MAX_OPEN_PER_PRODUCT", 2)  # the check no longer stops it

    raced = client.post(URL, json=body, headers=ana)

    assert raced.status_code == 409 and raced.json()["code"] == "SOLICITUD_EN_CURSO"
    assert count(sessions) == 1
