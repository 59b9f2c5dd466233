"""One-time-password challenges and the outbox of emails and SMS."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Enum, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column

from bank.models.base import Base, BigId, utcnow


class OtpStatus(enum.StrEnum):
    PENDING = "PENDING"
    USED = "USED"
    FAILED = "FAILED"
    """Killed by too many wrong codes."""
    EXPIRED = "EXPIRED"
    VOID = "VOID"
    """Replaced because the operation it authorised changed."""


class OtpChallenge(Base):
    """A 6-digit code bound to the digest of exactly one operation. The code is not stored."""

    __tablename__ = "otp_challenges"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    operation: Mapped[str] = mapped_column(String(60))
    digest: Mapped[str] = mapped_column(String(64))
    code_digest: Mapped[str] = mapped_column(String(64))
    status: Mapped[OtpStatus] = mapped_column(
        Enum(OtpStatus, name="otp_status", native_enum=False, length=20),
        default=OtpStatus.PENDING,
    )
    failed_attempts: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    used_at: Mapped[datetime | None]

    __table_args__ = (
        Index("ix_otp_member_operation", "member_id", "operation"),
        # The hourly count of wrong codes on every issue reads only the last hour's rows.
        Index("ix_otp_member_created", "member_id", "created_at"),
    )


class Channel(enum.StrEnum):
    EMAIL = "EMAIL"
    SMS = "SMS"


class MessageStatus(enum.StrEnum):
    PENDING = "PENDING"
    SENT = "SENT"
    FAILED = "FAILED"


class OutboundMessage(Base):
    """An email or SMS to deliver. Written in the same transaction as the event that causes it,
    delivered (and retried) afterwards, so nothing is lost."""

    __tablename__ = "outbound_messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    channel: Mapped[Channel] = mapped_column(
        Enum(Channel, name="channel", native_enum=False, length=10)
    )
    recipient: Mapped[str] = mapped_column(String(120))
    subject: Mapped[str | None] = mapped_column(String(200))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    template: Mapped[str] = mapped_column(String(60))
    sensitive: Mapped[bool] = mapped_column(default=False)
    """Carries a secret (OTP, temporary password): its body is redacted once delivered."""
    status: Mapped[MessageStatus] = mapped_column(
        Enum(MessageStatus, name="message_status", native_enum=False, length=10),
        default=MessageStatus.PENDING,
    )
    attempts: Mapped[int] = mapped_column(default=0)
    claimed_at: Mapped[datetime | None]
    """A delivery attempt holds the message since then (``bank.notifications.dispatcher``)."""
    last_error: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    attachments: Mapped[list[dict[str, Any]]] = mapped_column(
        JSON, default=list, server_default=text("'[]'")
    )
    """Document-store references ``{key, filename, content_type, sha256}``, never bytes:
    the dispatcher loads and checks each one when it sends the email."""

    __table_args__ = (Index("ix_outbound_status", "status", "id"),)
