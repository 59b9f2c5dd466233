"""Privacy activities of the credit journey: the biometric consent and the deletion of frames
and face encodings from the document store, each written to ``audit_events``.

Both are safe to retry: the consent is found again by workflow, role and version before a
second row is written; deleting a key already gone is not an error, and a retried deletion
writes its audit event once (found again by workflow and batch number). Audit rows carry
counts and the workflow ID, never an image, an encoding or a key of one.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity

from bank.adapters.documents import DocumentStore
from bank.core.db import transaction
from bank.models import AuditEvent
from bank.privacy import audit
from bank.privacy.contracts import (
    CONSENT_ACTION,
    DELETE_BIOMETRICS,
    DELETED_ACTION,
    RECORD_BIOMETRIC_CONSENT,
    BiometricConsentInput,
    DeleteBiometricsInput,
    DeletedBiometrics,
)

log = logging.getLogger(__name__)


class PrivacyActivities:
    """Consent and deletion of biometric data; constructed once in ``workers/``."""

    def __init__(self, store: DocumentStore, sessions: sessionmaker[Session]) -> None:
        """Hold the document store and the session factory."""
        self.store = store
        self.sessions = sessions

    @activity.defn(name=RECORD_BIOMETRIC_CONSENT)
    def record_biometric_consent(self, request: BiometricConsentInput) -> int:
        """The signatory's consent (text version, purpose, time, origin) in the audit trail."""
        subject = audit.member_subject(request.member_id)
        with transaction(self.sessions) as session:
            for event in self._events(session, CONSENT_ACTION, subject):
                same = event.details.get("workflow_id") == request.workflow_id
                if same and event.details.get("rol") == request.role:
                    return event.id  # a retry of this step
            return audit.record(
                session,
                f"{request.role.lower()}:{request.member_id}",
                CONSENT_ACTION,
                subject,
                {
                    "workflow_id": request.workflow_id,
                    "rol": request.role,
                    "version_texto": request.text_version,
                    "finalidad": request.purpose,
                    "origen": request.origin,
                },
                at=request.at,
            ).id

    @activity.defn(name=DELETE_BIOMETRICS)
    def delete_biometrics(self, request: DeleteBiometricsInput) -> DeletedBiometrics:
        """Delete every key (a missing one is fine), then record one ``BIOMETRIA_ELIMINADA``."""
        for key in request.keys:
            self.store.delete(key)
        subject = f"workflow:{request.workflow_id}"
        with transaction(self.sessions) as session:
            for event in self._events(session, DELETED_ACTION, subject):
                if event.details.get("lote") == request.batch:
                    return DeletedBiometrics(len(request.keys), event.id)
            audit_id = audit.record(
                session,
                "sistema",
                DELETED_ACTION,
                subject,
                {
                    "workflow_id": request.workflow_id,
                    "elementos": len(request.keys),
                    "motivo": request.reason,
                    "lote": request.batch,
                },
            ).id
        log.info("biometrics deleted: %d items (%s)", len(request.keys), request.reason)
        return DeletedBiometrics(len(request.keys), audit_id)

    @staticmethod
    def _events(session: Session, action: str, subject: str) -> list[AuditEvent]:
        query = select(AuditEvent).where(AuditEvent.action == action, AuditEvent.subject == subject)
        return list(session.scalars(query))

    def all(self) -> list[Callable[..., object]]:
        """Every activity of this class, for ``Worker(activities=...)``."""
        return [self.record_biometric_consent, self.delete_biometrics]
