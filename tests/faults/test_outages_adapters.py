"""Outages of the outside world: the SPI and the biller network failing or slow, the SMS
gateway and the SMTP relay down.

The real app and the real movement workflow and activities run on the dev server (real
time: the retries' backoff is real). Each adapter is the real simulator wrapped in a
fault-injecting wrapper of ``outage_support`` that counts the calls it saw. The member's
view meanwhile is read through the routes a portal polls; afterwards the outcome is
exactly once: one posting, one order or payment at the other side, one delivery of each
message, books sound.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Coroutine, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

import httpx
import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.kyc import KycActivities
from bank.adapters.billers import SimulatedBillers
from bank.adapters.email import SmtpMailer
from bank.adapters.local_documents import LocalDocumentStore
from bank.adapters.mail_sink import start_sink
from bank.adapters.sms import SimulatedSms
from bank.adapters.spi import SimulatedSpi
from bank.models import MessageStatus, OutboundMessage, utcnow
from bank.notifications.dispatcher import Dispatcher
from bank.notifications.mailbox import read_mailbox
from tests.api.credit_support import Api, ApiFakes, build_app, offered
from tests.api.movement_support import Member, Money, make_member
from tests.bank.kyc_support import pdf_pages
from tests.faults.invariants import (
    assert_books_sound,
    assert_no_duplicate_messages,
    entries_by_kind,
)
from tests.faults.outage_support import (
    IMMEDIATE,
    SECRET,
    FlakyBillers,
    FlakySms,
    FlakySpi,
    FlakyStore,
    Outage,
    interbank,
    money_of,
    movement_app,
    movement_worker,
    new_task_queue,
    outage_settings,
    serving,
    wait_for_state,
)
from tests.support.net import free_port
from tests.support.temporal import terminate_all, terminate_if_running
from tests.workflows.credit_fakes import profile
from workflows.credit.journey import CreditJourneyWorkflow
from workflows.movement.contract import workflow_id

WATER = "EPMAPS"
SUPPLY = "1234567"


@dataclass
class Rig:
    """What a test drives (``money``), the outages it switches and what it inspects."""

    money: Money
    ana: Member
    spi: FlakySpi
    billers: FlakyBillers
    sms: FlakySms
    dispatcher: Dispatcher
    mailbox: Path
    smtp_port: int
    skew: list[timedelta] = field(default_factory=lambda: [timedelta(0)])

    def later(self, by: timedelta) -> None:
        """Move the dispatcher's clock (its backoff) forward, as the minutes pass."""
        self.skew[0] += by

    def otp_key(self) -> str:
        """The outbox key of the one SMS code queued so far."""
        with self.money.sessions() as session:
            keys = session.scalars(
                select(OutboundMessage.idempotency_key).where(
                    OutboundMessage.idempotency_key.startswith("otp:")
                )
            ).all()
        assert len(keys) == 1, keys
        return keys[0]

    def outbox(self, key: str) -> OutboundMessage:
        with self.money.sessions() as session:
            row = session.scalar(
                select(OutboundMessage).where(OutboundMessage.idempotency_key == key)
            )
            assert row is not None, key
            session.expunge(row)
            return row


@pytest.fixture
async def rig(
    dev_env: WorkflowEnvironment, database_url: str, sessions: sessionmaker[Session], tmp_path: Path
) -> AsyncIterator[Rig]:
    """Ana (1,000.00 USD) logged in; the app and a worker whose adapters can fail."""
    with sessions.begin() as session:
        ana = make_member(session, "ana", 100_000)
    mailbox, smtp_port = tmp_path / "mailbox", free_port()
    spi = FlakySpi(SimulatedSpi(immediate_delay=IMMEDIATE), Outage())
    billers = FlakyBillers(SimulatedBillers(sessions), Outage())
    sms = FlakySms(SimulatedSms(mailbox), Outage())
    skew = [timedelta(0)]

    def clock() -> datetime:
        return utcnow() + skew[0]

    dispatcher = Dispatcher(
        sessions,
        mailer=SmtpMailer("127.0.0.1", smtp_port, mail_from="no-reply@cooprogreso.fin.ec"),
        sms=sms,
        secret_key=SECRET,
        dev_outbox=False,
        clock=clock,
    )
    task_queue = new_task_queue()
    target = dev_env.client.service_client.config.target_host
    app = movement_app(outage_settings(database_url, target, task_queue), sessions, billers)
    worker = movement_worker(
        dev_env.client,
        task_queue,
        sessions,
        spi=spi,
        billers=billers,
        deliver=dispatcher.deliver_now,
    )
    async with worker, serving(app) as http:
        money = money_of(http, dev_env.client, sessions, billers)
        try:
            yield Rig(
                money,
                await money.login(ana),
                spi,
                billers,
                sms,
                dispatcher,
                mailbox,
                smtp_port,
                skew,
            )
        finally:
            spi.outage.speed_up()
            for member_id, key in money.keys:
                with suppress(Exception):
                    await terminate_if_running(
                        dev_env.client.get_workflow_handle(workflow_id(member_id, key))
                    )


@pytest.fixture
def smtp_up(rig: Rig) -> Iterator[list[Controller]]:
    """Start the SMTP sink on the rig's port by calling the yielded list's ``append``."""
    started: list[Controller] = []
    yield started
    for controller in started:
        controller.stop()


def code_sent_to(mailbox: Path) -> str:
    """The newest SMS code the member received."""
    codes = [e.otp_code for e in read_mailbox(mailbox) if e.channel == "sms" and e.otp_code]
    assert codes, "no SMS code arrived"
    return codes[0]


async def test_spi_down_then_slow_the_transfer_shows_in_process_and_credits_once(
    rig: Rig,
) -> None:
    money, ana = rig.money, rig.ana
    key, started = await money.start(ana, "/transfers", interbank(ana, "20.00"))
    assert started.status_code == 201, started.text
    rig.spi.outage.fail_next = 2  # the order is refused twice: retried after 1 s, then 2 s
    confirmed = await money.confirm(ana, key, code_sent_to(rig.mailbox))
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["estado"] == "EN_PROCESO"
    assert "en proceso de acreditación" in confirmed.json()["mensaje"]
    # Then the clearing answers slowly: the member still reads "en proceso", debited once.
    rig.spi.outage.slow_down()  # refused calls fail at once; the first accepted one waits
    assert await asyncio.to_thread(rig.spi.outage.held.wait, 30)
    meanwhile = await money.get(ana, key)
    assert meanwhile.json()["estado"] == "EN_PROCESO"
    assert money.balance(ana.savings_id) == 100_000 - 2_041
    rig.spi.outage.speed_up()
    done = await wait_for_state(money, ana, key, "EXITOSA")
    assert done["resumen"]["total"] == "20.41"
    assert rig.spi.outage.failures == 2
    assert rig.spi.outage.calls >= 4  # two refused submissions, one accepted, a status
    assert rig.spi.submitted == {workflow_id(ana.member_id, key): 1}
    assert money.balance(ana.savings_id) == 100_000 - 2_041
    assert entries_by_kind(money.sessions)["INTERBANK_TRANSFER"] == 1
    assert_books_sound(money.sessions)
    assert_no_duplicate_messages(money.sessions, rig.mailbox)


async def test_biller_down_the_payment_answers_in_process_then_pays_the_bill_once(
    rig: Rig,
) -> None:
    money, ana = rig.money, rig.ana
    receipt = rig.billers.real.issue_bill(WATER, SUPPLY, 713)  # type: ignore[attr-defined]
    body = {"cuenta_origen": ana.savings, "empresa": WATER, "suministro": SUPPLY}
    key, started = await money.start(
        ana, "/services/payments", {**body, "recibos": [receipt.number]}
    )
    assert started.status_code == 201, started.text
    rig.billers.outage.down = True
    # The confirmation waits for the company up to 10 s, then says "en proceso".
    confirmed = await money.confirm(ana, key, code_sent_to(rig.mailbox))
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["estado"] == "EN_PROCESO"
    assert money.balance(ana.savings_id) == 100_000 - 749
    assert rig.billers.outage.failures >= 3  # retried with backoff: 1 s, 2 s, 4 s…
    rig.billers.outage.down = False
    done = await wait_for_state(money, ana, key, "EXITOSA", within=40)
    assert done["resumen"]["total"] == "7.49"
    assert rig.billers.paid == {workflow_id(ana.member_id, key): 1}
    assert money.balance(ana.savings_id) == 100_000 - 749
    assert entries_by_kind(money.sessions)["SERVICE_PAYMENT"] == 1
    assert_books_sound(money.sessions)
    assert_no_duplicate_messages(money.sessions, rig.mailbox)


async def test_a_blip_of_the_biller_network_at_the_preview_is_ridden_out(rig: Rig) -> None:
    money, ana = rig.money, rig.ana
    receipt = rig.billers.real.issue_bill(WATER, SUPPLY, 713)  # type: ignore[attr-defined]
    body = {"cuenta_origen": ana.savings, "empresa": WATER, "suministro": SUPPLY}
    rig.billers.lookups.fail_next = 1  # the company's network misses one answer
    key, started = await money.start(
        ana, "/services/payments", {**body, "recibos": [receipt.number]}
    )
    # Retried (0.2 s later) before the member is told anything: the preview, not a 503
    # that the same Idempotency-Key would keep answering after the network is back.
    assert started.status_code == 201, started.text
    assert started.json()["estado"] == "ESPERANDO_CODIGO"
    assert started.json()["resumen"]["total"] == "7.49"
    assert (rig.billers.lookups.failures, rig.billers.lookups.calls) == (1, 2)
    _, again = await money.start(
        ana, "/services/payments", {**body, "recibos": [receipt.number]}, key=key
    )
    assert again.json()["estado"] == "ESPERANDO_CODIGO"  # the same movement, joined
    assert_no_duplicate_messages(money.sessions, rig.mailbox)


async def test_a_biller_network_down_at_the_preview_is_a_clear_503(rig: Rig) -> None:
    money, ana = rig.money, rig.ana
    receipt = rig.billers.real.issue_bill(WATER, SUPPLY, 713)  # type: ignore[attr-defined]
    body = {"cuenta_origen": ana.savings, "empresa": WATER, "suministro": SUPPLY}
    rig.billers.lookups.down = True
    _, refused = await money.start(ana, "/services/payments", {**body, "recibos": [receipt.number]})
    assert refused.status_code == 503, refused.text
    assert refused.json()["code"] == "SERVICIO_NO_DISPONIBLE"
    assert refused.json()["message"] == (
        "El servicio no está disponible en este momento. Intenta más tarde."
    )
    assert rig.billers.lookups.calls == 6  # every attempt of the preview's QUICK policy
    assert money.balance(ana.savings_id) == 100_000
    assert read_mailbox(rig.mailbox) == []  # no code for a payment that cannot be made


async def test_sms_gateway_down_the_code_arrives_once_when_it_is_back(rig: Rig) -> None:
    money, ana = rig.money, rig.ana
    rig.sms.outage.down = True
    key, started = await money.start(ana, "/transfers", interbank(ana, "5.00"))
    # The preview answers at once; the code waits in the outbox for the gateway.
    assert started.status_code == 201, started.text
    assert started.json()["estado"] == "ESPERANDO_CODIGO"
    assert read_mailbox(rig.mailbox) == []
    message_key = rig.otp_key()
    pending = rig.outbox(message_key)
    assert (pending.status, pending.attempts) == (MessageStatus.PENDING, 1)
    assert "fuera de línea" in (pending.last_error or "")
    assert rig.dispatcher.dispatch_pending().keys == []  # not due yet: backoff of 30 s
    rig.sms.outage.down = False
    rig.later(timedelta(seconds=31))
    assert rig.dispatcher.dispatch_pending().sent == 1
    assert rig.dispatcher.dispatch_pending().keys == []
    assert rig.outbox(message_key).status is MessageStatus.SENT
    confirmed = await money.confirm(ana, key, code_sent_to(rig.mailbox))
    assert confirmed.status_code == 200, confirmed.text
    assert confirmed.json()["estado"] == "EN_PROCESO"
    await wait_for_state(money, ana, key, "EXITOSA")
    assert rig.sms.sent == {message_key: 1}
    assert rig.sms.outage.failures == 1
    assert money.balance(ana.savings_id) == 100_000 - 541
    assert_books_sound(money.sessions)
    assert_no_duplicate_messages(money.sessions, rig.mailbox)


async def test_smtp_down_the_rejection_email_waits_and_is_sent_once(
    rig: Rig, smtp_up: list[Controller]
) -> None:
    money, ana = rig.money, rig.ana
    # An account that does not exist at the other bank: the SPI rejects, the money comes back.
    key, started = await money.start(ana, "/transfers", interbank(ana, "20.00", "2200130000"))
    assert started.status_code == 201, started.text
    confirmed = await money.confirm(ana, key, code_sent_to(rig.mailbox))
    assert confirmed.status_code == 200, confirmed.text
    done = await wait_for_state(money, ana, key, "REVERSADA")
    assert done["error"]["code"] == "CUENTA_INEXISTENTE"
    assert money.balance(ana.savings_id) == 100_000
    email_key = f"{workflow_id(ana.member_id, key)}:rejected"
    pending = rig.outbox(email_key)
    assert (pending.status, pending.attempts) == (MessageStatus.PENDING, 1)
    assert [e for e in read_mailbox(rig.mailbox) if e.channel == "email"] == []
    smtp_up.append(start_sink(rig.mailbox, port=rig.smtp_port))
    rig.later(timedelta(seconds=31))
    assert rig.dispatcher.dispatch_pending().sent == 1
    rig.later(timedelta(hours=4))
    assert rig.dispatcher.dispatch_pending().keys == []
    emails = [e for e in read_mailbox(rig.mailbox) if e.channel == "email"]
    assert len(emails) == 1
    assert emails[0].subject == "Transferencia no realizada"
    assert rig.outbox(email_key).status is MessageStatus.SENT
    assert_books_sound(money.sessions)
    assert_no_duplicate_messages(money.sessions, rig.mailbox)


@dataclass
class Credit:
    """Nancy's credit journey, amount chosen, with outages of the store on both sides."""

    api: Api
    headers: dict[str, str]
    checks: Outage
    """The KYC worker's store (the upload's check reads the file)."""
    deletes: Outage
    """The API's store, for deletes only (an upload the journey refused is removed)."""


@pytest.fixture
async def credit(
    dev_env: WorkflowEnvironment,
    database_url: str,
    sessions: sessionmaker[Session],
    tmp_path: Path,
) -> AsyncIterator[Credit]:
    """The credit app and a worker: fake activities but the real document check."""
    task_queue = new_task_queue()
    target = dev_env.client.service_client.config.target_host
    store = LocalDocumentStore(tmp_path / "documents")
    checks, deletes = Outage(), Outage()
    fakes = ApiFakes(profile=profile(married=False), secret_key=SECRET, sessions=sessions)
    checker = KycActivities(FlakyStore(store, checks))
    activities = [a for a in fakes.all() if a != fakes.validate_document]
    api_store = cast(LocalDocumentStore, FlakyStore(store, deletes, frozenset({"delete"})))
    settings = outage_settings(database_url, target, task_queue)
    app = build_app(settings, dev_env, task_queue, api_store)
    worker = Worker(
        dev_env.client,
        task_queue=task_queue,
        workflows=[CreditJourneyWorkflow],
        activities=[*activities, checker.validate_document],
        activity_executor=ThreadPoolExecutor(2),
    )
    async with worker, serving(app) as http:
        api = Api(http, fakes, store, task_queue, dev_env)
        try:
            (headers,) = await offered(api, sessions, "nancy")
            assert (await http.post(f"{api.offer_url}/accept", headers=headers)).is_success
            chosen = await http.post(
                f"{api.offer_url}/choose", json={"monto": 9900, "plazo": 24}, headers=headers
            )
            assert "ID_BACK" in chosen.json()["documentos_requeridos"], chosen.text
            yield Credit(api, headers, checks, deletes)
        finally:
            await terminate_all(dev_env, task_queue, api.journeys)


def upload(credit: Credit, kind: str) -> Coroutine[Any, Any, httpx.Response]:
    """POST one PDF as the document ``kind`` (the member's "Cargar")."""
    return credit.api.http.post(
        f"{credit.api.offer_url}/documents/{kind}",
        files={"archivo": ("documento.pdf", pdf_pages(1))},
        headers=credit.headers,
    )


async def test_document_store_failing_the_upload_check_retries_and_keeps_the_document_once(
    credit: Credit,
) -> None:
    api, outage = credit.api, credit.checks
    outage.fail_next = 2  # the store refuses twice: retried after 1 s, then 2 s
    uploading = asyncio.create_task(upload(credit, "ID_BACK"))
    assert await asyncio.to_thread(outage.failed.wait, 30)
    # Meanwhile the journey answers: still collecting, the document not yet kept.
    meanwhile = await api.http.get(api.offer_url, headers=credit.headers)
    assert meanwhile.status_code == 200, meanwhile.text
    assert meanwhile.json()["documentos"] == []
    uploaded = await uploading
    assert uploaded.status_code == 200, uploaded.text
    assert uploaded.json()["aceptado"] is True
    assert "ID_BACK" not in uploaded.json()["faltantes"]
    assert outage.failures == 2 and outage.calls == 3
    journey = (await api.http.get(api.offer_url, headers=credit.headers)).json()
    assert [(d["tipo"], d["aceptado"]) for d in journey["documentos"]] == [("ID_BACK", True)]
    assert len(api.stored("credit/uploads")) == 1  # nothing lost, nothing stored twice


async def test_a_refused_upload_is_answered_even_when_the_store_cannot_remove_it(
    credit: Credit,
) -> None:
    credit.deletes.down = True
    refused = await upload(credit, "SPOUSE_ID_FRONT")  # a single member: not required
    assert refused.status_code == 422, refused.text
    assert refused.json()["code"] == "DOCUMENTO_INVALIDO"
    assert refused.json()["message"] == "Este documento no es requerido para tu crédito."
    assert credit.deletes.failures == 1
