"""The credit emails carry the PDFs: the documents to sign, then the sealed documents."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.testing import ActivityEnvironment

from activities.credit import CreditActivities
from activities.signing import GENERATED_STEP, document_key
from bank.adapters.local_documents import LocalDocumentStore
from bank.adapters.registro_civil import SimulatedRegistroCivil
from bank.models import CivilStatus, OutboundMessage
from bank.signing.contracts import DocumentKind, DocumentRef
from tests.factories import make_member
from workflows.credit import calls as act

SECRET = "credit-activities-secret-0123456789-abcdefghijk"
WID = "credit-PRE2026-7"
NOW = datetime(2026, 6, 8, 17, 40, tzinfo=UTC)
PDF = "application/pdf"


def activities(sessions: sessionmaker[Session]) -> CreditActivities:
    return CreditActivities(
        sessions,
        secret_key=SECRET,
        registro_civil=SimulatedRegistroCivil(),
        public_url="https://bancaweb.cooprogreso.test",
        clock=lambda: NOW,
    )


def recipients(sessions: sessionmaker[Session]) -> tuple[act.LinkRecipient, ...]:
    with sessions.begin() as session:
        nancy = make_member(session, first_names="NANCY", civil_status=CivilStatus.CASADO)
        christian = make_member(session, first_names="CHRISTIAN", civil_status=CivilStatus.CASADO)
        return (
            act.LinkRecipient("SOCIO", nancy.id, "NANCY", "nancy@example.com"),
            act.LinkRecipient("CONYUGE", christian.id, "CHRISTIAN", "christian@example.com"),
        )


def messages(sessions: sessionmaker[Session], template: str) -> list[OutboundMessage]:
    with sessions() as session:
        return list(
            session.scalars(
                select(OutboundMessage)
                .where(OutboundMessage.template == template)
                .order_by(OutboundMessage.id)
            )
        )


def test_signing_link_emails_attach_the_documents_to_sign(sessions, tmp_path: Path):
    store = LocalDocumentStore(tmp_path / "documents")
    expected, rendered = [], []
    for kind in DocumentKind:
        key = document_key(WID, 1, GENERATED_STEP, kind.value)
        info = store.put(key, f"%PDF-1.7 {kind.value}".encode(), PDF)
        rendered.append(DocumentRef(kind.value, key, info.sha256, info.size))
        expected.append(
            {
                "key": key,
                "filename": f"{kind.value}.pdf",
                "content_type": PDF,
                "sha256": info.sha256,
            }
        )
    credit, env = activities(sessions), ActivityEnvironment()
    request = act.LinksInput(WID, 1, NOW, recipients(sessions), tuple(rendered))
    env.run(credit.create_signing_links, request)
    env.run(credit.create_signing_links, request)  # a retry: same keys, no new messages

    links = messages(sessions, "signing_link")
    assert [m.recipient for m in links] == ["nancy@example.com", "christian@example.com"]
    assert [m.attachments for m in links] == [expected, expected]


def test_signed_documents_email_attaches_the_sealed_documents(sessions, tmp_path: Path):
    store = LocalDocumentStore(tmp_path / "documents")
    sealed = []
    for kind in (DocumentKind.CONTRACT, DocumentKind.PROMISSORY_NOTE):
        key = document_key(WID, 1, "sellado", kind.value)
        info = store.put(key, f"%PDF-1.7 sellado {kind.value}".encode(), PDF)
        sealed.append(DocumentRef(kind.value, key, info.sha256, info.size))
    credit, env = activities(sessions), ActivityEnvironment()
    request = act.SignedDocumentsInput(
        WID, 1, "0100000001", 975_000, recipients(sessions), tuple(sealed)
    )
    assert env.run(credit.send_signed_documents, request) == 2
    assert env.run(credit.send_signed_documents, request) == 2  # a retry

    signed = messages(sessions, "credit_documents_signed")
    assert [m.idempotency_key for m in signed] == [
        f"credit-signed:{WID}:1:SOCIO",
        f"credit-signed:{WID}:1:CONYUGE",
    ]
    expected = [
        {"key": ref.key, "filename": f"{ref.kind}-firmado.pdf", "content_type": PDF,
         "sha256": ref.sha256}
        for ref in sealed
    ]  # fmt: skip
    assert [m.attachments for m in signed] == [expected, expected]


def test_a_link_request_without_documents_sends_the_link_alone(sessions):
    credit = activities(sessions)
    request = act.LinksInput(WID, 2, NOW, recipients(sessions)[:1])
    ActivityEnvironment().run(credit.create_signing_links, request)
    [link] = messages(sessions, "signing_link")
    assert link.attachments == []
