"""Personal data (issue 14, LOPDP 2021): a member's export and deletion request, the
biometric consent of the signing link, and the access log of officers' reads."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bank.models import AuditEvent, Member, PrivacyRequest, Role, User
from bank.privacy import audit
from bank.privacy.contracts import BIOMETRIC_CONSENT_VERSION
from tests import factories as f
from tests.api.conftest import login
from tests.api.credit_support import JPEG, OFFICER, Api, offered, send_request
from tests.workflows.credit_fakes import CODIGO

EXPORT = "/api/v1/privacy/export"
DELETION = "/api/v1/privacy/deletion-request"
SIGNING = "/api/v1/signing"


def people(build: Session) -> tuple[Member, Member, str]:
    ana = f.make_member(build, first_names="ANA", last_names="PAREDES")
    f.make_user(build, ana, username="ana")
    savings = f.make_account(build, ana).number
    beto = f.make_member(build, first_names="BETO", last_names="MORA")
    f.make_user(build, beto, username="beto")
    f.make_user(build, None, username="oficial", role=Role.OFFICER)
    build.commit()
    return ana, beto, savings


def events(sessions: sessionmaker[Session], action: str) -> list[AuditEvent]:
    with sessions() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_member_exports_only_their_own_data_and_no_secret(
    client: TestClient, build: Session, sessions: sessionmaker[Session]
) -> None:
    ana, beto, savings = people(build)
    headers = login(client, "ana", f.PASSWORD)

    first = client.get(EXPORT, headers=headers)
    second = client.get(EXPORT, headers=headers)
    anonymous = client.get(EXPORT)
    officer = client.get(EXPORT, headers=login(client, "oficial", f.PASSWORD))

    assert first.status_code == 200, first.text
    body = first.json()
    assert body["identidad"]["identificacion"] == ana.identification
    assert body["identidad"]["nombres"] == "ANA"
    assert [c["numero"] for c in body["productos"]["cuentas"]] == [savings]
    assert body["productos"]["cuentas"][0]["saldo"] == "0.00"
    assert [u["usuario"] for u in body["usuarios"]] == ["ana"]
    with sessions() as session:
        hashes = list(session.scalars(select(User.password_hash)))
    assert not any(h in first.text for h in hashes) and "argon2" not in first.text
    assert beto.identification not in first.text and "BETO" not in first.text
    logged = [a for a in second.json()["accesos"] if a["accion"] == audit.PERSONAL_DATA_EXPORTED]
    assert len(logged) == 1 and logged[0]["quien"] == "ana"
    exported = events(sessions, audit.PERSONAL_DATA_EXPORTED)
    assert [(e.actor, e.subject) for e in exported] == [("ana", f"member:{ana.id}")] * 2
    assert anonymous.status_code == 401
    assert officer.status_code == 403 and officer.json()["code"]


def test_a_deletion_request_is_recorded_once_for_an_officer(
    client: TestClient, build: Session, sessions: sessionmaker[Session]
) -> None:
    ana, _, _ = people(build)
    headers = login(client, "ana", f.PASSWORD)

    created = client.post(DELETION, json={"motivo": "Ya no uso la banca en línea"}, headers=headers)
    again = client.post(DELETION, json={}, headers=headers)
    too_long = client.post(DELETION, json={"motivo": "x" * 501}, headers=headers)
    exported = client.get(EXPORT, headers=headers).json()

    assert created.status_code == 201, created.text
    answer = created.json()
    assert answer["estado"] == "NUEVA" and "oficial" in answer["mensaje"]
    assert any("Movimientos" in kept for kept in answer["se_conserva"])
    assert again.status_code == 409 and again.json()["code"] == "SOLICITUD_EXISTENTE"
    assert "en trámite" in again.json()["message"]
    assert too_long.status_code == 422
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(PrivacyRequest)) == 1
    [requested] = events(sessions, audit.DELETION_REQUESTED)
    assert requested.actor == "ana" and requested.subject == f"member:{ana.id}"
    assert [r["estado"] for r in exported["solicitudes_privacidad"]] == ["NUEVA"]


def _files(root: Path) -> int:
    return sum(1 for p in root.rglob("*") if p.is_file())


async def test_frames_need_the_consent_and_officers_reads_are_logged(
    api: Api, sessions: sessionmaker[Session]
) -> None:
    [ana] = await offered(api, sessions, "ana")
    await send_request(api, ana)
    link = f"{SIGNING}/{api.fakes.links[(1, 'MEMBER')]}"
    cedula = api.fakes.profile.identification
    frames = [("fotogramas", (f"f{i}.jpg", JPEG, "image/jpeg")) for i in range(3)]
    identity = {"cedula": cedula, "codigo_dactilar": CODIGO}
    assert (await api.http.post(f"{link}/identity", json=identity)).json()["aprobado"]

    stored_before = _files(api.store.root)
    early = await api.http.post(f"{link}/face", files=frames)
    stored_after = _files(api.store.root)
    text = await api.http.get(f"{link}/biometric-consent")
    unchecked = await api.http.post(
        f"{link}/biometric-consent", json={"version": BIOMETRIC_CONSENT_VERSION, "acepto": False}
    )
    outdated = await api.http.post(
        f"{link}/biometric-consent", json={"version": "BIO-1999", "acepto": True}
    )
    given = await api.http.post(
        f"{link}/biometric-consent", json={"version": BIOMETRIC_CONSENT_VERSION, "acepto": True}
    )
    face = await api.http.post(f"{link}/face", files=frames)
    officer = await api.login(OFFICER)
    read = await api.http.get(f"/api/v1/officer/journeys/{api.journeys[0]}", headers=officer)

    assert early.status_code == 409 and early.json()["code"] == "CONSENTIMIENTO_REQUERIDO"
    assert "imagen facial" in early.json()["message"] and stored_after == stored_before
    assert text.status_code == 200 and text.json()["otorgado_en"] is None
    assert "datos biométricos" in text.json()["texto"]
    assert unchecked.status_code == 422 and unchecked.json()["code"] == "CONSENTIMIENTO_REQUERIDO"
    assert outdated.status_code == 409 and outdated.json()["code"] == "CONSENTIMIENTO_REQUERIDO"
    assert given.status_code == 200 and given.json()["otorgado_en"]
    assert given.json()["version_otorgada"] == BIOMETRIC_CONSENT_VERSION
    assert face.json()["aprobado"], face.text
    assert read.status_code == 200
    member_id = read.json()["offer"]["member_id"]
    [logged] = events(sessions, audit.PERSONAL_DATA_READ)
    assert logged.actor == OFFICER and logged.subject == f"member:{member_id}"
    assert logged.details == {"jornada": api.journeys[0]}
