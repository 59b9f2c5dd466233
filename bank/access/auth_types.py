"""Errors and value types of authentication (re-exported by :mod:`bank.access.auth`)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bank.core.settings import ApiSettings
from bank.models import Role


class AuthError(Exception):
    """Base of the authentication errors; ``details`` is safe to show to the member."""

    details: Any = None


class InvalidCredentials(AuthError):
    """Unknown user or wrong password (deliberately indistinguishable)."""


class UserLocked(AuthError):
    """The user is locked after too many failed attempts."""


class InvalidSession(AuthError):
    """Missing, unknown, revoked or expired bearer token."""


class PasswordChangeRequired(AuthError):
    """The user logged in with a temporary password and must change it first."""


class WrongCurrentPassword(AuthError):
    """A password change gave the wrong current password."""


class PasswordPolicyViolation(AuthError):
    """The new password breaks the policy; ``details`` lists the rules broken, in Spanish."""

    def __init__(self, reasons: list[str]) -> None:
        super().__init__("; ".join(reasons))
        self.details = reasons


@dataclass(frozen=True, slots=True)
class AuthPolicy:
    """Session and lockout parameters, built once from the API settings."""

    secret_key: str
    idle_timeout: timedelta
    max_age: timedelta
    max_failed_logins: int
    touch_interval: timedelta = timedelta(minutes=1)

    @classmethod
    def from_settings(cls, settings: ApiSettings) -> AuthPolicy:
        """The policy the API process runs with."""
        return cls(
            secret_key=settings.secret_key,
            idle_timeout=timedelta(minutes=settings.session_idle_minutes),
            max_age=timedelta(hours=settings.session_max_hours),
            max_failed_logins=settings.max_failed_logins,
        )


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling: the user behind a valid session."""

    session_id: str
    user_id: int
    username: str
    role: Role
    member_id: int | None
    must_change_password: bool


@dataclass(frozen=True, slots=True)
class LoginResult:
    """A new session and what the welcome screen shows."""

    token: str
    expires_at: datetime
    user_id: int
    full_name: str
    previous_login_at: datetime | None
    must_change_password: bool


@dataclass(frozen=True, slots=True)
class SessionView:
    """The caller's session as the web banking's header and expiry warning need it."""

    full_name: str
    role: Role
    previous_login_at: datetime | None
    idle_expires_at: datetime
    """When the session ends if nothing more is done (the idle timeout from the last use)."""
    expires_at: datetime
    """The absolute end, however active the member is."""
    must_change_password: bool
