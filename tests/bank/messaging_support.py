"""Helpers for the OTP, notification and mailbox tests: a settable clock, members."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from bank.adapters.documents import DocumentStore
from bank.adapters.email import OutgoingEmail, SmtpMailer
from bank.adapters.sms import SimulatedSms
from bank.models import CivilStatus, IdentificationType, Member
from bank.notifications import Dispatcher, RetryPolicy

SECRET = "test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
MAIL_FROM = "Cooprogreso en Línea <notificaciones@cooprogreso.fin.ec>"


class Clock:
    """A clock the test moves by hand."""

    def __init__(self, start: datetime | None = None) -> None:
        self.now = start or datetime(2024, 12, 18, 18, 26, 46, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


def add_member(session: Session, *, mobile: str | None = "0991234567", n: int = 1) -> int:
    member = Member(
        identification_type=IdentificationType.CEDULA,
        identification=f"17100340{n:02d}",
        first_names="GABRIEL ANDRES",
        last_names="SILVA TORRES",
        birth_date=date(1990, 5, 17),
        civil_status=CivilStatus.SOLTERO,
        mobile=mobile,
        email="gabriel@example.ec",
    )
    session.add(member)
    session.flush()
    return member.id


class NoEmail:
    """A mailer for SMS-only tests: sending an email there is a test bug."""

    def send(self, email: OutgoingEmail) -> None:
        raise AssertionError(f"unexpected email to {email.recipient}")


def dispatcher(
    sessions: sessionmaker[Session],
    mailbox: Path,
    *,
    clock: Clock,
    smtp_port: int | None = None,
    dev_outbox: bool = False,
    retry: RetryPolicy | None = None,
    sms: SimulatedSms | None = None,
    documents: DocumentStore | None = None,
) -> Dispatcher:
    """A dispatcher writing SMS to ``mailbox`` and email to a local SMTP port."""
    mailer = (
        SmtpMailer("127.0.0.1", smtp_port, mail_from=MAIL_FROM, timeout=5)
        if smtp_port
        else NoEmail()
    )
    return Dispatcher(
        sessions,
        mailer=mailer,
        sms=sms or SimulatedSms(mailbox),
        secret_key=SECRET,
        dev_outbox=dev_outbox,
        documents=documents,
        retry=retry,
        clock=clock,
    )
