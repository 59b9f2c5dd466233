"""The outbox: messages are written in the caller's transaction and delivered afterwards.

Bodies of sensitive messages (OTP codes, temporary passwords and PINs) are sealed with
AES-GCM under a key derived from ``secret_key`` before they reach the table, so neither the
database nor its backups hold a secret in clear; the dispatcher unseals them only to hand
them to the SMTP relay or the SMS gateway, and redacts them once delivered.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from functools import cache
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from bank.core.settings import CoreSettings
from bank.models.base import utcnow
from bank.models.messaging import Channel, OutboundMessage
from bank.notifications.attachments import Attachment
from bank.notifications.templates import SENSITIVE, render

SEALED_PREFIX = "sealed:v1:"
REDACTED = "[redacted after delivery]"


@cache
def default_secret_key() -> str:
    """The process's ``COOP_SECRET_KEY``, read once (callers may pass their own instead)."""
    return CoreSettings().secret_key


def _aead(secret_key: str) -> AESGCM:
    # A dedicated subkey: the same secret also keys OTP and token digests.
    return AESGCM(hmac.new(secret_key.encode(), b"outbox-seal-v1", hashlib.sha256).digest())


def seal(secret_key: str, message_key: str, text: str) -> str:
    """Encrypt ``text``; the message key is bound as associated data (no swapping rows)."""
    nonce = os.urandom(12)
    sealed = _aead(secret_key).encrypt(nonce, text.encode(), message_key.encode())
    return SEALED_PREFIX + base64.b64encode(nonce + sealed).decode()


def unseal(secret_key: str, message_key: str, stored: str) -> str:
    """The clear text of a stored body (bodies that were never sealed come back as they are).

    Raises:
        cryptography.exceptions.InvalidTag: wrong key, or a body moved to another row.
    """
    if not stored.startswith(SEALED_PREFIX):
        return stored
    raw = base64.b64decode(stored[len(SEALED_PREFIX) :])
    return _aead(secret_key).decrypt(raw[:12], raw[12:], message_key.encode()).decode()


def _check_recipient(recipient: str, channel: Channel) -> None:
    # A CR/LF in an address would let a caller inject SMTP headers.
    if not recipient or len(recipient) > 120 or any(ord(c) < 32 for c in recipient):
        raise ValueError("invalid recipient")
    if channel is Channel.EMAIL and "@" not in recipient:
        raise ValueError("an email recipient needs an address")


def enqueue(
    session: Session,
    *,
    key: str,
    channel: Channel,
    recipient: str,
    template: str,
    context: Mapping[str, Any],
    sensitive: bool = False,
    secret_key: str | None = None,
    clock: Callable[[], datetime] = utcnow,
    attachments: Sequence[Attachment] = (),
) -> OutboundMessage:
    """Render ``template`` and add the message to the outbox in the caller's transaction.

    Idempotent by ``key``: when a message with that key exists it is returned unchanged
    (first write wins), so an activity retried by Temporal never sends twice. The caller
    commits; nothing is sent before it does.

    Args:
        session: the caller's session (not committed here).
        key: business idempotency key, e.g. ``otp:<challenge id>``.
        channel: must match the template's channel.
        recipient: email address or mobile number.
        template: a name in :data:`bank.notifications.templates.TEMPLATES`.
        context: values the template needs.
        sensitive: the body carries a secret: sealed at rest, redacted after delivery.
            Always on for the templates in ``SENSITIVE`` (OTP, passwords, PINs), whatever
            the caller passes, so a forgotten flag cannot store a secret in clear.
        secret_key: sealing key; defaults to ``COOP_SECRET_KEY``.
        clock: time source (tests).
        attachments: documents to attach, by document-store reference (emails only); the
            dispatcher loads them when sending and checks their SHA-256.

    Raises:
        TemplateError: unknown template or incomplete context.
        ValueError: bad recipient, channel not the template's, or attachments on an SMS.
    """
    existing = session.scalars(
        select(OutboundMessage).where(OutboundMessage.idempotency_key == key)
    ).first()
    if existing is not None:
        return existing
    rendered = render(template, context)
    if rendered.channel is not channel:
        raise ValueError(f"template {template} is for {rendered.channel}, not {channel}")
    _check_recipient(recipient, channel)
    if attachments and channel is not Channel.EMAIL:
        raise ValueError("only emails carry attachments")
    sensitive = sensitive or template in SENSITIVE
    text, html = rendered.text, rendered.html
    if sensitive:
        secret = secret_key or default_secret_key()
        text = seal(secret, key, text)
        html = seal(secret, key, html) if html is not None else None
    values = {
        "idempotency_key": key,
        "channel": channel,
        "recipient": recipient,
        "subject": rendered.subject,
        "body_text": text,
        "body_html": html,
        "template": template,
        "sensitive": sensitive,
        "attachments": [attachment.as_row() for attachment in attachments],
        "created_at": clock(),
    }
    session.execute(_insert_ignoring_duplicates(session).values(**values))
    return session.scalars(
        select(OutboundMessage).where(OutboundMessage.idempotency_key == key)
    ).one()


def _insert_ignoring_duplicates(session: Session) -> Any:
    """INSERT … ON CONFLICT DO NOTHING: two concurrent enqueues of one key both succeed."""
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        return postgresql.insert(OutboundMessage).on_conflict_do_nothing(
            index_elements=["idempotency_key"]
        )
    if dialect == "sqlite":
        return sqlite.insert(OutboundMessage).on_conflict_do_nothing(
            index_elements=["idempotency_key"]
        )
    return insert(OutboundMessage)
