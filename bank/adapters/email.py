"""Email adapter: one interface and the real SMTP implementation.

The same :class:`SmtpMailer` is used everywhere: in production it talks to the SMTP relay,
in the embedded run to the local sink (``bank.adapters.mail_sink``), in tests to an
aiosmtpd server started by the test. There is deliberately no in-memory fake.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid
from typing import Protocol

from bank.adapters.errors import DeliveryError
from bank.core.settings import CoreSettings


@dataclass(frozen=True)
class EmailAttachment:
    """A file attached to an email: its name, MIME type and bytes."""

    filename: str
    content_type: str
    data: bytes


@dataclass(frozen=True)
class OutgoingEmail:
    """A rendered email ready to send."""

    recipient: str
    subject: str
    text: str
    html: str | None = None
    message_id: str | None = None
    """A stable Message-ID lets mail clients collapse a duplicate sent by a retry."""
    attachments: tuple[EmailAttachment, ...] = ()


class Mailer(Protocol):
    """Sends one email or raises :class:`DeliveryError`."""

    def send(self, email: OutgoingEmail) -> None: ...


class SmtpMailer:
    """Delivers email over SMTP with optional STARTTLS and authentication."""

    def __init__(
        self,
        host: str,
        port: int,
        *,
        mail_from: str,
        username: str | None = None,
        password: str | None = None,
        starttls: bool = False,
        timeout: float = 10.0,
    ) -> None:
        """Configure the relay; nothing connects until :meth:`send`."""
        self.host = host
        self.port = port
        self.mail_from = mail_from
        self.username = username
        self.password = password
        self.starttls = starttls
        self.timeout = timeout

    @classmethod
    def from_settings(cls, settings: CoreSettings) -> SmtpMailer:
        """The mailer described by ``COOP_SMTP_*`` and ``COOP_MAIL_FROM``."""
        return cls(
            settings.smtp_host,
            settings.smtp_port,
            mail_from=settings.mail_from,
            username=settings.smtp_username,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
        )

    def build(self, email: OutgoingEmail) -> EmailMessage:
        """The MIME message: UTF-8 text, an HTML alternative when there is one, attachments.

        With attachments the message becomes ``multipart/mixed``: the text (or the
        text/HTML ``multipart/alternative``) first, then one part per file.
        """
        message = EmailMessage()
        message["From"] = self.mail_from
        message["To"] = email.recipient
        message["Subject"] = email.subject
        message["Date"] = formatdate(localtime=False, usegmt=True)
        message["Message-ID"] = email.message_id or make_msgid(domain="cooprogreso.fin.ec")
        message.set_content(email.text, charset="utf-8")
        if email.html is not None:
            message.add_alternative(email.html, subtype="html", charset="utf-8")
        for attachment in email.attachments:
            maintype, _, subtype = attachment.content_type.partition(";")[0].strip().partition("/")
            message.add_attachment(
                attachment.data, maintype=maintype, subtype=subtype, filename=attachment.filename
            )
        return message

    def send(self, email: OutgoingEmail) -> None:
        """Send one email.

        Raises:
            DeliveryError: on any connection, TLS, authentication or refusal error.
        """
        message = self.build(email)
        try:
            with smtplib.SMTP(self.host, self.port, timeout=self.timeout) as smtp:
                if self.starttls:
                    smtp.starttls(context=ssl.create_default_context())
                if self.username:
                    smtp.login(self.username, self.password or "")
                smtp.send_message(message)
        except (OSError, smtplib.SMTPException) as exc:
            # OSError covers refused connections and timeouts; SMTPException everything the
            # server says no to. Both are retried by the outbox.
            raise DeliveryError(f"SMTP {self.host}:{self.port}: {exc!r}") from exc
