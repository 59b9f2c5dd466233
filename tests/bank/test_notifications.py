"""The outbox and its dispatcher: sealing, retries, redaction, delivery to a real SMTP server."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bank.adapters.mail_sink import start_sink
from bank.adapters.sms import SimulatedSms
from bank.adapters.wiring import Adapters
from bank.core.settings import CoreSettings
from bank.models import Channel, MessageStatus, OutboundMessage
from bank.notifications import RetryPolicy, enqueue
from bank.notifications.mailbox import MailboxEntry, read_mailbox
from bank.notifications.outbox import REDACTED, unseal
from tests.bank.messaging_support import SECRET, Clock, dispatcher
from tests.support.net import free_port

PIN_RESET = {
    "name": "SILVA/GABRIEL",
    "card_number": "5509751234567023",
    "card_type": "DEBIT",
    "pin": "4366",
    "at": datetime(2024, 12, 18, 18, 26, 46, tzinfo=UTC),  # 13:26:46 in Quito
}


@pytest.fixture
def clock() -> Clock:
    return Clock()


def put(sessions: sessionmaker[Session], key: str, clock: Clock, **overrides: Any) -> None:
    fields: dict[str, Any] = {
        "channel": Channel.EMAIL,
        "recipient": "gabriel@example.ec",
        "template": "card_pin_reset",
        "context": PIN_RESET,
        "sensitive": True,
        **overrides,
    }
    with sessions.begin() as session:
        enqueue(session, key=key, secret_key=SECRET, clock=clock, **fields)


def row(sessions: sessionmaker[Session], key: str) -> OutboundMessage:
    with sessions() as session:
        message = session.scalars(
            select(OutboundMessage).where(OutboundMessage.idempotency_key == key)
        ).one()
        return message


def emails(inbox: Path) -> list[MailboxEntry]:
    return [m for m in read_mailbox(inbox) if m.channel == "email"] if inbox.exists() else []


def test_pin_reset_email_arrives_over_smtp_in_spanish(sessions, clock, smtp, tmp_path):
    port, inbox = smtp
    put(sessions, "pin-reset:1", clock)
    report = dispatcher(sessions, tmp_path, clock=clock, smtp_port=port).dispatch_pending()
    assert (report.sent, report.retried, report.failed) == (1, 0, 0)

    [email] = emails(inbox)
    assert email.subject == "GENERACION DE CLAVE"
    assert email.to == "gabriel@example.ec"
    for line in (
        "Quito, miércoles, 18 de diciembre de 2024 Hora 1:26 PM",
        "Estimado(a): SILVA/GABRIEL",
        "NÚMERO TARJETA: 550975XXXXXX7023",
        "TIPO DE TARJETA: DEBITO",
        "FECHA: 18/12/2024",
        "HORA: 13:26:46",
        "CLAVE TEMPORAL: 4366",
        "Cooprogreso, Cooperativa de Ahorro y Crédito.",
    ):
        assert line in email.text
    assert email.html is not None and "<strong>CLAVE TEMPORAL:</strong>" in email.html
    assert "5509751234567023" not in email.text + email.html


def test_sensitive_body_is_sealed_at_rest_and_redacted_after_delivery(
    sessions, clock, smtp, tmp_path
):
    port, _ = smtp
    put(sessions, "pin-reset:2", clock)
    waiting = row(sessions, "pin-reset:2")
    assert "4366" not in waiting.body_text and "4366" not in (waiting.body_html or "")
    assert "CLAVE TEMPORAL: 4366" in unseal(SECRET, "pin-reset:2", waiting.body_text)

    dispatcher(sessions, tmp_path, clock=clock, smtp_port=port).dispatch_pending()
    sent = row(sessions, "pin-reset:2")
    assert sent.status is MessageStatus.SENT
    assert (sent.body_text, sent.body_html) == (REDACTED, None)
    assert sent.sent_at == clock.now


def test_dev_outbox_keeps_the_sensitive_body(sessions, clock, smtp, tmp_path):
    port, _ = smtp
    put(sessions, "pin-reset:3", clock)
    dispatcher(sessions, tmp_path, clock=clock, smtp_port=port, dev_outbox=True).dispatch_pending()
    kept = row(sessions, "pin-reset:3")
    assert kept.status is MessageStatus.SENT
    assert "CLAVE TEMPORAL: 4366" in unseal(SECRET, "pin-reset:3", kept.body_text)


def test_smtp_down_keeps_the_message_then_delivers_it_once_up(sessions, clock, tmp_path):
    port, inbox = free_port(), tmp_path / "inbox"
    put(
        sessions,
        "signing:1",
        clock,
        template="signing_link",
        sensitive=False,
        context={"name": "NANCY", "url": "https://firma.example/abc", "at": clock.now},
    )
    mail = dispatcher(sessions, tmp_path, clock=clock, smtp_port=port)

    assert mail.dispatch_pending().retried == 1
    message = row(sessions, "signing:1")
    assert (message.status, message.attempts) == (MessageStatus.PENDING, 1)
    assert message.last_error and "SMTP" in message.last_error
    assert mail.dispatch_pending().keys == []  # backing off: not due yet
    clock.advance(seconds=30)
    assert mail.dispatch_pending().retried == 1
    assert row(sessions, "signing:1").attempts == 2

    controller = start_sink(inbox, port=port)
    try:
        clock.advance(seconds=60)
        assert mail.dispatch_pending().sent == 1
    finally:
        controller.stop()
    message = row(sessions, "signing:1")
    assert (message.status, message.attempts, message.last_error) == (MessageStatus.SENT, 3, None)
    [email] = emails(inbox)
    assert email.subject == "Firma electrónica de los documentos de tu crédito"
    assert "no se registran hasta las 19H00 de hoy" in email.text
    assert "Firmar Documento AQUÍ: https://firma.example/abc" in email.text


def test_failed_only_after_max_attempts_and_requeue_recovers_it(sessions, clock, smtp, tmp_path):
    live_port, inbox = smtp
    put(sessions, "pin-reset:4", clock)
    retry = RetryPolicy(max_attempts=3, base_delay=timedelta(0))
    down = dispatcher(sessions, tmp_path, clock=clock, smtp_port=free_port(), retry=retry)
    outcomes = [down.dispatch_pending() for _ in range(4)]
    assert [(r.retried, r.failed) for r in outcomes] == [(1, 0), (1, 0), (0, 1), (0, 0)]
    failed = row(sessions, "pin-reset:4")
    assert (failed.status, failed.attempts) == (MessageStatus.FAILED, 3)
    assert "CLAVE TEMPORAL" in unseal(SECRET, "pin-reset:4", failed.body_text)  # not lost

    up = dispatcher(sessions, tmp_path, clock=clock, smtp_port=live_port, retry=retry)
    assert up.requeue("pin-reset:4") is True
    assert up.deliver_now("pin-reset:4") is MessageStatus.SENT
    assert len(emails(inbox)) == 1


def test_enqueue_is_idempotent_by_key(sessions, clock):
    put(
        sessions,
        "transfer-rejected:7",
        clock,
        template="transfer_rejected",
        sensitive=False,
        context={
            "name": "Nancy",
            "amount": "10.50",
            "beneficiary": "Juan Pérez",
            "account": "XXXX6789",
            "reason": "Cuenta inexistente",
            "at": clock.now,
        },
    )
    put(
        sessions,
        "transfer-rejected:7",
        clock,
        template="otp",
        channel=Channel.SMS,
        context={"code": "123456"},
    )
    with sessions() as session:
        rows = session.scalars(select(OutboundMessage)).all()
    assert [(r.idempotency_key, r.template) for r in rows] == [
        ("transfer-rejected:7", "transfer_rejected")
    ]
    assert "MONTO: $10.50" in rows[0].body_text


def test_concurrent_dispatchers_deliver_every_message_exactly_once(sessions, clock, tmp_path):
    with sessions.begin() as session:
        for n in range(30):
            enqueue(
                session,
                key=f"sms:{n}",
                channel=Channel.SMS,
                recipient="0991234567",
                template="otp",
                context={"code": f"{n:06d}"},
                secret_key=SECRET,
                clock=clock,
            )
    sms = SimulatedSms(tmp_path, latency=0.005)
    workers = [dispatcher(sessions, tmp_path, clock=clock, sms=sms) for _ in range(3)]
    threads = [threading.Thread(target=w.dispatch_pending) for w in workers]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    lines = (tmp_path / "sms.jsonl").read_text(encoding="utf-8").splitlines()
    references = sorted(json.loads(line)["reference"] for line in lines)
    assert references == sorted(f"sms:{n}" for n in range(30))


def test_simulated_sms_failures_are_retried(sessions, clock, tmp_path):
    put(
        sessions,
        "sms:flaky",
        clock,
        channel=Channel.SMS,
        recipient="0991234567",
        template="otp",
        context={"code": "654321"},
    )
    flaky = dispatcher(sessions, tmp_path, clock=clock, sms=SimulatedSms(tmp_path, failure_rate=1))
    assert flaky.deliver_now("sms:flaky") is MessageStatus.PENDING
    assert "simulated" in (row(sessions, "sms:flaky").last_error or "")
    assert (
        dispatcher(sessions, tmp_path, clock=clock).deliver_now("sms:flaky") is MessageStatus.SENT
    )
    [sms] = read_mailbox(tmp_path)
    assert sms.otp_code == "654321"


def test_enqueue_refuses_header_injection_and_wrong_channels(sessions, clock):
    with pytest.raises(ValueError), sessions.begin() as session:
        enqueue(
            session,
            key="x",
            channel=Channel.EMAIL,
            template="card_pin_reset",
            recipient="a@example.ec\r\nBcc: victim@example.ec",
            context=PIN_RESET,
        )
    with pytest.raises(ValueError), sessions.begin() as session:
        enqueue(
            session,
            key="y",
            channel=Channel.EMAIL,
            template="otp",
            recipient="a@example.ec",
            context={"code": "123456"},
        )


class _StopAfterOne:
    """An SMS sender that records one message and then stops the dispatcher's loop."""

    def __init__(self, stop: threading.Event) -> None:
        self.stop = stop
        self.sent: list[str] = []

    def send(self, recipient: str, text: str, *, reference: str) -> None:
        self.sent.append(reference)
        self.stop.set()


def test_run_forever_delivers_until_stopped(sessions, clock, tmp_path):
    put(
        sessions,
        "sms:loop",
        clock,
        channel=Channel.SMS,
        recipient="0991234567",
        template="otp",
        context={"code": "111111"},
    )
    stop = threading.Event()
    sms = _StopAfterOne(stop)
    loop = dispatcher(sessions, tmp_path, clock=clock)
    loop.sms = sms
    thread = threading.Thread(target=loop.run_forever, kwargs={"interval": 0.05, "stop": stop})
    thread.start()
    thread.join(timeout=30)
    assert not thread.is_alive()
    assert sms.sent == ["sms:loop"]
    assert row(sessions, "sms:loop").status is MessageStatus.SENT


def test_the_wired_dispatcher_uses_smtp_and_the_sms_simulator(sessions, clock, smtp, tmp_path):
    port, inbox = smtp
    settings = CoreSettings(smtp_port=port, mailbox_dir=tmp_path / "mb", secret_key=SECRET)
    put(sessions, "pin-reset:settings", clock)
    put(
        sessions,
        "sms:settings",
        clock,
        channel=Channel.SMS,
        recipient="0991234567",
        template="otp",
        context={"code": "222222"},
    )
    real = Adapters(settings, sessions).dispatcher
    assert real.deliver_now("pin-reset:settings") is MessageStatus.SENT
    assert real.deliver_now("sms:settings") is MessageStatus.SENT
    assert real.deliver_now("no-such-key") is None
    assert [e.subject for e in emails(inbox)] == ["GENERACION DE CLAVE"]
    assert [m.otp_code for m in read_mailbox(tmp_path / "mb")] == ["222222"]


def test_secret_bearing_templates_are_sealed_even_if_the_caller_forgets(sessions, clock):
    context = {"name": "N", "username": "nancy", "password": "Ab3dEf6hJk", "at": clock.now}
    put(
        sessions,
        "welcome:1",
        clock,
        template="temporary_password",
        context=context,
        sensitive=False,
    )
    stored = row(sessions, "welcome:1")
    assert stored.sensitive is True
    assert "Ab3dEf6hJk" not in stored.body_text + (stored.body_html or "")
