"""Enumeration of usernames and identifications (issue 14); password guessing at login.

Login: the lockout must not tell which usernames exist, nor confirm a password once locked.
Enrollment and recovery: an attacker who types cédulas must not learn whose they are: a
stranger, a member who never enrolled, an enrolled member, a locked one and a member
without a mobile all get the same answers to the start, to every wrong code, to the last
try and to an expired code. The codes and the temporary password only ever go to the
contact data the cooperative holds. The enrollment harness is the end-to-end one (the real
app, the workflow on the time-skipping server, the real activities and outbox); see
``tests/workflows/test_enrollment_e2e.py``. Decisions: docs/passwords-and-sessions.md,
"Brute force and enumeration".
"""

from __future__ import annotations

import re
import secrets
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import httpx
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.testing import WorkflowEnvironment

from bank.core.settings import ApiSettings
from bank.models import Channel, Member, OutboundMessage, User, utcnow
from tests import factories as f
from tests.api.test_sqlite import sqlite_client
from tests.support.temporal import terminate_if_running
from tests.workflows.test_enrollment_e2e import http as enrollment_http
from tests.workflows.test_enrollment_e2e import outbox_text, start
from workflows.enrollment.contract import CODE_TTL, MAX_ATTEMPTS

__all__ = ["enrollment_http", "sqlite_client"]  # fixtures shared with other modules

LOGIN = "/api/v1/auth/login"
LOCKED = {
    "code": "USUARIO_BLOQUEADO",
    "message": "Tu usuario está bloqueado por intentos fallidos. Recupera tu clave o acércate "
    "a una agencia.",
    "details": None,
}
WRONG = "000000"  # once in a million the real code; the member's code is checked below


# --- login ------------------------------------------------------------------------------


def _answers(client: TestClient, username: str, password: str, times: int) -> list[tuple]:
    body = {"username": username, "password": password}
    return [
        (r.status_code, r.json()) for r in (client.post(LOGIN, json=body) for _ in range(times))
    ]


def test_an_unknown_username_locks_exactly_like_a_real_one(
    client: TestClient, build: Session, api_settings: ApiSettings
) -> None:
    f.make_user(build, f.make_member(build), username="gsilva")
    build.commit()
    limit = api_settings.max_failed_logins
    assert limit == 5  # docs: "5 consecutive wrong passwords lock the user"

    real = _answers(client, "gsilva", "Equivocada1", limit + 2)
    ghost = _answers(client, "nadie.existe", "Equivocada1", limit + 2)

    assert [status for status, _ in real] == [401] * (limit - 1) + [423] * 3
    assert ghost == real  # same status, code and message at every attempt
    assert real[-1][1] == LOCKED


def test_a_locked_user_does_not_confirm_the_right_password(
    client: TestClient, build: Session
) -> None:
    f.make_user(build, f.make_member(build), username="gsilva")
    build.commit()
    _answers(client, "gsilva", "Equivocada1", 5)
    _answers(client, "nadie.existe", "Equivocada1", 5)

    right = _answers(client, "gsilva", f.PASSWORD, 1)
    wrong = _answers(client, "gsilva", "OtraEquivocada2", 1)
    ghost = _answers(client, "nadie.existe", f.PASSWORD, 1)

    assert right == wrong == ghost == [(423, LOCKED)]


def test_a_stolen_session_cannot_brute_force_the_current_password(
    client: TestClient, build: Session
) -> None:
    f.make_user(build, f.make_member(build), username="gsilva")
    build.commit()
    token = client.post(LOGIN, json={"username": "gsilva", "password": f.PASSWORD}).json()
    headers = {"Authorization": f"Bearer {token['access_token']}"}
    change = {"current_password": "Adivina123", "new_password": "NuevaClave2026"}

    codes = [
        client.post("/api/v1/auth/password", json=change, headers=headers).json()["code"]
        for _ in range(5)
    ]
    after = client.get("/api/v1/position", headers=headers)

    assert codes == ["CLAVE_ACTUAL_INCORRECTA"] * 4 + ["USUARIO_BLOQUEADO"]
    assert after.status_code == 423  # the session stops working with the lock
    assert _answers(client, "gsilva", f.PASSWORD, 1) == [(423, LOCKED)]


def _burst(client: TestClient, username: str, times: int) -> list[int]:
    """``times`` wrong passwords for ``username`` at once; the statuses, sorted."""
    body = {"username": username, "password": "Equivocada1"}
    with ThreadPoolExecutor(times) as pool:
        return sorted(pool.map(lambda _: client.post(LOGIN, json=body).status_code, range(times)))


def test_a_burst_of_guesses_counts_an_unknown_username_like_a_real_one(
    client: TestClient, build: Session
) -> None:
    f.make_user(build, f.make_member(build), username="gsilva")
    build.commit()

    real, ghost = _burst(client, "gsilva", 5), _burst(client, "nadie.existe", 5)

    assert real == ghost == [401, 401, 401, 401, 423]


def test_an_unknown_username_locks_on_sqlite_too(
    sqlite_client: tuple[TestClient, f.Bundle],
) -> None:
    client, _ = sqlite_client

    real, ghost = _burst(client, "gsilva", 5), _burst(client, "nadie.existe", 5)

    assert real == ghost == [401, 401, 401, 401, 423]
    assert _answers(client, "nadie.existe", f.PASSWORD, 1) == [(423, LOCKED)]


# --- enrollment and recovery ----------------------------------------------------------


def stranger() -> str:
    """A valid cédula that belongs to nobody in the database."""
    return f.cedula(5_000_000 + secrets.randbelow(999_999))


def people(sessions: sessionmaker[Session]) -> dict[str, str]:
    """Cédulas of: a stranger, a member who never enrolled, an enrolled member, a locked
    one, and a member without a mobile on file."""
    with sessions.begin() as session:
        fresh = f.make_member(session)
        enrolled = f.make_member(session, first_names="ROSA", last_names="MENA")
        f.make_user(session, enrolled)
        locked = f.make_member(session, first_names="LUIS", last_names="PAZ")
        user = f.make_user(session, locked)
        user.failed_attempts, user.locked_at = 5, utcnow()
        silent = f.make_member(session, first_names="EVA", last_names="LOOR")
        silent.mobile = None
        return {
            "stranger": stranger(),
            "never enrolled": fresh.identification,
            "enrolled": enrolled.identification,
            "locked": locked.identification,
            "no mobile": silent.identification,
        }


async def code(http: httpx.AsyncClient, cedula: str, value: str = WRONG) -> tuple[int, dict]:
    response = await http.post(f"/api/v1/enrollment/enroll-{cedula}/codigo", json={"codigo": value})
    return response.status_code, response.json()


async def end(env: WorkflowEnvironment, *cedulas: str) -> None:
    """Close what a test left waiting (a waiting workflow would stop the skipped clock)."""
    for cedula in cedulas:
        await terminate_if_running(env.client.get_workflow_handle(f"enroll-{cedula}"))


async def test_no_answer_tells_who_is_a_member_or_enrolled(
    enrollment_http: httpx.AsyncClient, sessions: sessionmaker[Session]
) -> None:
    cedulas = people(sessions)
    seen: dict[str, list[tuple[int, dict]]] = {}
    for who, cedula in cedulas.items():
        started = await start(enrollment_http, cedula)
        answers = [await code(enrollment_http, cedula) for _ in range(MAX_ATTEMPTS + 1)]
        body = started.json()
        assert started.status_code == 202, (who, started.text)
        assert body.pop("id_registro") == f"enroll-{cedula}"
        seen[who] = [(started.status_code, body), *answers]

    first = seen.pop("stranger")
    for who, others in seen.items():
        assert others == first, who
    assert first[0][0] == 202
    assert [a["intentos_restantes"] for _, a in first[1:]] == [4, 3, 2, 1, 0, 0]
    assert first[-1] == (
        200,
        {
            "estado": "INTENTOS_AGOTADOS",
            "mensaje": "Superaste el número de intentos permitidos. Inicia nuevamente tu registro.",
            "intentos_restantes": 0,
        },
    )
    with sessions() as session:  # the wrong codes neither unlocked nor reset anyone
        users = session.scalars(select(User).order_by(User.id)).all()
    assert [u.locked_at is not None for u in users] == [False, True]
    assert not any(u.must_change_password for u in users)


async def test_an_expired_code_answers_alike(
    enrollment_http: httpx.AsyncClient,
    sessions: sessionmaker[Session],
    time_skipping_env: WorkflowEnvironment,
) -> None:
    cedulas = people(sessions)
    for cedula in cedulas.values():
        await start(enrollment_http, cedula)
        await code(enrollment_http, cedula)  # waits for the lookup; 4 tries left
    await time_skipping_env.sleep(CODE_TTL + timedelta(minutes=1))

    answers = {who: await code(enrollment_http, c) for who, c in cedulas.items()}

    assert len({repr(a) for a in answers.values()}) == 1, answers
    status, body = answers["stranger"]
    assert status == 200 and body["estado"] == "CODIGO_EXPIRADO"
    assert body["mensaje"] == "El código de seguridad expiró. Inicia nuevamente tu registro."


async def test_codes_and_passwords_go_only_to_the_registered_contact(
    enrollment_http: httpx.AsyncClient,
    sessions: sessionmaker[Session],
    time_skipping_env: WorkflowEnvironment,
) -> None:
    cedulas = people(sessions)
    locked = cedulas["locked"]
    redirected = [
        {"celular": "0999999999"},
        {"correo": "atacante@example.com"},
        {"email": "atacante@example.com", "mobile": "0999999999"},
    ]
    refused = [
        await enrollment_http.post(
            "/api/v1/enrollment",
            json={"tipo_identificacion": "CEDULA", "identificacion": locked, **extra},
        )
        for extra in redirected
    ]
    await start(enrollment_http, cedulas["stranger"])
    await start(enrollment_http, locked)
    await code(enrollment_http, locked)  # waits for the SMS to be queued
    sms = re.search(r"\b(\d{6})\b", outbox_text(sessions, "otp"))
    assert sms is not None and sms.group(1) != WRONG
    status, done = await code(enrollment_http, locked, sms.group(1))
    await end(time_skipping_env, cedulas["stranger"], locked)

    assert {r.status_code for r in refused} == {422}
    assert {r.json()["code"] for r in refused} == {"DATOS_INVALIDOS"}
    with sessions() as session:
        member = session.scalars(select(Member).where(Member.identification == locked)).one()
        user = session.scalars(select(User).where(User.member_id == member.id)).one()
        sent = session.execute(
            select(OutboundMessage.channel, OutboundMessage.recipient, OutboundMessage.template)
        ).all()
    assert sorted(sent) == [
        (Channel.EMAIL, member.email, "temporary_password"),
        (Channel.SMS, member.mobile, "otp"),
    ]  # nothing for the stranger, nothing to the addresses the attacker typed
    assert "recuperar tu clave" in outbox_text(sessions, "otp")
    assert status == 200 and done["estado"] == "COMPLETADO"
    assert user.locked_at is None and user.must_change_password  # a recovery, as documented
