"""A member's requests about their personal data (LOPDP 2021, derechos del titular).

A deletion (supresión) request is recorded for an officer, never executed by itself: a
cooperative must keep the regulated records (identity, contracts, ledger) for their legal
terms; the officer deletes what the law lets go and answers the member (``docs/privacy.md``).
At most one open request per member (``uq_privacy_requests_open``).
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column

from bank.models.base import Base, BigId, utcnow


class PrivacyRequestStatus(enum.StrEnum):
    NUEVA = "NUEVA"
    """Sent by the member, not yet attended."""
    ATENDIDA = "ATENDIDA"
    """An officer answered it (``attended_by``, ``attended_at``)."""


class PrivacyRequest(Base):
    """A member's request to delete their personal data."""

    __tablename__ = "privacy_requests"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20), default="SUPRESION")
    reason: Mapped[str | None] = mapped_column(String(500))
    origin: Mapped[str] = mapped_column(String(200))
    status: Mapped[PrivacyRequestStatus] = mapped_column(
        Enum(
            PrivacyRequestStatus,
            name="privacy_request_status",
            native_enum=False,
            length=24,
            validate_strings=True,
        ),
        default=PrivacyRequestStatus.NUEVA,
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    attended_at: Mapped[datetime | None]
    attended_by: Mapped[str | None] = mapped_column(String(80))

    __table_args__ = (
        Index(
            "uq_privacy_requests_open",
            "member_id",
            unique=True,
            postgresql_where=text("status = 'NUEVA'"),
            sqlite_where=text("status = 'NUEVA'"),
        ),
    )
