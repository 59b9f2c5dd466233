"""Members (socios), their online-banking users, sessions and the audit trail."""

from __future__ import annotations

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, CheckConstraint, Enum, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from bank.models.base import Base, BigId, utcnow


class IdentificationType(enum.StrEnum):
    CEDULA = "CEDULA"
    PASAPORTE = "PASAPORTE"


class CivilStatus(enum.StrEnum):
    SOLTERO = "SOLTERO"
    CASADO = "CASADO"
    UNION_DE_HECHO = "UNION_DE_HECHO"
    DIVORCIADO = "DIVORCIADO"
    VIUDO = "VIUDO"


class Role(enum.StrEnum):
    MEMBER = "MEMBER"
    OFFICER = "OFFICER"


def _enum(cls: type[enum.Enum], name: str) -> Enum:
    return Enum(cls, name=name, native_enum=False, length=20, validate_strings=True)


class Member(Base):
    """A member (socio) of the cooperative, as known to the core banking system."""

    __tablename__ = "members"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    identification_type: Mapped[IdentificationType] = mapped_column(
        _enum(IdentificationType, "identification_type")
    )
    identification: Mapped[str] = mapped_column(String(20), unique=True)
    first_names: Mapped[str] = mapped_column(String(80))
    last_names: Mapped[str] = mapped_column(String(80))
    birth_date: Mapped[date]
    civil_status: Mapped[CivilStatus] = mapped_column(_enum(CivilStatus, "civil_status"))
    civil_status_verified: Mapped[bool] = mapped_column(default=True)
    """False when the core system flags the civil status as not up to date."""
    spouse_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="SET NULL"), default=None
    )
    email: Mapped[str | None] = mapped_column(String(120))
    email_updated_on: Mapped[date | None]
    mobile: Mapped[str | None] = mapped_column(String(20))
    mobile_updated_on: Mapped[date | None]
    id_card_expires_on: Mapped[date | None]
    utility_bill_on: Mapped[date | None]
    """Issue date of the last utility bill (planilla de servicio básico) on file."""
    data_updated_on: Mapped[date | None]
    """Last time the member's file was updated (the manual's 12-month rule)."""
    address: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    spouse: Mapped[Member | None] = relationship(remote_side=[id])

    @property
    def full_name(self) -> str:
        return f"{self.first_names} {self.last_names}"


class User(Base):
    """A login to Cooprogreso en Línea: one per member, or an officer."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    member_id: Mapped[int | None] = mapped_column(
        ForeignKey("members.id", ondelete="RESTRICT"), unique=True
    )
    username: Mapped[str] = mapped_column(String(40), unique=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    role: Mapped[Role] = mapped_column(_enum(Role, "role"), default=Role.MEMBER)
    must_change_password: Mapped[bool] = mapped_column(default=False)
    failed_attempts: Mapped[int] = mapped_column(default=0)
    locked_at: Mapped[datetime | None]
    last_login_at: Mapped[datetime | None]
    previous_login_at: Mapped[datetime | None]
    """Shown to the member as "Última conexión"."""
    password_changed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    member: Mapped[Member | None] = relationship()

    __table_args__ = (CheckConstraint("failed_attempts >= 0", name="failed_attempts"),)


class UserSession(Base):
    """A bearer-token session. Only a digest of the token is stored."""

    __tablename__ = "user_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    token_digest: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    origin: Mapped[str | None] = mapped_column(String(64))
    """The client's address at login ("Mis sesiones")."""
    device: Mapped[str | None] = mapped_column(String(200))
    """The browser or app, from its User-Agent at login (shortened)."""


class PasswordHistory(Base):
    """Hashes of a user's earlier passwords: a new password may not repeat the last few."""

    __tablename__ = "password_history"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    password_hash: Mapped[str] = mapped_column(String(200))
    replaced_at: Mapped[datetime] = mapped_column(default=utcnow)


class AuditEvent(Base):
    """Append-only trail of security-relevant events (logins, locks, OTP attempts)."""

    __tablename__ = "audit_events"
    __table_args__ = (
        # Counts by action and subject: failed logins of a username, requests of an origin.
        Index("ix_audit_events_action_subject_at", "action", "subject", "at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    actor: Mapped[str] = mapped_column(String(80))
    action: Mapped[str] = mapped_column(String(60))
    subject: Mapped[str | None] = mapped_column(String(120))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
