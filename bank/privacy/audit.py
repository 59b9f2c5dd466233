"""The access log of personal data: one ``audit_events`` row per read, export or deletion.

Rows carry who, what and when (and the subject's id), never the data itself. The caller
owns the transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from bank.models import AuditEvent, utcnow

PERSONAL_DATA_READ = "DATOS_PERSONALES_CONSULTADOS"
PERSONAL_DATA_EXPORTED = "DATOS_PERSONALES_EXPORTADOS"
DELETION_REQUESTED = "SOLICITUD_ELIMINACION_DATOS"


def record(
    session: Session,
    actor: str,
    action: str,
    subject: str,
    details: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> AuditEvent:
    """Add one audit event (flushed, so its id is known); the caller commits."""
    event = AuditEvent(
        at=at or utcnow(),
        actor=actor[:80],
        action=action[:60],
        subject=subject[:120],
        details=details or {},
    )
    session.add(event)
    session.flush()
    return event


def member_subject(member_id: int) -> str:
    """The ``audit_events.subject`` of a member's personal data."""
    return f"member:{member_id}"
