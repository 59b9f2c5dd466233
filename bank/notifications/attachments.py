"""Email attachments of the outbox: document-store references in, checked bytes out.

Only references (key, file name, content type, SHA-256) enter ``outbound_messages``; the
dispatcher loads the bytes from the document store when it sends, and refuses to send a
document whose bytes no longer hash to the SHA-256 recorded at enqueue time.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

from bank.adapters.documents import (
    DocumentError,
    DocumentStore,
    sha256_hex,
    validate_content_type,
    validate_key,
)
from bank.adapters.email import EmailAttachment
from bank.adapters.errors import DeliveryError

_SHA256 = re.compile(r"[0-9a-f]{64}")
_FILENAME = re.compile(r"[^\x00-\x1f\x7f/\\]{1,120}")


@dataclass(frozen=True)
class Attachment:
    """A document to attach, by reference: ``sha256`` is the lowercase hex the member saw."""

    key: str
    filename: str
    content_type: str
    sha256: str

    def __post_init__(self) -> None:
        """Reject what could not be sent safely (header injection, path, bad hash)."""
        validate_key(self.key)
        validate_content_type(self.content_type)
        if not _FILENAME.fullmatch(self.filename):
            raise ValueError(f"invalid attachment file name: {self.filename!r}")
        if not _SHA256.fullmatch(self.sha256):
            raise ValueError(f"invalid attachment SHA-256: {self.sha256!r}")

    def as_row(self) -> dict[str, str]:
        """The JSON stored in ``outbound_messages.attachments``."""
        return asdict(self)

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> Attachment:
        """Read one stored reference back."""
        return cls(
            str(row["key"]), str(row["filename"]), str(row["content_type"]), str(row["sha256"])
        )


def load(store: DocumentStore | None, rows: Iterable[Mapping[str, Any]]) -> list[EmailAttachment]:
    """Fetch each referenced document and check it is the one recorded at enqueue time.

    Raises:
        DeliveryError: no store configured, a document missing or corrupted in the store, or
            bytes whose SHA-256 is not the recorded one. The outbox retries the message later;
            nothing is sent meanwhile.
    """
    attachments = [Attachment.from_row(row) for row in rows]
    if attachments and store is None:
        raise DeliveryError("attachments need a document store; none is configured")
    loaded = []
    for attachment in attachments:
        assert store is not None
        try:
            data = store.get(attachment.key).data
        except DocumentError as exc:
            raise DeliveryError(
                f"attachment {attachment.key} unavailable: {type(exc).__name__}"
            ) from exc
        actual = sha256_hex(data)
        if actual != attachment.sha256:
            raise DeliveryError(
                f"attachment {attachment.key} SHA-256 mismatch: expected "
                f"{attachment.sha256[:16]}…, found {actual[:16]}…; not sent"
            )
        loaded.append(EmailAttachment(attachment.filename, attachment.content_type, data))
    return loaded
