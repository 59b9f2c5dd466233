"""Delivery of the outbox: claim, send, record; retried with backoff until delivered.

Guarantees: at-least-once delivery (a crash between the provider accepting a message and
the recording of it sends it again once its claim lapses; emails carry a stable Message-ID
so clients collapse the duplicate), no message lost (FAILED only after ``max_attempts`` and
still in the table, :meth:`Dispatcher.requeue` puts it back), and **one delivery per
attempt on every database**: a message is claimed by a conditional
``UPDATE … SET claimed_at = now, attempts = attempts + 1 WHERE id = … AND status = 'PENDING'
AND attempts = <seen> AND (claimed_at IS NULL OR claimed_at < now − CLAIM_LEASE)``, committed
before anything is sent, which exactly one caller wins — the background loop and
``deliver_now`` of any process, on PostgreSQL and on SQLite (which ignores ``FOR UPDATE``).
The send runs outside any transaction (no lock held across SMTP), and its outcome is
recorded in a second one that also releases the claim.
"""

from __future__ import annotations

import hashlib
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Literal, cast

from sqlalchemy import ColumnElement, CursorResult, and_, or_, select, update
from sqlalchemy.orm import Session, sessionmaker

from bank.adapters.documents import DocumentStore
from bank.adapters.email import Mailer, OutgoingEmail
from bank.adapters.errors import DeliveryError
from bank.adapters.sms import SmsSender
from bank.core import metrics
from bank.models.base import utcnow
from bank.models.messaging import Channel, MessageStatus, OutboundMessage
from bank.notifications import attachments
from bank.notifications.outbox import REDACTED, unseal

log = logging.getLogger(__name__)

Outcome = Literal["sent", "retried", "failed"]
BATCH = 100
CLAIM_LEASE = timedelta(minutes=5)
"""A claim older than this is a crashed delivery: the message may be claimed again (the SMTP
and SMS clients time out well before)."""


@dataclass(frozen=True)
class RetryPolicy:
    """Exponential backoff, anchored at the message's creation time.

    The table has no "next attempt" column, so attempt ``n + 1`` becomes due at
    ``created_at + delay(1) + … + delay(n)``. After a long outage overdue messages are due
    at once; each pass still tries a message only once, so the loop interval bounds the rate.
    With the defaults a message is retried for about 3.5 hours before it is marked FAILED.
    """

    max_attempts: int = 10
    base_delay: timedelta = timedelta(seconds=30)
    max_delay: timedelta = timedelta(hours=1)

    def delay_after(self, attempt: int) -> timedelta:
        """The wait after the ``attempt``-th failure (1-based)."""
        return min(self.base_delay * (2 ** (attempt - 1)), self.max_delay)

    def waited_after(self, attempts: int) -> timedelta:
        """Total backoff before attempt ``attempts + 1``, counted from creation."""
        return sum((self.delay_after(n) for n in range(1, attempts + 1)), timedelta())


@dataclass
class DispatchReport:
    """What one pass did."""

    sent: int = 0
    retried: int = 0
    failed: int = 0
    keys: list[str] = field(default_factory=list)

    def add(self, key: str, outcome: Outcome) -> None:
        """Count one handled message."""
        setattr(self, outcome, getattr(self, outcome) + 1)
        self.keys.append(key)


class Dispatcher:
    """Delivers PENDING outbox messages through the email and SMS adapters."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        mailer: Mailer,
        sms: SmsSender,
        secret_key: str,
        dev_outbox: bool,
        documents: DocumentStore | None = None,
        retry: RetryPolicy | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """Deliver with ``mailer``/``sms``; ``dev_outbox`` keeps sensitive bodies after sending.

        ``documents`` is where email attachments are loaded from; without it a message with
        attachments is not sent (it fails the attempt and is retried).
        """
        self.sessions = sessions
        self.documents = documents
        self.mailer = mailer
        self.sms = sms
        self.secret_key = secret_key
        self.dev_outbox = dev_outbox
        self.retry = retry or RetryPolicy()
        self.clock = clock

    def _due(self, now: datetime) -> ColumnElement[bool]:
        attempts, created = OutboundMessage.attempts, OutboundMessage.created_at
        clauses = [attempts == 0] + [
            and_(attempts == n, created <= now - self.retry.waited_after(n))
            for n in range(1, self.retry.max_attempts)
        ]
        return and_(OutboundMessage.status == MessageStatus.PENDING, or_(*clauses))

    def dispatch_pending(self, limit: int = BATCH) -> DispatchReport:
        """One pass over the due messages, oldest first, each tried at most once.

        Returns:
            counts of messages sent, left for a retry, and given up (FAILED).
        """
        report = DispatchReport()
        cursor = 0
        while len(report.keys) < limit:
            query = (
                select(OutboundMessage)
                .where(self._due(self.clock()), OutboundMessage.id > cursor)
                .order_by(OutboundMessage.id)
            )
            handled = self._claim_and_deliver(query)
            if handled is None:
                break
            cursor, key, outcome = handled
            if outcome is not None:  # None: another dispatcher has it
                report.add(key, outcome)
        return report

    def deliver_now(self, key: str) -> MessageStatus | None:
        """Try to deliver one message at once, ignoring its backoff (after the caller commits).

        Never raises for a delivery failure: the message stays PENDING and the background
        loop retries it.

        Returns:
            the message's status afterwards, or None if no message has that key.
        """
        query = select(OutboundMessage).where(
            OutboundMessage.idempotency_key == key,
            OutboundMessage.status == MessageStatus.PENDING,
        )
        self._claim_and_deliver(query)
        with self.sessions() as session:
            return session.scalar(
                select(OutboundMessage.status).where(OutboundMessage.idempotency_key == key)
            )

    def requeue(self, key: str) -> bool:
        """Give a FAILED message a fresh set of attempts (an operator's "nothing lost" lever).

        Its ``created_at`` moves to now because it anchors the backoff schedule.
        """
        with self.sessions() as session, session.begin():
            message = session.scalars(
                select(OutboundMessage)
                .where(
                    OutboundMessage.idempotency_key == key,
                    OutboundMessage.status == MessageStatus.FAILED,
                )
                .with_for_update()
            ).first()
            if message is None:
                return False
            message.status, message.attempts = MessageStatus.PENDING, 0
            message.created_at = self.clock()
            return True

    def run_forever(self, interval: float = 2.0, stop: threading.Event | None = None) -> None:
        """Dispatch until ``stop`` is set; a failing pass (database down) is logged, not fatal."""
        stop = stop or threading.Event()
        while not stop.is_set():
            try:
                report = self.dispatch_pending()
            except Exception:
                log.exception("outbox pass failed; retrying in %.1fs", interval)
                report = DispatchReport()
            if len(report.keys) < BATCH:  # a full batch means more is waiting: go again now
                stop.wait(interval)

    def _claim_and_deliver(self, query: Any) -> tuple[int, str, Outcome | None] | None:
        """Claim the first message of ``query``, deliver it and record the outcome.

        Returns:
            (id, key, outcome), outcome None when another caller claimed it first; None when
            the query finds nothing.
        """
        now = self.clock()
        claimable = or_(
            OutboundMessage.claimed_at.is_(None), OutboundMessage.claimed_at < now - CLAIM_LEASE
        )
        with self.sessions() as session:
            found = session.execute(
                query.where(claimable)
                .with_only_columns(
                    OutboundMessage.id, OutboundMessage.idempotency_key, OutboundMessage.attempts
                )
                .limit(1)
            ).first()
        if found is None:
            return None
        message_id, key, seen = found
        if not self._claim(message_id, seen, claimable, now):
            return message_id, key, None
        with self.sessions() as session:
            message = session.get(OutboundMessage, message_id)
            assert message is not None
            session.expunge(message)
        error = self._try_send(message)
        with self.sessions() as session, session.begin():
            row = session.get(OutboundMessage, message_id)
            assert row is not None
            return message_id, key, self._record(row, error)

    def _claim(self, message_id: int, seen: int, claimable: Any, now: datetime) -> bool:
        """The conditional update only one caller wins (committed before the send)."""
        with self.sessions() as session, session.begin():
            claimed = session.execute(
                update(OutboundMessage)
                .where(
                    OutboundMessage.id == message_id,
                    OutboundMessage.status == MessageStatus.PENDING,
                    OutboundMessage.attempts == seen,
                    claimable,
                )
                .values(claimed_at=now, attempts=seen + 1)
                .execution_options(synchronize_session=False)
            )
            return cast(CursorResult[Any], claimed).rowcount == 1

    def _try_send(self, message: OutboundMessage) -> Exception | None:
        try:
            self._send(message)
        except Exception as exc:
            if not isinstance(exc, DeliveryError):
                # A bug or a corrupt row must not wedge the queue: count it like a failure.
                log.exception("unexpected error delivering %s", message.idempotency_key)
            return exc
        return None

    def _record(self, message: OutboundMessage, error: Exception | None) -> Outcome:
        """The attempt's outcome on the (claimed) row, releasing the claim."""
        message.claimed_at = None
        if error is not None:
            message.last_error = repr(error)[:500]
            log.warning(
                "delivery of %s failed (attempt %d)", message.idempotency_key, message.attempts
            )
            if message.attempts >= self.retry.max_attempts:
                message.status = MessageStatus.FAILED
                metrics.count("coop_messages_failed", channel=message.channel.value)
                return "failed"
            return "retried"
        message.status, message.sent_at, message.last_error = MessageStatus.SENT, self.clock(), None
        metrics.count("coop_messages_sent", channel=message.channel.value)
        if message.sensitive and not self.dev_outbox:
            message.body_text, message.body_html = REDACTED, None
        return "sent"

    def _send(self, message: OutboundMessage) -> None:
        key = message.idempotency_key
        text = unseal(self.secret_key, key, message.body_text)
        if message.channel is Channel.SMS:
            self.sms.send(message.recipient, text, reference=key)
            return
        html = unseal(self.secret_key, key, message.body_html) if message.body_html else None
        # Deterministic Message-ID: a resend after a crash is recognisably the same email.
        message_id = f"<{hashlib.sha256(key.encode()).hexdigest()[:32]}@cooprogreso.fin.ec>"
        # Loaded and checked before anything is sent: a changed document fails the attempt.
        files = attachments.load(self.documents, message.attachments or [])
        self.mailer.send(
            OutgoingEmail(
                message.recipient, message.subject or "", text, html, message_id, tuple(files)
            )
        )
