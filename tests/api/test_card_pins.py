"""Cambiar clave and Recuperar clave of a card over HTTP: the real app, the real workflow and
activities on PostgreSQL and the time-skipping server; the code read from the SMS outbox,
the temporary PIN from the email. Every log line of the run is searched for secrets."""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.card_pins import CardPinActivities
from api.deps import get_temporal_client
from api.main import API_PREFIX, create_app
from bank.cards import pins
from bank.core.settings import ApiSettings
from bank.models import Card, CardKind, CardPin, OutboundMessage
from bank.notifications.outbox import unseal
from tests import factories as f
from tests.api.movement_support import OTP_RE
from workflows.card_pin.workflow import CardPinChangeWorkflow


@dataclass
class Pins:
    http: httpx.AsyncClient
    sessions: sessionmaker[Session]
    secret: str
    headers: dict[str, str]
    debit_id: int
    credit_id: int
    stranger_card_id: int

    async def change(self, card_id: int, previous: str, new: str, again: str | None = None):
        body = {"clave_anterior": previous, "clave_nueva": new, "confirmacion": again or new}
        return await self.http.post(
            f"{API_PREFIX}/cards/{card_id}/pin/change", json=body, headers=self.headers
        )

    async def confirm(self, card_id: int, code: str) -> httpx.Response:
        return await self.http.post(
            f"{API_PREFIX}/cards/{card_id}/pin/change/confirm",
            json={"codigo": code},
            headers=self.headers,
        )

    async def status(self, card_id: int) -> dict:
        answer = await self.http.get(f"{API_PREFIX}/cards/{card_id}/pin", headers=self.headers)
        assert answer.status_code == 200, answer.text
        return answer.json()

    def newest(self, template: str) -> str:
        """The newest message of ``template``, unsealed (as the member reads it)."""
        with self.sessions() as session:
            message = session.scalars(
                select(OutboundMessage)
                .where(OutboundMessage.template == template)
                .order_by(OutboundMessage.id.desc())
            ).first()
            assert message is not None, f"no {template} message"
            return unseal(self.secret, message.idempotency_key, message.body_text)

    def digest(self, card_id: int) -> str:
        with self.sessions() as session:
            row = session.get(CardPin, card_id)
            assert row is not None
            return row.pin_digest

    def expected(self, card_id: int, pin: str) -> str:
        with self.sessions() as session:
            card = session.get(Card, card_id)
            assert card is not None
            return pins.pin_digest(self.secret, card, pin)


@pytest.fixture
async def pin_api(
    api_settings: ApiSettings, time_skipping_env: WorkflowEnvironment, sessions
) -> AsyncIterator[Pins]:
    task_queue = f"test-{uuid.uuid4()}"
    settings = api_settings.model_copy(update={"task_queue": task_queue})
    app = create_app(settings)

    async def temporal_client() -> object:
        return time_skipping_env.client

    app.dependency_overrides[get_temporal_client] = temporal_client
    with sessions.begin() as session:
        member = f.make_member(session)
        f.make_user(session, member, username="gsilva")
        account = f.make_account(session, member)
        debit = f.make_card(session, member, CardKind.DEBIT, account=account)
        credit = f.make_card(session, member, CardKind.CREDIT, limit_cents=150_000)
        pins.set_initial(session, settings.secret_key, debit, "4821")
        pins.set_initial(session, settings.secret_key, credit, "7394")
        stranger = f.make_member(session)
        theirs = f.make_card(session, stranger, CardKind.DEBIT)
        pins.set_initial(session, settings.secret_key, theirs, "4821")
        ids = debit.id, credit.id, theirs.id
    activities = CardPinActivities(sessions, secret_key=settings.secret_key)
    async with (
        Worker(
            time_skipping_env.client,
            task_queue=task_queue,
            workflows=[CardPinChangeWorkflow],
            activities=activities.all(),
            activity_executor=ThreadPoolExecutor(4),
        ),
        app.router.lifespan_context(app),
        httpx.AsyncClient(
            transport=httpx.ASGITransport(app=app), base_url="http://testserver"
        ) as http,
    ):
        login = await http.post(
            f"{API_PREFIX}/auth/login", json={"username": "gsilva", "password": f.PASSWORD}
        )
        assert login.status_code == 200, login.text
        headers = {"Authorization": f"Bearer {login.json()['access_token']}"}
        yield Pins(http, sessions, settings.secret_key, headers, *ids)


@pytest.mark.parametrize(
    ("new", "again", "message"),
    [
        ("1234", "1234", "Evita utilizar dígitos consecutivos (por ejemplo 1234 o 9876)."),
        ("9999", "9999", "Evita utilizar dígitos repetidos (por ejemplo 1111)."),
        ("1705", "1705", "Evita utilizar tu fecha de nacimiento."),
        ("12a", "12a", "La clave debe tener 4 dígitos."),
        ("2649", "2694", "La confirmación no coincide con la nueva clave."),
        ("4821", "4821", "La nueva clave debe ser distinta de la anterior."),
    ],
)
async def test_a_new_pin_against_the_advice_is_refused_before_any_code(
    pin_api: Pins, new, again, message
):
    answer = await pin_api.change(pin_api.debit_id, "4821", new, again)
    assert answer.status_code == 422
    assert answer.json()["message"] == message
    assert answer.json()["code"] in {"CLAVE_INVALIDA", "CLAVES_NO_COINCIDEN"}
    assert pin_api.digest(pin_api.debit_id) == pin_api.expected(pin_api.debit_id, "4821")


async def test_member_changes_a_debit_and_a_credit_pin_with_the_sms_code(
    pin_api: Pins, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    codes = []
    for card_id, previous, new in (
        (pin_api.debit_id, "4821", "2649"),
        (pin_api.credit_id, "7394", "5830"),
    ):
        started = await pin_api.change(card_id, previous, new)
        assert started.status_code == 201, started.text
        body = started.json()
        assert body["estado"] == "AWAITING_OTP"
        assert body["mensaje"] == "Enviamos un código a tu celular por SMS. ¡Ingrésalo!"
        sms = pin_api.newest("otp")
        code = OTP_RE.search(sms)
        assert code is not None
        assert "es tu código para cambiar la clave de tu tarjeta XXXX" in sms
        codes.append(code.group(1))
        wrong = await pin_api.confirm(card_id, "000000" if code.group(1) != "000000" else "111111")
        assert wrong.status_code == 422
        assert wrong.json()["message"] == "El código ingresado es incorrecto. Te quedan 4 intentos."
        done = await pin_api.confirm(card_id, code.group(1))
        assert done.status_code == 200, done.text
        assert done.json()["estado"] == "CHANGED"
        assert done.json()["mensaje"] == "La clave de tu tarjeta se cambió con éxito."
        assert pin_api.digest(card_id) == pin_api.expected(card_id, new)
        assert (await pin_api.status(card_id))["estado"] == "ACTIVA"
    logged = "\n".join(r.getMessage() for r in caplog.records) + caplog.text
    for secret in ("4821", "2649", "7394", "5830", *codes):
        assert not re.search(rf"(?<![\d.:-]){secret}(?![\d:-])", logged), secret


async def test_wrong_previous_pins_block_then_recovery_emails_a_temporary_pin_to_change(
    pin_api: Pins, caplog: pytest.LogCaptureFixture
):
    caplog.set_level(logging.DEBUG)
    card = pin_api.debit_id
    first = await pin_api.change(card, "7394", "2649")
    assert first.status_code == 422
    assert first.json()["code"] == "CLAVE_ANTERIOR_INCORRECTA"
    assert first.json()["message"] == "La clave anterior es incorrecta. Te quedan 2 intentos."
    second = await pin_api.change(card, "7394", "2649")
    assert second.json()["message"] == "La clave anterior es incorrecta. Te queda 1 intento."
    third = await pin_api.change(card, "7394", "2649")
    assert (third.status_code, third.json()["code"]) == (409, "CLAVE_BLOQUEADA")
    assert (await pin_api.status(card))["estado"] == "BLOQUEADA"

    recovered = await pin_api.http.post(
        f"{API_PREFIX}/cards/{card}/pin/recover", headers=pin_api.headers
    )
    assert recovered.status_code == 200, recovered.text
    assert recovered.json()["mensaje"] == (
        "Estimado usuario hemos enviado una clave temporal a su correo electrónico registrado."
    )
    letter = pin_api.newest("card_pin_reset")
    assert "GENERACION DE CLAVE" in letter and "TIPO DE TARJETA: DEBITO" in letter
    found = re.search(r"CLAVE TEMPORAL: (\d{4})", letter)
    assert found is not None
    temporary = found.group(1)
    assert (await pin_api.status(card))["estado"] == "TEMPORAL"

    started = await pin_api.change(card, temporary, "2649")
    assert started.status_code == 201, started.text
    code = OTP_RE.search(pin_api.newest("otp"))
    assert code is not None
    done = await pin_api.confirm(card, code.group(1))
    assert done.json()["estado"] == "CHANGED"
    assert (await pin_api.status(card))["estado"] == "ACTIVA"
    logged = "\n".join(r.getMessage() for r in caplog.records) + caplog.text
    assert temporary not in logged and code.group(1) not in logged


async def test_another_members_card_is_not_found_and_nothing_changes(pin_api: Pins):
    theirs = pin_api.stranger_card_id
    for answer in (
        await pin_api.change(theirs, "4821", "2649"),
        await pin_api.http.post(
            f"{API_PREFIX}/cards/{theirs}/pin/recover", headers=pin_api.headers
        ),
        await pin_api.http.get(f"{API_PREFIX}/cards/{theirs}/pin", headers=pin_api.headers),
        await pin_api.confirm(theirs, "123456"),
    ):
        assert answer.status_code == 404, answer.text
        assert answer.json()["code"] == "TARJETA_NO_ENCONTRADA"
        assert answer.json()["message"] == "No encontramos la tarjeta."
    assert pin_api.digest(theirs) == pin_api.expected(theirs, "4821")
    with pin_api.sessions() as session:
        assert session.scalars(select(OutboundMessage)).all() == []
