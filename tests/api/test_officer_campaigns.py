"""Officers load campaigns and watch journeys; members see their own offers (dev server).

Listing runs Temporal visibility queries over the journey's search attributes, which the
time-skipping server does not implement: these tests use the dev server in memory.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.testing import WorkflowEnvironment

from bank.core.settings import ApiSettings
from bank.models import AuditEvent
from tests.api.credit_support import (
    CAMPAIGN,
    OFFICER,
    Api,
    offer_row,
    people,
    running_api,
)

CAMPAIGNS = "/api/v1/officer/campaigns"
JOURNEYS = "/api/v1/officer/journeys"


@pytest.fixture
async def api(
    api_settings: ApiSettings, dev_env: WorkflowEnvironment, tmp_path: Path, db: Engine
) -> AsyncIterator[Api]:
    """On the dev server, not conftest's time-skipping one: the lists need visibility queries."""
    async with running_api(api_settings, dev_env, tmp_path) as api:
        yield api


def csv_file(*rows: str) -> dict[str, tuple[str, bytes, str]]:
    header = (
        "campaign_id,identificacion,monto_maximo,monto_minimo,plazos,tasa,vigencia_hasta,metodo"
    )
    text = "\n".join((header, *rows)) + "\n"
    return {"archivo": ("campana.csv", text.encode(), "text/csv")}


def row(identification: str, campaign: str, *, tasa: str = "15.83") -> str:
    return f"{campaign},{identification},10000.00,500.00,12;24;36,{tasa},2099-12-31,FRANCES"


async def journeys_of(api: Api, headers: dict[str, str], campaign: str) -> list[dict]:
    response = await api.http.get(JOURNEYS, params={"campaign": campaign}, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()["jornadas"]


async def test_csv_import_starts_one_journey_per_offer_and_again_is_a_no_op(
    api: Api, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        members = people(session, "ana", "beto")
    officer = await api.login(OFFICER)
    campaign = "CSV1"
    rows = [row(m.identification, campaign) for m in members.values()]

    first = await api.http.post(f"{CAMPAIGNS}/import", files=csv_file(*rows), headers=officer)
    again = await api.http.post(f"{CAMPAIGNS}/import", files=csv_file(*rows), headers=officer)
    listed = await journeys_of(api, officer, campaign)

    assert first.status_code == 200, first.text
    assert (first.json()["iniciadas"], first.json()["existentes"]) == (2, 0)
    assert (again.json()["iniciadas"], again.json()["existentes"]) == (0, 2)
    assert {o["resultado"] for o in again.json()["ofertas"]} == {"EXISTENTE"}
    ids = {f"credit-{campaign}-{m.id}" for m in members.values()}
    assert {j["workflow_id"] for j in listed} == ids
    assert {j["estado"] for j in listed} == {"OFFERED"}
    with sessions() as session:
        audits = session.scalars(
            select(AuditEvent).where(
                AuditEvent.actor == OFFICER, AuditEvent.action.like("credito%")
            )
        ).all()
    assert [(a.action, a.subject) for a in audits] == [("credito.campana.cargada", campaign)] * 2


async def test_a_bad_row_refuses_the_whole_file_and_starts_nothing(
    api: Api, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        members = people(session, "carla")
    officer = await api.login(OFFICER)
    campaign = "CSV2"
    good = row(members["carla"].identification, campaign)
    bad_rate = row("1799999990", campaign, tasa="quince")

    response = await api.http.post(
        f"{CAMPAIGNS}/import", files=csv_file(good, bad_rate), headers=officer
    )

    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "CAMPANA_INVALIDA"
    assert [d["fila"] for d in body["details"]] == [3]
    reasons = " ".join(body["details"][0]["motivos"])
    assert "tasa" in reasons and "socio" not in reasons  # format errors first, then members
    assert await journeys_of(api, officer, campaign) == []


async def test_unknown_member_is_a_row_error(api: Api, sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        members = people(session, "dario")
    officer = await api.login(OFFICER)
    body = [offer_row(members["dario"].identification, "JSON1"), offer_row("1799999990", "JSON1")]

    response = await api.http.post(CAMPAIGNS, json=body, headers=officer)

    assert response.status_code == 422, response.text
    details = response.json()["details"]
    assert details == [
        {
            "fila": 2,
            "identificacion": "1799999990",
            "motivos": ["identificacion: no corresponde a ningún socio."],
        }
    ]
    assert await journeys_of(api, officer, "JSON1") == []


async def test_member_sees_only_own_open_offers_without_the_maximum(
    api: Api, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        members = people(session, "elena", "fabian")
    officer = await api.login(OFFICER)
    elena, fabian = await api.login("elena"), await api.login("fabian")
    body = [offer_row(members["elena"].identification)]
    assert (await api.http.post(CAMPAIGNS, json=body, headers=officer)).status_code == 200

    own = await api.http.get("/api/v1/credit/offers", headers=elena)
    other = await api.http.get("/api/v1/credit/offers", headers=fabian)
    peek = await api.http.get(f"/api/v1/credit/offers/{CAMPAIGN}", headers=fabian)

    assert own.status_code == 200, own.text
    assert own.json()["mostrar_notificacion"] is True
    [offer] = own.json()["ofertas"]
    assert offer["campana"] == CAMPAIGN and offer["monto_maximo"] is None
    assert offer["plazos"] == [12, 24, 36] and offer["tasa_anual"] == "15.83%"
    assert other.json() == {"mostrar_notificacion": False, "ofertas": []}
    assert peek.status_code == 404 and peek.json()["code"] == "OFERTA_NO_ENCONTRADA"


async def test_officer_filters_reads_and_cancels_a_journey(
    api: Api, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        members = people(session, "gina")
    officer, gina = await api.login(OFFICER), await api.login("gina")
    await api.http.post(
        CAMPAIGNS, json=[offer_row(members["gina"].identification, "OFI1")], headers=officer
    )
    wid = f"credit-OFI1-{members['gina'].id}"

    by_member = await api.http.get(
        JOURNEYS,
        params={"member": members["gina"].id, "status": "OFFERED", "campaign": "OFI1"},
        headers=officer,
    )
    expiring = await api.http.get(JOURNEYS, params={"expiring_within_minutes": 60}, headers=officer)
    full = await api.http.get(f"{JOURNEYS}/{wid}", headers=officer)
    cancelled = await api.http.post(
        f"{JOURNEYS}/{wid}/cancel", json={"motivo": "Socio desistió"}, headers=officer
    )
    again = await api.http.post(
        f"{JOURNEYS}/{wid}/cancel", json={"motivo": "Otra vez"}, headers=officer
    )
    offers = await api.http.get("/api/v1/credit/offers", headers=gina)

    assert [j["workflow_id"] for j in by_member.json()["jornadas"]] == [wid]
    assert "SigningDeadline" in expiring.json()["consulta"] and expiring.json()["jornadas"] == []
    assert full.json()["offer"]["max_amount_cents"] == 1_000_000
    assert cancelled.status_code == 200 and cancelled.json()["estado"] == "CANCELLED"
    assert again.status_code in (404, 409)
    assert offers.json()["ofertas"] == []
    with sessions() as session:
        audits = session.scalars(select(AuditEvent).where(AuditEvent.subject == wid)).all()
    assert [(a.actor, a.action, a.details["resultado"]) for a in audits] == [
        (OFFICER, "credito.cancelar", "OK"),
        (OFFICER, "credito.cancelar", again.json()["code"]),
    ]


async def test_members_are_refused_on_officer_routes_and_bad_input_is_4xx(
    api: Api, sessions: sessionmaker[Session]
) -> None:
    with sessions() as session:
        people(session, "hugo")
    hugo, officer = await api.login("hugo"), await api.login(OFFICER)

    as_member = [
        await api.http.get(JOURNEYS, headers=hugo),
        await api.http.post(CAMPAIGNS, json=[offer_row("1700000001")], headers=hugo),
        await api.http.post(
            f"{JOURNEYS}/credit-X-1/cancel", json={"motivo": "x" * 5}, headers=hugo
        ),
    ]
    malformed = await api.http.post(
        CAMPAIGNS, content=b"[{", headers={**officer, "content-type": "application/json"}
    )
    wrong_types = await api.http.post(
        CAMPAIGNS, json=[{**offer_row("1700000001"), "plazos": {"a": 1}}], headers=officer
    )
    bad_filter = await api.http.get(JOURNEYS, params={"status": "NADA"}, headers=officer)
    injection = await api.http.get(JOURNEYS, params={"campaign": 'X" OR 1=1'}, headers=officer)
    unknown = await api.http.get(f"{JOURNEYS}/enroll-1710034065", headers=officer)
    not_csv = await api.http.post(
        f"{CAMPAIGNS}/import",
        files={"archivo": ("x.csv", b"\xff\xfe\x00", "text/csv")},
        headers=officer,
    )
    officer_as_member = await api.http.get("/api/v1/credit/offers", headers=officer)

    assert [r.status_code for r in as_member] == [403, 403, 403]
    assert malformed.status_code == 400 and malformed.json()["code"] == "JSON_INVALIDO"
    assert wrong_types.status_code == 422 and wrong_types.json()["code"] == "DATOS_INVALIDOS"
    assert bad_filter.status_code == 422 and injection.status_code == 422
    assert unknown.status_code == 404 and unknown.json()["code"] == "JORNADA_NO_ENCONTRADA"
    assert not_csv.status_code == 422 and not_csv.json()["code"] == "ARCHIVO_INVALIDO"
    assert officer_as_member.status_code == 403


async def test_journeys_link_to_the_temporal_ui(api: Api, sessions: sessionmaker[Session]) -> None:
    with sessions() as session:
        members = people(session, "ines")
    officer = await api.login(OFFICER)
    await api.http.post(
        CAMPAIGNS, json=[offer_row(members["ines"].identification, "UI1")], headers=officer
    )
    wid = f"credit-UI1-{members['ines'].id}"
    ui = f"http://127.0.0.1:8233/namespaces/{api.env.client.namespace}"

    listed = await api.http.get(JOURNEYS, params={"campaign": "UI1"}, headers=officer)
    full = await api.http.get(f"{JOURNEYS}/{wid}", headers=officer)

    [item] = listed.json()["jornadas"]
    assert item["enlace_temporal"] == f"{ui}/workflows/{wid}"
    assert listed.json()["enlace_consulta"].startswith(f"{ui}/workflows?query=")
    assert "CampaignId%3D%22UI1%22" in listed.json()["enlace_consulta"]
    assert full.json()["enlace_temporal"] == f"{ui}/workflows/{wid}"
    view = full.json()["presentacion"]
    assert view["estado"] == "OFFERED" and view["oferta"]["monto_maximo"] == "10000.00"
    assert full.json()["socio"] == {
        "id": members["ines"].id,
        "nombre": "INES SILVA",
        "identificacion": members["ines"].identification,
    }
    await api.http.post(f"{JOURNEYS}/{wid}/cancel", json={"motivo": "fin"}, headers=officer)
