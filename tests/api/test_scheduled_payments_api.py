"""Pagos Programados through the API on the dev server: terms + OTP bound to the
parameters, the Schedule created with the row, list with next run, pause, resume, cancel."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import date, timedelta

import pytest
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import Client
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment

from bank.core.settings import ApiSettings
from bank.models import PaymentOutcome, ServicePaymentRecord
from tests.api.movement_support import Member, Money, make_member, running_money

URL = "/api/v1/scheduled-payments"


@pytest.fixture
async def money(
    api_settings: ApiSettings, dev_env: WorkflowEnvironment, sessions: sessionmaker[Session]
) -> AsyncIterator[Money]:
    async with running_money(api_settings, dev_env, sessions) as m:
        try:
            yield m
        finally:
            async for found in await dev_env.client.list_schedules():
                if found.id.startswith("sched-pay-"):
                    await dev_env.client.get_schedule_handle(found.id).delete()


@pytest.fixture
async def ana(money: Money) -> Member:
    with money.sessions.begin() as session:
        member = make_member(session, "ana", 10_000)
    return await money.login(member)


def params(member: Member, **changes: object) -> dict:
    body: dict = {
        "cuenta": member.savings,
        "empresa": "EEQ",
        "suministro": "12345678",
        "monto_maximo": "50.00",
        "frecuencia": "MENSUAL",
        "dia": 5,
        "desde": date.today().isoformat(),
        "hasta": (date.today() + timedelta(days=365)).isoformat(),
    }
    body.update(changes)
    return body


async def authorise(money: Money, member: Member, **changes: object) -> dict:
    asked = await money.http.post(
        f"{URL}/code",
        json={**params(member, **changes), "acepta_terminos": True},
        headers=member.headers,
    )
    assert asked.status_code == 200, asked.text
    body = {
        **params(member, **changes),
        "id_autorizacion": asked.json()["id_autorizacion"],
        "codigo": money.otp_code(member.member_id),
    }
    made = await money.http.post(URL, json=body, headers=member.headers)
    assert made.status_code == 201, made.text
    return made.json()


async def schedule_exists(client: Client, payment_id: int) -> bool:
    try:
        await client.get_schedule_handle(f"sched-pay-{payment_id}").describe()
    except RPCError:
        return False
    return True


async def test_authorise_lists_with_next_run_and_cancel_deletes_the_schedule(
    money: Money, ana: Member
) -> None:
    made = await authorise(money, ana)
    assert made["estado"] == "ACTIVO" and made["monto_maximo"] == "50.00"
    assert await schedule_exists(money.env.client, made["id"])
    listed = (await money.http.get(URL, headers=ana.headers)).json()
    assert [p["id"] for p in listed] == [made["id"]]
    next_run = listed[0]["proxima_ejecucion"]
    assert next_run is not None and next_run[8:10] in ("05", "04")  # the 5th, 08:00 Guayaquil
    cancelled = await money.http.delete(f"{URL}/{made['id']}", headers=ana.headers)
    assert cancelled.json()["estado"] == "CANCELADO"
    assert not await schedule_exists(money.env.client, made["id"])
    assert (await money.http.get(URL, headers=ana.headers)).json() == []


async def test_pause_and_resume_reach_the_schedule(money: Money, ana: Member) -> None:
    made = await authorise(money, ana)
    handle = money.env.client.get_schedule_handle(f"sched-pay-{made['id']}")
    paused = await money.http.post(f"{URL}/{made['id']}/pause", headers=ana.headers)
    assert paused.json()["estado"] == "PAUSADO"
    assert paused.json()["cuenta"] == "X" * (len(ana.savings) - 4) + ana.savings[-4:]
    assert (await handle.describe()).schedule.state.paused
    listed = (await money.http.get(URL, headers=ana.headers)).json()
    assert listed[0]["proxima_ejecucion"] is None
    await money.http.post(f"{URL}/{made['id']}/resume", headers=ana.headers)
    assert not (await handle.describe()).schedule.state.paused


async def test_the_code_authorises_only_the_parameters_it_was_sent_for(
    money: Money, ana: Member
) -> None:
    asked = await money.http.post(
        f"{URL}/code", json={**params(ana), "acepta_terminos": True}, headers=ana.headers
    )
    body = {
        **params(ana, monto_maximo="500.00"),
        "id_autorizacion": asked.json()["id_autorizacion"],
        "codigo": money.otp_code(ana.member_id),
    }
    refused = await money.http.post(URL, json=body, headers=ana.headers)
    assert refused.status_code == 422, refused.text
    assert (await money.http.get(URL, headers=ana.headers)).json() == []


async def test_terms_must_be_accepted_and_the_account_must_be_ones_own(
    money: Money, ana: Member
) -> None:
    no_terms = await money.http.post(
        f"{URL}/code", json={**params(ana), "acepta_terminos": False}, headers=ana.headers
    )
    assert no_terms.json()["code"] == "TERMINOS_NO_ACEPTADOS"
    with money.sessions.begin() as session:
        beto = make_member(session, "beto", 0)
    stranger = await money.http.post(
        f"{URL}/code", json={**params(beto), "acepta_terminos": True}, headers=ana.headers
    )
    assert stranger.status_code == 404


async def test_another_members_authorisation_is_not_found(money: Money, ana: Member) -> None:
    made = await authorise(money, ana)
    with money.sessions.begin() as session:
        beto = make_member(session, "beto", 0)
    beto = await money.login(beto)
    response = await money.http.delete(f"{URL}/{made['id']}", headers=beto.headers)
    assert response.status_code == 404
    assert await schedule_exists(money.env.client, made["id"])


async def test_a_new_maximum_needs_its_own_code(money: Money, ana: Member) -> None:
    made = await authorise(money, ana)
    asked = await money.http.post(
        f"{URL}/{made['id']}/max/code", json={"monto_maximo": "80.00"}, headers=ana.headers
    )
    assert asked.status_code == 200, asked.text
    code = money.otp_code(ana.member_id)
    sneaky = await money.http.post(
        f"{URL}/{made['id']}/max",
        json={
            "monto_maximo": "800.00",
            "id_autorizacion": asked.json()["id_autorizacion"],
            "codigo": code,
        },
        headers=ana.headers,
    )
    assert sneaky.status_code == 422
    asked = await money.http.post(
        f"{URL}/{made['id']}/max/code", json={"monto_maximo": "80.00"}, headers=ana.headers
    )
    changed = await money.http.post(
        f"{URL}/{made['id']}/max",
        json={
            "monto_maximo": "80.00",
            "id_autorizacion": asked.json()["id_autorizacion"],
            "codigo": money.otp_code(ana.member_id),
        },
        headers=ana.headers,
    )
    assert changed.status_code == 200, changed.text
    assert changed.json()["monto_maximo"] == "80.00"


async def test_the_list_tells_the_last_outcome_in_words(money: Money, ana: Member) -> None:
    made = await authorise(money, ana)
    with money.sessions.begin() as session:
        session.add(
            ServicePaymentRecord(
                key=f"sched-pay-{made['id']}-run",
                member_id=ana.member_id,
                account_id=ana.savings_id,
                schedule_id=made["id"],
                automatic=True,
                category="LUZ",
                company_code="EEQ",
                company_name="EMPRESA ELECTRICA QUITO",
                supply_number="12345678",
                receipts=[],
                outcome=PaymentOutcome.SUPERA_MONTO_MAXIMO,
                code="SPTEST0001",
            )
        )
    listed = (await money.http.get(URL, headers=ana.headers)).json()
    assert (listed[0]["ultimo_resultado"], listed[0]["ultimo_resultado_descripcion"]) == (
        "SUPERA_MONTO_MAXIMO",
        "La factura supera el monto máximo autorizado",
    )
