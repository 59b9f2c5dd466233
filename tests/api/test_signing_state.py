"""``GET /signing/{token}``: where a link stands, so the signing page reopens at its step."""

from __future__ import annotations

import dataclasses

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bank.models import User
from bank.privacy.contracts import BIOMETRIC_CONSENT_VERSION
from tests.api.credit_support import (
    JPEG,
    Api,
    offered,
    send_request,
)
from tests.workflows.credit_fakes import CODIGO, RIGHT_OTP

SIGNING = "/api/v1/signing"


pytestmark = pytest.mark.married
"""Nancy is married: her spouse co-signs (the ``api`` fixture's profile)."""


async def married_request(api: Api, sessions: sessionmaker[Session]) -> None:
    """Nancy's offer, her spouse a member of this database, the request sent for signing."""
    [nancy, _] = await offered(api, sessions, "nancy", "christian")
    with sessions() as session:
        christian = session.scalars(select(User).where(User.username == "christian")).one()
    spouse = api.fakes.profile.spouse
    assert spouse is not None and christian.member_id is not None
    api.fakes.profile = dataclasses.replace(
        api.fakes.profile, spouse=dataclasses.replace(spouse, member_id=christian.member_id)
    )
    await send_request(api, nancy)


async def sign(api: Api, link: str, cedula: str) -> None:
    """Every step of one signatory, through the API."""
    identity = await api.http.post(
        f"{link}/identity", json={"cedula": cedula, "codigo_dactilar": CODIGO}
    )
    assert identity.json()["aprobado"], identity.text
    consent = {"version": BIOMETRIC_CONSENT_VERSION, "acepto": True}
    assert (await api.http.post(f"{link}/biometric-consent", json=consent)).status_code == 200
    frames = [("fotogramas", (f"f{i}.jpg", JPEG, "image/jpeg")) for i in range(3)]
    assert (await api.http.post(f"{link}/face", files=frames)).json()["aprobado"]
    hashes = (await api.http.get(f"{link}/documents")).json()["hashes_a_aceptar"]
    terms = await api.http.post(f"{link}/terms", json={"document_hashes": hashes})
    assert terms.json()["aprobado"], terms.text
    signed = await api.http.post(f"{link}/otp", json={"codigo": RIGHT_OTP})
    assert signed.json()["aprobado"], signed.text


async def test_each_link_tells_its_signatory_and_step(
    api: Api, sessions: sessionmaker[Session]
) -> None:
    await married_request(api, sessions)
    member = f"{SIGNING}/{api.fakes.links[(1, 'MEMBER')]}"
    spouse = f"{SIGNING}/{api.fakes.links[(1, 'SPOUSE')]}"
    cedula = api.fakes.profile.identification

    opened = await api.http.get(member)
    spouse_opened = await api.http.get(spouse)
    await api.http.post(f"{member}/identity", json={"cedula": cedula, "codigo_dactilar": CODIGO})
    reopened = await api.http.get(member)
    listed = await api.http.get(f"{member}/documents")
    garbage = await api.http.get(f"{SIGNING}/{'A' * 43}")
    malformed = await api.http.get(f"{SIGNING}/xyz")

    assert opened.status_code == 200, opened.text
    assert opened.json()["rol"] == "MEMBER"
    assert opened.json()["nombre"] == "NANCY PATRICIA ORTIZ"
    assert opened.json()["siguiente_paso"] == "IDENTITY"
    assert opened.json()["intentos_restantes"] == 5
    assert opened.json()["estado"] == "AWAITING_SIGNATURES"
    assert opened.json()["plazo_firma"] and opened.json()["firmado_en"] is None
    assert spouse_opened.json()["rol"] == "SPOUSE"
    assert spouse_opened.json()["nombre"] == "CHRISTIAN IVAN CAICEDO"
    assert spouse_opened.json()["siguiente_paso"] == "IDENTITY"
    assert reopened.json()["siguiente_paso"] == "FACE"
    assert reopened.json()["intentos_restantes"] == 3
    names = {d["tipo"]: d["nombre"] for d in listed.json()["documentos"]}
    assert names["contrato-credito"] == "Contrato de crédito"
    assert names["pagare"] == "Pagaré"
    assert garbage.status_code == 404 and garbage.json()["code"] == "ENLACE_INVALIDO"
    assert malformed.status_code == 404


async def test_a_signed_link_stays_signed_after_the_disbursement(
    api: Api, sessions: sessionmaker[Session]
) -> None:
    await married_request(api, sessions)
    member = f"{SIGNING}/{api.fakes.links[(1, 'MEMBER')]}"
    spouse = f"{SIGNING}/{api.fakes.links[(1, 'SPOUSE')]}"

    await sign(api, member, api.fakes.profile.identification)
    waiting = await api.http.get(member)
    assert api.fakes.profile.spouse is not None
    await sign(api, spouse, api.fakes.profile.spouse.identification)
    after = await api.http.get(member)
    spouse_after = await api.http.get(spouse)
    documents_after = await api.http.get(f"{member}/documents")

    assert waiting.json()["siguiente_paso"] == "SIGNED"
    assert waiting.json()["estado"] == "AWAITING_SIGNATURES"
    assert waiting.json()["firmado_en"] is not None
    assert after.status_code == 200, after.text
    assert after.json()["siguiente_paso"] == "SIGNED" and after.json()["estado"] == "DISBURSED"
    assert spouse_after.json()["siguiente_paso"] == "SIGNED"
    # The documents are no longer served through the link (they went out by email).
    assert documents_after.status_code == 409
    assert documents_after.json()["code"] == "ENLACE_NO_DISPONIBLE"


async def test_a_locked_link_says_why_as_the_steps_do(
    api: Api, sessions: sessionmaker[Session]
) -> None:
    await married_request(api, sessions)
    member = f"{SIGNING}/{api.fakes.links[(1, 'MEMBER')]}"
    wrong = {"cedula": "1700000000", "codigo_dactilar": CODIGO}

    for _ in range(5):
        assert (await api.http.post(f"{member}/identity", json=wrong)).json()["aprobado"] is False
    locked = await api.http.get(member)
    refused = await api.http.post(f"{member}/identity", json=wrong)

    assert locked.json()["siguiente_paso"] == "LOCKED"
    assert locked.json()["intentos_restantes"] == 0
    assert refused.status_code == 409 and refused.json()["code"] == "PASO_BLOQUEADO"
    assert locked.json()["mensaje"] == refused.json()["message"]
