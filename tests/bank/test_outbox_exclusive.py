"""The outbox claim is exclusive on every database: the background loop and ``deliver_now``
racing for the same messages send each email once, counted at a real SMTP server.

The defect this guards against: on SQLite (which ignores ``FOR UPDATE SKIP LOCKED``) the
spouse received the credit journey's signing email twice, 12 ms apart, same Message-ID.
"""

from __future__ import annotations

import threading
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bank.core import migrate
from bank.core.db import make_engine, session_factory
from bank.models import Channel, MessageStatus, OutboundMessage
from bank.notifications import enqueue
from bank.notifications.dispatcher import CLAIM_LEASE
from bank.notifications.mailbox import read_mailbox
from tests.bank.messaging_support import SECRET, Clock, dispatcher

MESSAGES = 12
RACERS = 4
"""Threads calling ``deliver_now`` for every key, beside two background passes."""


def pin_reset(n: int) -> dict[str, object]:
    return {
        "name": "SILVA/GABRIEL",
        "card_number": f"550975123456{n:04d}",
        "card_type": "DEBIT",
        "pin": "4366",
        "at": datetime(2026, 12, 6, 18, 26, tzinfo=UTC),
    }


def enqueue_emails(sessions: sessionmaker[Session]) -> list[str]:
    keys = [f"race-{n}" for n in range(MESSAGES)]
    with sessions.begin() as session:
        for n, key in enumerate(keys):
            enqueue(
                session,
                key=key,
                channel=Channel.EMAIL,
                template="card_pin_reset",
                recipient=f"socio{n}@example.ec",
                context=pin_reset(n),
                secret_key=SECRET,
            )
    return keys


def race(sessions: sessionmaker[Session], smtp: tuple[int, Path], tmp_path: Path) -> Counter[str]:
    """Both delivery paths at once, from several threads; what the SMTP server received."""
    port, inbox = smtp
    keys = enqueue_emails(sessions)
    outbox = dispatcher(sessions, tmp_path / "sms", clock=Clock(datetime.now(UTC)), smtp_port=port)
    start = threading.Barrier(RACERS + 2)
    failures: list[BaseException] = []

    def loop() -> None:
        start.wait()
        outbox.dispatch_pending()

    def now_path(order: list[str]) -> None:
        start.wait()
        for key in order:
            outbox.deliver_now(key)

    def guarded(target: Callable[..., None], *args: object) -> None:
        try:
            target(*args)
        except BaseException as exc:  # a crash in a thread must fail the test
            failures.append(exc)

    threads = [threading.Thread(target=guarded, args=(loop,)) for _ in range(2)]
    threads += [
        threading.Thread(target=guarded, args=(now_path, keys[i:] + keys[:i]))
        for i in range(RACERS)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert not failures, failures
    outbox.dispatch_pending()  # anything a lost race left behind
    with sessions() as session:
        statuses = set(session.scalars(select(OutboundMessage.status)))
        attempts = set(session.scalars(select(OutboundMessage.attempts)))
    assert statuses == {MessageStatus.SENT}
    assert attempts == {1}
    return Counter(entry.to for entry in read_mailbox(inbox))


def test_each_email_reaches_the_smtp_server_once_on_postgresql(sessions, smtp, tmp_path):
    received = race(sessions, smtp, tmp_path)
    assert received == Counter({f"socio{n}@example.ec": 1 for n in range(MESSAGES)})


def test_each_email_reaches_the_smtp_server_once_on_sqlite(smtp, tmp_path):
    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    try:
        received = race(session_factory(engine), smtp, tmp_path)
    finally:
        engine.dispose()
    assert received == Counter({f"socio{n}@example.ec": 1 for n in range(MESSAGES)})


def test_a_crashed_delivery_is_claimed_again_only_after_its_lease(sessions, smtp, tmp_path):
    """A worker killed mid-send leaves its claim: nobody sends until the lease lapses."""
    port, inbox = smtp
    [key, *_] = enqueue_emails(sessions)
    clock = Clock(datetime.now(UTC))
    outbox = dispatcher(sessions, tmp_path / "sms", clock=clock, smtp_port=port)
    with sessions.begin() as session:
        row = session.scalars(
            select(OutboundMessage).where(OutboundMessage.idempotency_key == key)
        ).one()
        row.claimed_at, row.attempts = clock(), 1  # claimed, then the process died
    assert outbox.deliver_now(key) is MessageStatus.PENDING
    assert [e for e in read_mailbox(inbox) if e.to == "socio0@example.ec"] == []
    clock.advance(seconds=(CLAIM_LEASE + timedelta(seconds=1)).total_seconds())
    assert outbox.deliver_now(key) is MessageStatus.SENT
    assert len([e for e in read_mailbox(inbox) if e.to == "socio0@example.ec"]) == 1
