"""Enrollment end to end: the API, the workflow on the time-skipping server, the real
activities on PostgreSQL, the outbox; ends with the member's first login (manual steps 3-6)."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from datetime import date

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client
from temporalio.worker import Worker

from activities.enrollment import EnrollmentActivities
from api.deps import get_temporal_client
from api.main import create_app
from bank.access import enrollment
from bank.core.settings import ApiSettings
from bank.models import AuditEvent, CivilStatus, IdentificationType, Member, OutboundMessage, User
from bank.notifications.outbox import unseal
from workflows.enrollment.workflow import EnrollmentWorkflow

SECRET = "e2e-enrollment-secret-0123456789-abcdefghijklmnopq"
MEMBER_CEDULA = "1713175071"
STRANGER_CEDULA = "0926687856"


def add_member(sessions: sessionmaker[Session]) -> int:
    with sessions.begin() as session:
        member = Member(
            identification_type=IdentificationType.CEDULA,
            identification=MEMBER_CEDULA,
            first_names="NANCY ELIZABETH",
            last_names="ORTIZ VEGA",
            birth_date=date(1985, 7, 1),
            civil_status=CivilStatus.CASADO,
            mobile="0987654321",
            email="nancy.ortiz@example.ec",
        )
        session.add(member)
        session.flush()
        return member.id


def outbox_text(sessions: sessionmaker[Session], template: str) -> str:
    with sessions() as session:
        message = session.scalars(
            select(OutboundMessage).where(OutboundMessage.template == template)
        ).one()
        return unseal(SECRET, message.idempotency_key, message.body_text)


@pytest.fixture
async def http(
    time_skipping_env, task_queue, database_url, sessions, monkeypatch
) -> AsyncIterator[httpx.AsyncClient]:
    """The real app (its Temporal client replaced by the test server's) and a real worker."""
    client: Client = time_skipping_env.client
    settings = ApiSettings(
        database_url=database_url, secret_key=SECRET, dev_outbox=False, task_queue=task_queue
    )
    app = create_app(settings)

    async def temporal() -> Client:
        return client

    app.dependency_overrides[get_temporal_client] = temporal
    activities = EnrollmentActivities(sessions, secret_key=SECRET)
    with ThreadPoolExecutor(4) as executor:
        async with (
            Worker(
                client,
                task_queue=task_queue,
                workflows=[EnrollmentWorkflow],
                activities=activities.all(),
                activity_executor=executor,
            ),
            app.router.lifespan_context(app),
            httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://test"
            ) as http_client,
        ):
            yield http_client


ORIGIN = "origin:127.0.0.1"
"""httpx's ASGI transport reports the client as 127.0.0.1."""


async def start(http: httpx.AsyncClient, cedula: str) -> httpx.Response:
    return await http.post(
        "/api/v1/enrollment", json={"tipo_identificacion": "CEDULA", "identificacion": cedula}
    )


async def test_member_enrolls_and_logs_in_with_the_emailed_password(http, sessions):
    add_member(sessions)
    first, again = await start(http, MEMBER_CEDULA), await start(http, MEMBER_CEDULA)
    assert first.status_code == again.status_code == 202
    enrollment_id = first.json()["id_registro"]
    assert again.json()["id_registro"] == enrollment_id == f"enroll-{MEMBER_CEDULA}"

    url = f"/api/v1/enrollment/{enrollment_id}/codigo"
    # The answer to a first (wrong) code also tells us the SMS is in the outbox: the
    # update waits for the lookup. (Once in a million the real code is 000000.)
    wrong = (await http.post(url, json={"codigo": "000000"})).json()
    assert wrong["estado"] == "CODIGO_INCORRECTO" and wrong["intentos_restantes"] == 4
    code = re.search(r"\b(\d{6})\b", outbox_text(sessions, "otp"))
    assert code
    done = await http.post(url, json={"codigo": code.group(1)})
    assert done.status_code == 200 and done.json()["estado"] == "COMPLETADO"

    email = outbox_text(sessions, "temporary_password")
    with sessions() as session:
        user = session.scalars(select(User)).one()
    assert user.username == "nortiz01" and user.username in email
    password = re.search(r"CONTRASEÑA TEMPORAL:?\s*(\S+)", email)
    assert password
    login = await http.post(
        "/api/v1/auth/login", json={"username": user.username, "password": password.group(1)}
    )
    assert login.status_code == 200 and login.json()["must_change_password"] is True


async def test_answers_never_tell_whether_a_cedula_belongs_to_a_member(http, sessions):
    add_member(sessions)
    member, stranger = await start(http, MEMBER_CEDULA), await start(http, STRANGER_CEDULA)
    assert member.status_code == stranger.status_code == 202
    assert member.json()["mensaje"] == stranger.json()["mensaje"]
    for cedula in (MEMBER_CEDULA, STRANGER_CEDULA):
        url = f"/api/v1/enrollment/enroll-{cedula}/codigo"
        answers = [(await http.post(url, json={"codigo": "000000"})).json() for _ in range(5)]
        assert [a["intentos_restantes"] for a in answers] == [4, 3, 2, 1, 0]
        assert answers[-1]["estado"] == "INTENTOS_AGOTADOS"


async def test_bad_input_is_a_spanish_4xx(http):
    bad_cedula = await start(http, "1710034066")
    assert bad_cedula.status_code == 422 and bad_cedula.json()["code"] == "IDENTIFICACION_INVALIDA"
    assert bad_cedula.json()["message"] == "La cédula ingresada no es válida."
    bad_code = await http.post(
        "/api/v1/enrollment/enroll-1713175071/codigo", json={"codigo": "12ab"}
    )
    assert bad_code.status_code == 422 and bad_code.json()["code"] == "CODIGO_INVALIDO"
    unknown = await http.post(
        "/api/v1/enrollment/enroll-1104680135/codigo", json={"codigo": "123456"}
    )
    assert unknown.status_code == 404 and unknown.json()["code"] == "REGISTRO_NO_ENCONTRADO"


async def test_starts_are_limited_per_origin_whoever_is_asked_for(http, sessions):
    add_member(sessions)
    with sessions.begin() as session:
        for _ in range(enrollment.REQUESTS_PER_ORIGIN_PER_HOUR - 1):
            session.add(AuditEvent(actor="anonymous", action=enrollment.REQUESTED, subject=ORIGIN))
    last = await start(http, MEMBER_CEDULA)
    assert last.status_code == 202, last.text
    member, stranger = await start(http, MEMBER_CEDULA), await start(http, "1710034065")
    for refused in (member, stranger):
        assert refused.status_code == 429
        assert refused.json() == {
            "code": "DEMASIADAS_SOLICITUDES",
            "message": "Realizaste demasiadas solicitudes desde esta conexión. "
            "Inténtalo nuevamente en una hora.",
            "details": None,
        }
