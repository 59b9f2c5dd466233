"""Attacks on credentials, as an attacker sees them over HTTP (issue 14).

Login brute force and username enumeration: ``test_enumeration.py``.
SMS codes of a transfer: 4 wrong codes leave the right one valid, the 5th kills the
challenge, a used code cannot be replayed, a code never authorises another movement, and
fresh previews do not buy endless guesses (15 wrong codes an hour per member).
Signing links: guessed or forged tokens all get one refusal, guessing is throttled, one
signatory's link cannot act for another, a new code does not give new attempts.
Decisions: docs/passwords-and-sessions.md, "Brute force and enumeration".
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from api.routes.credit_signing import RATE_LIMIT
from bank.access import otp
from bank.credit.tokens import derive_token
from bank.models import OtpChallenge
from tests import factories as f
from tests.api.credit_support import Api
from tests.api.movement_support import Member, Money, make_member
from tests.api.test_signing_state import married_request
from tests.workflows.credit_fakes import CODIGO, RIGHT_OTP, sign_up_to_otp
from workflows.credit.journey import CreditJourneyWorkflow

SIGNING = "/api/v1/signing"
INVALID_LINK = {
    "code": "ENLACE_INVALIDO",
    "message": "El enlace de firma no es válido o fue reemplazado.",
    "details": None,
}


# --- SMS codes of a transfer ------------------------------------------------------------


def coop(origin: Member, target: Member, amount: str = "6.00") -> dict[str, str]:
    return {
        "tipo": "COOPROGRESO",
        "cuenta_origen": origin.savings,
        "cuenta_destino": target.savings,
        "monto": amount,
        "referencia": "Arriendo",
    }


def other_than(code: str) -> str:
    return "000000" if code != "000000" else "111111"


async def test_four_wrong_codes_leave_the_right_one_valid(money: Money, people) -> None:
    ana, beto = people
    key, _ = await money.start(ana, "/transfers", coop(ana, beto))
    right = money.otp_code(ana.member_id)

    lefts = []
    for _ in range(4):
        wrong = await money.confirm(ana, key, other_than(right))
        assert wrong.status_code == 422 and wrong.json()["code"] == "CODIGO_INCORRECTO"
        lefts.append(wrong.json()["details"]["intentos_restantes"])
    done = await money.confirm(ana, key, right)

    assert lefts == [4, 3, 2, 1]
    assert done.status_code == 200 and done.json()["estado"] == "EXITOSA", done.text
    assert money.balance(ana.savings_id) == 100_000 - 641  # $6.00 + $0.36 fee + $0.05 IVA
    assert money.balance(beto.savings_id) == 5_000 + 600


async def test_after_the_fifth_wrong_code_the_right_one_is_refused_like_any(
    money: Money, people
) -> None:
    ana, beto = people
    key, _ = await money.start(ana, "/transfers", coop(ana, beto))
    right = money.otp_code(ana.member_id)
    for _ in range(4):
        await money.confirm(ana, key, other_than(right))

    fifth = await money.confirm(ana, key, other_than(right))
    with_right = await money.confirm(ana, key, right)
    with_wrong = await money.confirm(ana, key, "987654" if right != "987654" else "123123")
    shown = (await money.get(ana, key)).json()

    assert fifth.status_code == 422 and fifth.json()["code"] == "INTENTOS_AGOTADOS"
    assert with_right.status_code == 409 and with_right.json()["code"] == "ESTADO_INVALIDO"
    assert with_right.json() == with_wrong.json()  # no oracle for the right code
    assert shown["intentos_restantes"] == 0
    assert money.balance(ana.savings_id) == 100_000
    assert money.balance(beto.savings_id) == 5_000


async def test_a_used_code_cannot_be_replayed(money: Money, people) -> None:
    ana, beto = people
    first, _ = await money.start(ana, "/transfers", coop(ana, beto, "6.00"))
    used = money.otp_code(ana.member_id)
    assert (await money.confirm(ana, first, used)).json()["estado"] == "EXITOSA"
    second, _ = await money.start(ana, "/transfers", coop(ana, beto, "6.00"))
    own = money.otp_code(ana.member_id)

    again = await money.confirm(ana, first, used)
    elsewhere = await money.confirm(ana, second, used)  # same amount, same payee
    after_replays = money.balance(beto.savings_id)
    confirmed = await money.confirm(ana, second, own)

    assert again.status_code == 409 and again.json()["code"] == "ESTADO_INVALIDO"
    assert elsewhere.status_code == 422 and elsewhere.json()["code"] == "CODIGO_INCORRECTO"
    assert elsewhere.json()["details"]["intentos_restantes"] == 4
    assert after_replays == 5_000 + 600
    assert confirmed.json()["estado"] == "EXITOSA"
    assert money.balance(beto.savings_id) == 5_000 + 1_200
    assert money.balance(ana.savings_id) == 100_000 - 2 * 641


async def test_a_code_does_not_follow_a_changed_amount_or_payee(money: Money, people) -> None:
    ana, beto = people
    with money.sessions.begin() as session:
        carla = make_member(session, "carla", 0)
    key, _ = await money.start(ana, "/transfers", coop(ana, beto, "6.00"))
    code = money.otp_code(ana.member_id)

    _, more = await money.start(ana, "/transfers", coop(ana, beto, "600.00"), key=key)
    _, elsewhere = await money.start(ana, "/transfers", coop(ana, carla, "6.00"), key=key)
    done = await money.confirm(ana, key, code)

    for changed in (more, elsewhere):
        assert changed.status_code == 409 and changed.json()["code"] == "IDEMPOTENCY_CONFLICT"
    assert done.json()["resumen"]["monto"] == "6.00" and done.json()["estado"] == "EXITOSA"
    assert money.balance(beto.savings_id) == 5_000 + 600
    assert money.balance(carla.savings_id) == 0
    assert money.balance(ana.savings_id) == 100_000 - 641


async def test_another_member_cannot_confirm_or_probe_a_movement(money: Money, people) -> None:
    ana, beto = people
    key, _ = await money.start(ana, "/transfers", coop(ana, beto))
    code = money.otp_code(ana.member_id)

    theirs = await money.confirm(beto, key, code)
    nobodys = await money.confirm(beto, secrets.token_hex(16), code)
    still = (await money.get(ana, key)).json()

    assert theirs.status_code == nobodys.status_code == 404
    assert theirs.json() == nobodys.json()  # an existing key of another member looks unknown
    assert still["estado"] == "ESPERANDO_CODIGO" and still["intentos_restantes"] == 5
    assert money.balance(beto.savings_id) == 5_000


async def test_fresh_previews_do_not_buy_endless_guesses(money: Money, people) -> None:
    ana, beto = people
    budget = otp.MAX_FAILURES_PER_HOUR // otp.MAX_FAILED_ATTEMPTS
    for _ in range(budget):  # 3 previews x 5 wrong codes = 15 guesses
        key, started = await money.start(ana, "/transfers", coop(ana, beto))
        assert started.status_code == 201, started.text
        right = money.otp_code(ana.member_id)
        for _ in range(otp.MAX_FAILED_ATTEMPTS):
            await money.confirm(ana, key, other_than(right))

    _, refused = await money.start(ana, "/transfers", coop(ana, beto))
    _, others = await money.start(beto, "/transfers", coop(beto, ana, "1.00"))

    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "OTP_DEMASIADOS_INTENTOS"
    assert "dentro de una hora" in refused.json()["message"]
    with money.sessions() as session:
        sent = session.scalar(
            select(func.count())
            .select_from(OtpChallenge)
            .where(OtpChallenge.member_id == ana.member_id)
        )
    assert sent == budget  # no SMS for the refused preview
    assert others.status_code == 201  # another member is not affected
    assert money.balance(ana.savings_id) == 100_000
    assert money.balance(beto.savings_id) == 5_000


def test_the_guess_budget_refills_after_an_hour(sessions: sessionmaker[Session]) -> None:
    now = datetime(2025, 1, 20, 15, 0, tzinfo=UTC)
    with sessions.begin() as session:
        member = f.make_member(session)
        for n in range(otp.MAX_FAILURES_PER_HOUR // otp.MAX_FAILED_ATTEMPTS):
            issued = otp.issue(session, member.id, f"op{n}", {"n": n}, clock=lambda: now)
            challenge = session.get(OtpChallenge, issued.challenge_id)
            assert challenge is not None
            challenge.failed_attempts = otp.MAX_FAILED_ATTEMPTS
        session.flush()
        with pytest.raises(otp.OtpThrottled):
            otp.issue(session, member.id, "op9", {}, clock=lambda: now + timedelta(minutes=59))
        an_hour_later = now + timedelta(hours=1, seconds=1)
        later = otp.issue(session, member.id, "op9", {}, clock=lambda: an_hour_later)
    assert later.challenge_id


# --- signing links ----------------------------------------------------------------------


def _guesses(api: Api) -> list[str]:
    real = api.fakes.links[(1, "MEMBER")]
    wid = f"credit-{api.campaign}-1"
    return [
        secrets.token_urlsafe(32),
        secrets.token_urlsafe(32),
        derive_token("otro-secreto-cualquiera-0123456789", wid, 1, "MEMBER"),
        derive_token(api.fakes.secret_key, wid, 2, "MEMBER"),  # a generation not issued yet
        derive_token(api.fakes.secret_key, wid, 1, "GARANTE"),  # a role that has no link
        real[:-1] + ("A" if real[-1] != "A" else "B"),
        real[:30],
        "A" * 43,
    ]


async def _probe(http: httpx.AsyncClient, token: str) -> list[httpx.Response]:
    url = f"{SIGNING}/{token}"
    return [
        await http.get(url),
        await http.get(f"{url}/documents"),
        await http.get(f"{url}/documents/pagare"),
        await http.post(
            f"{url}/identity", json={"cedula": "1720364189", "codigo_dactilar": CODIGO}
        ),
        await http.post(f"{url}/otp", json={"codigo": RIGHT_OTP}),
    ]


@pytest.mark.married
async def test_guessed_and_forged_links_get_one_refusal_and_no_data(
    api: Api, sessions: sessionmaker[Session]
) -> None:
    await married_request(api, sessions)
    real = f"{SIGNING}/{api.fakes.links[(1, 'MEMBER')]}"

    answers = [r for token in _guesses(api) for r in await _probe(api.http, token)]
    opened = await api.http.get(real)

    assert {r.status_code for r in answers} == {404}
    assert all(r.json() == INVALID_LINK for r in answers)
    # The guesses cost the real signatory nothing.
    assert opened.json()["siguiente_paso"] == "IDENTITY"
    assert opened.json()["intentos_restantes"] == 5


@pytest.mark.married
async def test_guessing_links_is_throttled_per_address(
    api: Api, sessions: sessionmaker[Session]
) -> None:
    await married_request(api, sessions)
    real = f"{SIGNING}/{api.fakes.links[(1, 'MEMBER')]}"

    statuses = [(await api.http.get(f"{SIGNING}/{secrets.token_urlsafe(32)}")).status_code]
    while statuses[-1] == 404 and len(statuses) <= RATE_LIMIT:
        statuses.append((await api.http.get(f"{SIGNING}/{secrets.token_urlsafe(32)}")).status_code)
    throttled = await api.http.get(real)

    assert statuses == [404] * RATE_LIMIT + [429]
    assert throttled.status_code == 429
    assert throttled.json()["code"] == "DEMASIADAS_SOLICITUDES"
    assert 1 <= int(throttled.headers["Retry-After"]) <= 61
    assert "NANCY" not in throttled.text


@pytest.mark.married
async def test_one_signatorys_link_cannot_act_for_the_other(
    api: Api, sessions: sessionmaker[Session]
) -> None:
    await married_request(api, sessions)
    member = f"{SIGNING}/{api.fakes.links[(1, 'MEMBER')]}"
    spouse = f"{SIGNING}/{api.fakes.links[(1, 'SPOUSE')]}"
    assert api.fakes.profile.spouse is not None
    spouse_id = {"cedula": api.fakes.profile.spouse.identification, "codigo_dactilar": CODIGO}

    as_spouse = await api.http.post(f"{member}/identity", json=spouse_id)
    claims_role = await api.http.post(f"{member}/identity", json={**spouse_id, "rol": "SPOUSE"})
    member_after = (await api.http.get(member)).json()
    spouse_after = (await api.http.get(spouse)).json()

    assert as_spouse.status_code == 200 and as_spouse.json()["aprobado"] is False
    assert claims_role.status_code == 422 and claims_role.json()["code"] == "DATOS_INVALIDOS"
    assert member_after["rol"] == "MEMBER" and member_after["intentos_restantes"] == 4
    assert spouse_after["siguiente_paso"] == "IDENTITY"
    assert spouse_after["intentos_restantes"] == 5  # the spouse's own tries are untouched


@pytest.mark.married
async def test_a_new_signing_code_does_not_give_new_attempts(
    api: Api, sessions: sessionmaker[Session]
) -> None:
    await married_request(api, sessions)
    link = f"{SIGNING}/{api.fakes.links[(1, 'MEMBER')]}"
    handle = api.env.client.get_workflow_handle_for(
        CreditJourneyWorkflow.run, f"credit-{api.campaign}-1"
    )
    await sign_up_to_otp(handle, api.fakes, "MEMBER")  # identity, face, terms: code sent
    hashes = (await api.http.get(f"{link}/documents")).json()["hashes_a_aceptar"]

    lefts = []
    for attempt in range(5):
        if attempt == 4:  # ask for a fresh code before the last try
            again = await api.http.post(f"{link}/terms", json={"document_hashes": hashes})
            assert again.json()["aprobado"], again.text
        wrong = await api.http.post(f"{link}/otp", json={"codigo": "000000"})
        lefts.append(wrong.json()["intentos_restantes"])
    right = await api.http.post(f"{link}/otp", json={"codigo": RIGHT_OTP})
    state = (await api.http.get(link)).json()

    assert lefts == [4, 3, 2, 1, 0]
    assert len(api.fakes.otps) == 2
    assert right.status_code == 409 and right.json()["code"] == "PASO_BLOQUEADO"
    assert state["siguiente_paso"] == "LOCKED" and state["firmado_en"] is None
    assert api.fakes.signed == []
