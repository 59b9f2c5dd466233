"""The preapproved credit journey's records: consents and one-time signing links.

The journey's state lives in its workflow; these rows are what must outlive it or be found
without it: the consent to the processing of personal and credit data (with time and
origin), and the digests of the signing links (the API resolves a link's token to its
workflow through them). Tokens themselves are never stored.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from bank.models.base import Base, BigId, utcnow


class CreditConsent(Base):
    """ "Aceptar y continuar": one consent per journey (workflow ID)."""

    __tablename__ = "credit_consents"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workflow_id: Mapped[str] = mapped_column(String(120), unique=True)
    member_id: Mapped[int] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), index=True
    )
    campaign_id: Mapped[str] = mapped_column(String(40))
    origin: Mapped[str] = mapped_column(String(200))
    text_version: Mapped[str] = mapped_column(String(20))
    accepted_at: Mapped[datetime]


class SigningLink(Base):
    """A signatory's one-time link for one generation of a journey's documents."""

    __tablename__ = "credit_signing_links"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    workflow_id: Mapped[str] = mapped_column(String(120))
    generation: Mapped[int]
    role: Mapped[str] = mapped_column(String(10))
    member_id: Mapped[int] = mapped_column(ForeignKey("members.id", ondelete="RESTRICT"))
    token_digest: Mapped[str] = mapped_column(String(64), unique=True)
    expires_at: Mapped[datetime]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("workflow_id", "generation", "role", name="uq_signing_link"),
    )
