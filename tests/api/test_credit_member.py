"""The member's credit journey through the API, on the time-skipping server (real workflow,
fake activities, real database, a local document store)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.orm import Session, sessionmaker

from bank.credit.deadline import cutoff_text, local
from tests.api.credit_support import (
    JPEG,
    Api,
    offered,
)
from tests.workflows.credit_fakes import to_morning


async def test_accept_reveals_the_maximum_and_simulation_is_bounded(
    api: Api, sessions: sessionmaker[Session]
) -> None:
    url = api.offer_url
    [ana] = await offered(api, sessions, "ana")

    before = await api.http.get(url, headers=ana)
    accepted = await api.http.post(
        f"{url}/accept", headers={**ana, "user-agent": "Navegador\x07 de prueba"}
    )
    after = await api.http.get(url, headers=ana)
    too_much = await api.http.post(
        f"{url}/simulate", json={"monto": "10000.01", "plazo": 24}, headers=ana
    )
    bad_term = await api.http.post(
        f"{url}/simulate", json={"monto": "900", "plazo": 18}, headers=ana
    )
    simulated = await api.http.post(
        f"{url}/simulate", json={"monto": "9900.00", "plazo": 24}, headers=ana
    )

    assert before.json()["oferta"]["monto_maximo"] is None
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["monto_maximo"] == "10000.00" and accepted.json()["estado"] == "ACCEPTED"
    assert after.json()["oferta"]["monto_maximo"] == "10000.00"
    assert too_much.status_code == 422
    assert too_much.json()["code"] == "MONTO_FUERA_DE_RANGO"
    assert "monto máximo calificado" in too_much.json()["message"]
    assert bad_term.status_code == 422 and bad_term.json()["code"] == "PLAZO_NO_PERMITIDO"
    assert simulated.status_code == 200, simulated.text
    table = simulated.json()["tabla"]
    assert len(table) == 24 and table[-1]["saldo"] == "0.00"
    consent = api.fakes.consents[0].origin
    assert consent.startswith("web ip=") and "Navegador de prueba" in consent


async def test_summary_uploads_and_finalize(api: Api, sessions: sessionmaker[Session]) -> None:
    url = api.offer_url
    [ana] = await offered(api, sessions, "ana")
    await to_morning(api.env)  # "Finalizar" is possible until 19:00
    await api.http.post(f"{url}/accept", headers=ana)

    chosen = await api.http.post(f"{url}/choose", json={"monto": 9900, "plazo": 24}, headers=ana)
    wrong_type = await api.http.post(
        f"{url}/documents/ID_FRONT",
        files={"archivo": ("cedula.jpg", b"MZ\x90\x00 not an image", "image/jpeg")},
        headers=ana,
    )
    early = await api.http.post(f"{url}/finalize", headers=ana)
    uploads = {}
    for kind in chosen.json()["documentos_requeridos"]:
        form = {"fecha_emision": date.today().isoformat()} if kind == "UTILITY_BILL" else {}
        uploads[kind] = await api.http.post(
            f"{url}/documents/{kind}",
            files={"archivo": (f"../{kind}.jpg", JPEG, "application/octet-stream")},
            data=form,
            headers=ana,
        )
    finalized = await api.http.post(f"{url}/finalize", headers=ana)
    state = await api.http.get(url, headers=ana)

    assert chosen.status_code == 200, chosen.text
    assert chosen.json()["resumen"]["monto"] == "9900.00"
    assert wrong_type.status_code == 422
    assert wrong_type.json()["details"][0]["codigo"] == "TIPO_NO_PERMITIDO"
    assert "PDF, PNG o JPG" in wrong_type.json()["message"]
    assert early.status_code == 409 and early.json()["code"] == "DOCUMENTOS_INCOMPLETOS"
    assert {k: r.json()["aceptado"] for k, r in uploads.items()} == dict.fromkeys(uploads, True)
    assert finalized.status_code == 200, finalized.text
    assert finalized.json()["correo_conyuge"] is None
    assert state.json()["estado"] == "AWAITING_SIGNATURES"
    assert {d["nombre_archivo"] for d in state.json()["documentos"]} == {
        f"{k}.jpg" for k in uploads
    }
    assert len(api.stored("credit/uploads")) == len(uploads)


async def test_another_members_offer_is_not_found(
    api: Api, sessions: sessionmaker[Session]
) -> None:
    url = api.offer_url
    _, beto = await offered(api, sessions, "ana", "beto")

    answers = [
        await api.http.get(url, headers=beto),
        await api.http.post(f"{url}/accept", headers=beto),
        await api.http.post(f"{url}/decline", headers=beto),
        await api.http.get("/api/v1/credit/offers/..%2Fx", headers=beto),
    ]

    assert [a.status_code for a in answers] == [404] * 4
    assert {a.json()["code"] for a in answers[:3]} == {"OFERTA_NO_ENCONTRADA"}


async def test_dismiss_keeps_the_offer_and_decline_ends_it(
    api: Api, sessions: sessionmaker[Session]
) -> None:
    url = api.offer_url
    [ana] = await offered(api, sessions, "ana")

    dismissed = await api.http.post(f"{url}/dismiss", headers=ana)
    declined = await api.http.post(f"{url}/decline", headers=ana)
    after = await api.http.post(f"{url}/accept", headers=ana)

    assert dismissed.status_code == 200 and dismissed.json()["estado"] == "OFFERED"
    assert declined.status_code == 200 and declined.json()["estado"] == "DECLINED"
    assert after.status_code in (404, 409)


async def test_bad_input_is_a_4xx_never_a_500(api: Api, sessions: sessionmaker[Session]) -> None:
    url = api.offer_url
    [ana] = await offered(api, sessions, "ana")
    await api.http.post(f"{url}/accept", headers=ana)
    json_headers = {**ana, "content-type": "application/json"}

    answers = {
        "malformed": await api.http.post(f"{url}/simulate", content=b"{", headers=json_headers),
        "text amount": await api.http.post(
            f"{url}/simulate", json={"monto": "mucho", "plazo": 12}, headers=ana
        ),
        "float term": await api.http.post(
            f"{url}/simulate", json={"monto": "900", "plazo": 1.5}, headers=ana
        ),
        "list body": await api.http.post(f"{url}/simulate", json=[1, 2], headers=ana),
        "unknown kind": await api.http.post(
            f"{url}/documents/PASAPORTE", files={"archivo": ("a.jpg", JPEG)}, headers=ana
        ),
        "no file": await api.http.post(f"{url}/documents/ID_FRONT", headers=ana),
        "too early": await api.http.post(
            f"{url}/documents/ID_FRONT", files={"archivo": ("a.jpg", JPEG)}, headers=ana
        ),
        "no session": await api.http.post(f"{url}/accept"),
    }

    statuses = {name: r.status_code for name, r in answers.items()}
    assert statuses == {
        "malformed": 400,
        "text amount": 422,
        "float term": 422,
        "list body": 422,
        "unknown kind": 404,
        "no file": 422,
        "too early": 409,
        "no session": 401,
    }
    assert all(r.json()["message"] for r in answers.values())
    assert api.stored("credit/uploads") == []  # refused: deleted


async def test_bill_age_limit_and_the_deadline_named_on_finalize(
    api: Api, sessions: sessionmaker[Session]
) -> None:
    url = api.offer_url
    [ana] = await offered(api, sessions, "ana")
    await to_morning(api.env)
    await api.http.post(f"{url}/accept", headers=ana)
    chosen = await api.http.post(f"{url}/choose", json={"monto": 2000, "plazo": 12}, headers=ana)
    for kind in chosen.json()["documentos_requeridos"]:
        form = {"fecha_emision": date.today().isoformat()} if kind == "UTILITY_BILL" else {}
        await api.http.post(
            f"{url}/documents/{kind}",
            files={"archivo": (f"{kind}.jpg", JPEG, "image/jpeg")},
            data=form,
            headers=ana,
        )
    state = await api.http.get(url, headers=ana)
    finalized = await api.http.post(f"{url}/finalize", headers=ana)

    assert state.json()["oferta"]["planilla_meses_maximo"] == 2
    assert finalized.status_code == 200, finalized.text
    deadline = datetime.fromisoformat(finalized.json()["plazo_firma"])
    hour = cutoff_text(local(deadline).time())
    assert hour == "19H00"  # the cut-off this journey was loaded with
    assert f"enlace para firmarlos hasta las {hour} de hoy." in finalized.json()["mensaje"]
