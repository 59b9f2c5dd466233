"""Read the dev mailbox: the .eml files of the SMTP sink and the SMS simulator's JSON lines.

Only for the embedded run and tests (``/dev/mailbox``): it shows secrets in clear by design.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from email.utils import parsedate_to_datetime
from pathlib import Path
from typing import Any, Literal

from bank.adapters.mail_sink import ENVELOPE_TO_HEADER, RECEIVED_HEADER
from bank.adapters.sms import SMS_OUTBOX_FILE
from bank.notifications.templates import OTP_TEXT


@dataclass(frozen=True)
class MailboxEntry:
    """One email or SMS as a person (or a test) wants to see it."""

    channel: Literal["email", "sms"]
    at: datetime
    to: str
    subject: str | None
    text: str
    html: str | None
    source: str
    reference: str | None
    """SMS: the outbox key (``otp:<challenge id>`` for codes); email: its Message-ID."""
    otp_code: str | None
    attachments: tuple[str, ...] = ()
    """Email: the file names of its attachments, in order."""

    def as_json(self) -> dict[str, Any]:
        """JSON-ready dict (ISO timestamp)."""
        return {**asdict(self), "at": self.at.isoformat(), "attachments": list(self.attachments)}


def _received_at(message: EmailMessage, path: Path) -> datetime:
    for header in (RECEIVED_HEADER, "Date"):
        value = message.get(header)
        if value:
            try:
                moment = (
                    datetime.fromisoformat(str(value))
                    if header == RECEIVED_HEADER
                    else parsedate_to_datetime(str(value))
                )
                return moment if moment.tzinfo else moment.replace(tzinfo=UTC)
            except (TypeError, ValueError):
                continue
    return datetime.fromtimestamp(path.stat().st_mtime, UTC)


def _part(message: EmailMessage, subtype: str) -> str | None:
    part = message.get_body(preferencelist=(subtype,))
    return None if part is None else str(part.get_content())


def read_email(path: Path) -> MailboxEntry:
    """Parse one stored .eml file."""
    message = BytesParser(policy=policy.default).parsebytes(path.read_bytes())
    assert isinstance(message, EmailMessage)
    text = _part(message, "plain") or ""
    return MailboxEntry(
        channel="email",
        at=_received_at(message, path),
        to=str(message.get(ENVELOPE_TO_HEADER) or message.get("To") or ""),
        subject=str(message.get("Subject") or ""),
        text=text,
        html=_part(message, "html"),
        source=path.name,
        reference=str(message.get("Message-ID") or "") or None,
        otp_code=None,
        attachments=tuple(
            part.get_filename() or "(sin nombre)" for part in message.iter_attachments()
        ),
    )


def _read_sms(directory: Path) -> list[MailboxEntry]:
    path = directory / SMS_OUTBOX_FILE
    if not path.is_file():
        return []
    entries = []
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        try:
            record = json.loads(line)
            at = datetime.fromisoformat(record["at"])
        except (ValueError, KeyError, TypeError):
            continue  # a line being written by another process, or hand-edited
        match = OTP_TEXT.search(record.get("text", ""))
        entries.append(
            MailboxEntry(
                channel="sms",
                at=at,
                to=str(record.get("to", "")),
                subject=None,
                text=str(record.get("text", "")),
                html=None,
                source=f"{SMS_OUTBOX_FILE}:{number}",
                reference=record.get("reference"),
                otp_code=match.group(1) if match else None,
            )
        )
    return entries


def read_mailbox(directory: Path, *, to: str | None = None, limit: int = 200) -> list[MailboxEntry]:
    """Every email and SMS in ``directory``, newest first.

    Args:
        directory: the mailbox folder (``COOP_MAILBOX_DIR``).
        to: keep only messages whose recipient contains this text.
        limit: at most this many entries (emails are parsed newest first and no further).
    """
    wanted = (lambda entry: to in entry.to) if to else (lambda entry: True)
    emails: list[MailboxEntry] = []
    # Sink file names start with the UTC receive time, so name order is time order.
    for path in sorted(directory.glob("*.eml"), reverse=True):
        try:
            entry = read_email(path)
        except (OSError, ValueError, AssertionError):
            continue
        if wanted(entry):
            emails.append(entry)
        if len(emails) >= limit:
            break
    sms = [entry for entry in _read_sms(directory) if wanted(entry)]
    return sorted(emails + sms, key=lambda entry: entry.at, reverse=True)[:limit]
