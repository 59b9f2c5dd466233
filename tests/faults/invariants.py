"""What must hold after every fault scenario: sound books and no message sent twice.

Shared by the fault tests (worker crashes, outages). Each check reads the database (and the
dev mailbox, when given) and fails with the evidence a person would look at: the
discrepancies of ``bank.ledger.reconcile``, the idempotency key used twice, the email or
SMS that went out twice.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from bank.ledger import reconcile
from bank.models import JournalEntry, OutboundMessage, Posting
from bank.notifications.mailbox import read_mailbox


def assert_books_sound(sessions: sessionmaker[Session]) -> None:
    """The ledger reconciles, every entry sums to zero and no idempotency key is used twice.

    ``reconcile`` covers balances against postings, held amounts against holds, entries of
    fewer than two legs and the grand total; the two extra queries say the same things
    about entries in the words of the issue, and would catch a schema that lost its
    unique constraint.
    """
    with sessions() as session:
        assert reconcile(session) == []
        unbalanced = session.execute(
            select(Posting.entry_id, func.sum(Posting.amount_cents))
            .group_by(Posting.entry_id)
            .having(func.sum(Posting.amount_cents) != 0)
        ).all()
        assert unbalanced == [], f"entries that do not sum to zero: {unbalanced}"
        reused = session.execute(
            select(JournalEntry.idempotency_key, func.count())
            .group_by(JournalEntry.idempotency_key)
            .having(func.count() > 1)
        ).all()
        assert reused == [], f"idempotency keys posted more than once: {reused}"


def entries_by_key(sessions: sessionmaker[Session], prefix: str = "") -> Counter[str]:
    """How many journal entries carry each idempotency key (keys starting with ``prefix``)."""
    with sessions() as session:
        keys = session.scalars(
            select(JournalEntry.idempotency_key).where(
                JournalEntry.idempotency_key.startswith(prefix)
            )
        ).all()
    return Counter(keys)


def entries_by_kind(sessions: sessionmaker[Session]) -> Counter[str]:
    """How many journal entries of each kind (``COOP_TRANSFER``, ``CREDIT_DISBURSEMENT``...)."""
    with sessions() as session:
        rows = session.execute(
            select(JournalEntry.kind, func.count()).group_by(JournalEntry.kind)
        ).all()
    return Counter({kind: count for kind, count in rows})


def outbox_counts(sessions: sessionmaker[Session]) -> Counter[tuple[str, str, str]]:
    """The outbox as a member sees it: messages per (channel, recipient, template)."""
    with sessions() as session:
        rows = session.execute(
            select(OutboundMessage.channel, OutboundMessage.recipient, OutboundMessage.template)
        ).all()
    return Counter((channel.value, recipient, template) for channel, recipient, template in rows)


def assert_no_duplicate_messages(
    sessions: sessionmaker[Session], mailbox: Path | None = None
) -> None:
    """No email or SMS was queued, or (with ``mailbox``) delivered, twice.

    Queued twice: two outbox rows with the same channel, recipient, template, subject and
    body. Sensitive bodies (OTP codes, passwords) are sealed with a fresh nonce, so two
    copies of one code cannot be compared: they are told apart by their idempotency key,
    which the database keeps unique. Delivered twice: the same outbox key reached the SMS
    simulator twice, or the mail sink received two emails with one Message-ID (the
    dispatcher derives it from the outbox key).

    Args:
        sessions: the database to read.
        mailbox: the dev mailbox folder (mail sink ``.eml`` files and ``sms.jsonl``).
    """
    with sessions() as session:
        rows = session.execute(
            select(
                OutboundMessage.channel,
                OutboundMessage.recipient,
                OutboundMessage.template,
                OutboundMessage.subject,
                OutboundMessage.body_text,
            ).where(OutboundMessage.sensitive.is_(False))
        ).all()
        keys = session.scalars(select(OutboundMessage.idempotency_key)).all()
    queued = Counter(tuple(row) for row in rows)
    twice = {message[:4]: n for message, n in queued.items() if n > 1}
    assert twice == {}, f"messages queued more than once: {twice}"
    reused = {key: n for key, n in Counter(keys).items() if n > 1}
    assert reused == {}, f"outbox keys used more than once: {reused}"
    if mailbox is not None:
        delivered = Counter(
            (entry.channel, entry.to, entry.reference)
            for entry in read_mailbox(mailbox, limit=10_000)
        )
        again = {message: n for message, n in delivered.items() if n > 1}
        assert again == {}, f"messages delivered more than once: {again}"
