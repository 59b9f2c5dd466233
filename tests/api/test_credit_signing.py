"""Signing links and the officer's regeneration, on the time-skipping server."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bank.models import AuditEvent
from bank.privacy.contracts import BIOMETRIC_CONSENT_VERSION
from tests.api.credit_support import (
    JPEG,
    OFFICER,
    Api,
    offered,
    send_request,
)
from tests.workflows.credit_fakes import CODIGO, RIGHT_OTP, to_morning

SIGNING = "/api/v1/signing"


async def test_member_signs_through_the_link_and_is_disbursed(
    api: Api, sessions: sessionmaker[Session]
) -> None:
    [ana] = await offered(api, sessions, "ana")
    await send_request(api, ana)
    link = f"{SIGNING}/{api.fakes.links[(1, 'MEMBER')]}"
    cedula = api.fakes.profile.identification

    garbage = await api.http.post(
        f"{SIGNING}/xyz/identity", json={"cedula": cedula, "codigo_dactilar": CODIGO}
    )
    forged = await api.http.post(
        f"{SIGNING}/{'A' * 43}/identity",
        json={"cedula": cedula, "codigo_dactilar": CODIGO},
    )
    wrong = await api.http.post(
        f"{link}/identity", json={"cedula": "1700000000", "codigo_dactilar": CODIGO}
    )
    right = await api.http.post(
        f"{link}/identity", json={"cedula": cedula, "codigo_dactilar": CODIGO}
    )
    consent = {"version": BIOMETRIC_CONSENT_VERSION, "acepto": True}
    assert (await api.http.post(f"{link}/biometric-consent", json=consent)).status_code == 200
    frames = [("fotogramas", (f"f{i}.jpg", JPEG, "image/jpeg")) for i in range(3)]
    face = await api.http.post(f"{link}/face", files=frames)
    listed = await api.http.get(f"{link}/documents")
    first = listed.json()["documentos"][0]
    state = await api.http.get(api.offer_url, headers=ana)
    api.store.put(_key_of(api, first["tipo"]), b"%PDF-1.7 contrato", "application/pdf")
    download = await api.http.get(first["url"])
    missing = await api.http.get(f"{link}/documents/no-existe")
    bad_hashes = await api.http.post(f"{link}/terms", json={"document_hashes": ["0" * 64]})
    terms = await api.http.post(
        f"{link}/terms", json={"document_hashes": listed.json()["hashes_a_aceptar"]}
    )
    wrong_code = await api.http.post(f"{link}/otp", json={"codigo": "000000"})
    signed = await api.http.post(f"{link}/otp", json={"codigo": RIGHT_OTP})
    after = await api.http.get(api.offer_url, headers=ana)

    assert garbage.status_code == 404 and garbage.json()["code"] == "ENLACE_INVALIDO"
    assert forged.status_code == 404 and forged.json()["code"] == "ENLACE_INVALIDO"
    assert wrong.status_code == 200 and wrong.json()["aprobado"] is False
    assert wrong.json()["intentos_restantes"] == 4
    assert right.json()["aprobado"] and right.json()["siguiente_paso"] == "FACE"
    assert face.status_code == 200 and face.json()["aprobado"], face.text
    assert len(api.stored("credit/frames")) == 3
    assert listed.status_code == 200 and len(listed.json()["documentos"]) == 4
    assert state.json()["estado"] == "AWAITING_SIGNATURES"
    assert download.status_code == 200 and download.content == b"%PDF-1.7 contrato"
    assert download.headers["content-type"] == "application/pdf"
    assert missing.status_code == 404
    assert bad_hashes.status_code == 422 and bad_hashes.json()["code"] == "DOCUMENTOS_NO_COINCIDEN"
    assert terms.json()["aprobado"] and terms.json()["enviado_a"] == "09******65"
    assert wrong_code.json()["aprobado"] is False and wrong_code.json()["motivos"]
    assert signed.status_code == 200 and signed.json()["aprobado"], signed.text
    assert after.json()["estado"] == "DISBURSED"
    assert after.json()["numero_credito"] == "0300000001"


def _key_of(api: Api, kind: str) -> str:
    """Where the fake renderer says the document is (the real one stores it there)."""
    return f"credit-{api.campaign}-1/1/{kind}"


async def test_bad_signing_input_is_a_4xx(api: Api, sessions: sessionmaker[Session]) -> None:
    [ana] = await offered(api, sessions, "ana")
    await send_request(api, ana)
    link = f"{SIGNING}/{api.fakes.links[(1, 'MEMBER')]}"

    answers = {
        "short cedula": await api.http.post(
            f"{link}/identity", json={"cedula": "123", "codigo_dactilar": CODIGO}
        ),
        "face first": await api.http.post(
            f"{link}/face", files=[("fotogramas", ("f.jpg", JPEG, "image/jpeg"))]
        ),
        "pdf frame": await api.http.post(
            f"{link}/face", files=[("fotogramas", ("f.pdf", b"%PDF-1.4", "application/pdf"))]
        ),
        "otp first": await api.http.post(f"{link}/otp", json={"codigo": "12345a"}),
        "malformed": await api.http.post(
            f"{link}/otp", content=b"{", headers={"content-type": "application/json"}
        ),
        "not a hash": await api.http.post(f"{link}/terms", json={"document_hashes": ["x"]}),
    }

    assert {k: r.status_code for k, r in answers.items()} == {
        "short cedula": 422,
        "face first": 409,
        "pdf frame": 422,
        "otp first": 409,
        "malformed": 400,
        "not a hash": 422,
    }
    assert api.stored("credit/frames") == []  # the refused attempt's frames were deleted


async def test_officer_regenerates_an_expired_journey(
    api: Api, sessions: sessionmaker[Session]
) -> None:
    [ana] = await offered(api, sessions, "ana")
    finalized = await send_request(api, ana)
    wid = f"credit-{api.campaign}-1"
    old_link = f"{SIGNING}/{api.fakes.links[(1, 'MEMBER')]}"
    deadline = datetime.fromisoformat(str(finalized["plazo_firma"]))
    await api.env.sleep(deadline - await api.env.get_current_time())
    await to_morning(api.env)  # the officer acts the next morning
    officer = await api.login(OFFICER)

    expired = await api.http.get(api.offer_url, headers=ana)
    late = await api.http.post(
        f"{old_link}/identity",
        json={"cedula": api.fakes.profile.identification, "codigo_dactilar": CODIGO},
    )
    by_member = await api.http.post(
        f"/api/v1/officer/journeys/{wid}/regenerate", json={"motivo": "Socio lo pidió"}, headers=ana
    )
    regenerated = await api.http.post(
        f"/api/v1/officer/journeys/{wid}/regenerate",
        json={"motivo": "Socio lo pidió"},
        headers=officer,
    )
    stale = await api.http.get(f"{old_link}/documents")
    fresh = await api.http.get(f"{SIGNING}/{api.fakes.links[(2, 'MEMBER')]}/documents")
    full = await api.http.get(f"/api/v1/officer/journeys/{wid}", headers=officer)

    assert expired.json()["estado"] == "EXPIRED_AWAITING_REGENERATION"
    assert "19H00" in expired.json()["motivo"]
    assert late.status_code == 409 and late.json()["code"] == "PLAZO_DE_FIRMA_VENCIDO"
    assert by_member.status_code == 403
    assert regenerated.status_code == 200, regenerated.text
    assert regenerated.json()["generacion"] == 2
    assert regenerated.json()["estado"] == "AWAITING_SIGNATURES"
    assert stale.status_code == 404 and fresh.status_code == 200
    assert any(r["actor"] == OFFICER for r in full.json()["audit"])
    with sessions() as session:
        audit = session.scalars(select(AuditEvent).where(AuditEvent.subject == wid)).one()
    assert (audit.actor, audit.action, audit.details["resultado"]) == (
        OFFICER,
        "credito.regenerar",
        "OK",
    )
