"""A member's request to delete their personal data, recorded for an officer.

The cooperative cannot simply erase a member: identity, contracts, the ledger and the
signed credit documents are regulated records kept for their legal terms (``docs/privacy.md``
lists what is deleted and what is kept). So the request is recorded (one open at a time) and
audited; an officer answers it. The caller owns the transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from bank.core.errors import DomainError
from bank.models import PrivacyRequest, PrivacyRequestStatus
from bank.privacy import audit


class DeletionAlreadyRequested(DomainError):
    """The member already has an open deletion request."""

    code = "SOLICITUD_EXISTENTE"
    default_message = (
        "Ya tienes una solicitud de eliminación de datos en trámite. Un oficial te contactará."
    )
    status_code: ClassVar[int] = 409


def request_deletion(
    session: Session, member_id: int, actor: str, reason: str | None, origin: str, now: datetime
) -> PrivacyRequest:
    """Record an open deletion request and its audit event.

    Raises:
        DeletionAlreadyRequested: one is already open.
    """
    open_one = session.scalar(
        select(PrivacyRequest.id).where(
            PrivacyRequest.member_id == member_id,
            PrivacyRequest.status == PrivacyRequestStatus.NUEVA,
        )
    )
    if open_one is not None:
        raise DeletionAlreadyRequested()
    request = PrivacyRequest(
        member_id=member_id,
        kind="SUPRESION",
        reason=reason,
        origin=origin[:200],
        status=PrivacyRequestStatus.NUEVA,
        created_at=now,
    )
    try:
        with session.begin_nested():  # two requests at once: the partial unique index decides
            session.add(request)
    except IntegrityError as exc:
        raise DeletionAlreadyRequested() from exc
    audit.record(
        session,
        actor,
        audit.DELETION_REQUESTED,
        audit.member_subject(member_id),
        {"solicitud": request.id},
        at=now,
    )
    return request
