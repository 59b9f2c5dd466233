"""Double-entry journal: entries whose postings sum to zero, and holds on available balance."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from bank.models.base import Base, BigId, utcnow


class JournalEntry(Base):
    """One balanced business event (a transfer, a payment, a disbursement...)."""

    __tablename__ = "journal_entries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    content_digest: Mapped[str] = mapped_column(String(64))
    """SHA-256 of the entry's content: the same key with other content is refused."""
    kind: Mapped[str] = mapped_column(String(40))
    description: Mapped[str] = mapped_column(String(200))
    value_date: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Posting(Base):
    """One leg of a journal entry: a signed amount on one account (credit > 0, debit < 0)."""

    __tablename__ = "postings"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("journal_entries.id", ondelete="RESTRICT"), index=True
    )
    account_id: Mapped[int] = mapped_column(ForeignKey("accounts.id", ondelete="RESTRICT"))
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    balance_after_cents: Mapped[int] = mapped_column(BigInteger)
    """The account's accounting balance right after this posting (the manual's "Saldo")."""
    code: Mapped[int]
    """Movement code shown to members, e.g. 22050 in "22050 - ND TRANSFERENCIA PAGO DIRECTO"."""
    description: Mapped[str] = mapped_column(String(120))
    value_date: Mapped[date]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        CheckConstraint("amount_cents <> 0", name="non_zero"),
        Index("ix_postings_account_id_id", "account_id", "id"),
        Index("ix_postings_account_id_value_date", "account_id", "value_date"),
    )


class HoldStatus(enum.StrEnum):
    ACTIVE = "ACTIVE"
    RELEASED = "RELEASED"
    CAPTURED = "CAPTURED"


class Hold(Base):
    """Funds reserved on an account: they lower the available balance, not the accounting one."""

    __tablename__ = "holds"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    account_id: Mapped[int] = mapped_column(
        ForeignKey("accounts.id", ondelete="RESTRICT"), index=True
    )
    amount_cents: Mapped[int] = mapped_column(BigInteger)
    reason: Mapped[str] = mapped_column(String(120))
    status: Mapped[HoldStatus] = mapped_column(
        Enum(HoldStatus, name="hold_status", native_enum=False, length=20),
        default=HoldStatus.ACTIVE,
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    closed_at: Mapped[datetime | None]
    entry_id: Mapped[int | None] = mapped_column(
        ForeignKey("journal_entries.id", ondelete="RESTRICT")
    )
    """The entry that captured the hold, if any."""

    __table_args__ = (CheckConstraint("amount_cents > 0", name="positive"),)
