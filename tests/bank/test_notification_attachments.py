"""Outbox attachments: document-store references, checked by SHA-256, sent over real SMTP."""

from __future__ import annotations

from datetime import UTC, datetime
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bank.adapters.documents import sha256_hex
from bank.adapters.local_documents import LocalDocumentStore
from bank.models import Channel, MessageStatus, OutboundMessage
from bank.notifications import Attachment, enqueue
from bank.notifications.mailbox import read_mailbox
from tests.bank.messaging_support import SECRET, Clock, dispatcher

PDF = "application/pdf"
CONTRACT = b"%PDF-1.7\n% contrato de credito\n" + bytes(range(256)) * 8
NOTE = b"%PDF-1.7\n% pagare\n" + b"\x00\xff" * 500
CONTEXT = {
    "name": "NANCY",
    "url": "https://bancaweb.cooprogreso.test/firma/abc",
    "at": datetime(2026, 6, 8, 17, 40, tzinfo=UTC),
}


@pytest.fixture
def store(tmp_path: Path) -> LocalDocumentStore:
    return LocalDocumentStore(tmp_path / "documents")


def attach(store: LocalDocumentStore, key: str, data: bytes, filename: str) -> Attachment:
    info = store.put(key, data, PDF)
    return Attachment(key, filename, PDF, info.sha256)


def put(sessions: sessionmaker[Session], key: str, attachments: list[Attachment]) -> None:
    with sessions.begin() as session:
        enqueue(
            session,
            key=key,
            channel=Channel.EMAIL,
            recipient="nancy@example.com",
            template="signing_link",
            context=CONTEXT,
            secret_key=SECRET,
            attachments=attachments,
        )


def row(sessions: sessionmaker[Session], key: str) -> OutboundMessage:
    with sessions() as session:
        return session.scalars(
            select(OutboundMessage).where(OutboundMessage.idempotency_key == key)
        ).one()


def received(inbox: Path) -> list[EmailMessage]:
    paths = sorted(inbox.glob("*.eml")) if inbox.exists() else []
    parsed = [BytesParser(policy=policy.default).parsebytes(p.read_bytes()) for p in paths]
    return [m for m in parsed if isinstance(m, EmailMessage)]


def test_email_arrives_with_two_pdf_attachments(sessions, smtp, store, tmp_path):
    port, inbox = smtp
    files = [
        attach(store, "signing/wf/g1/generados/contrato-credito.pdf", CONTRACT, "contrato.pdf"),
        attach(store, "signing/wf/g1/generados/pagare.pdf", NOTE, "pagare.pdf"),
    ]
    put(sessions, "credit-link:wf:1:SOCIO", files)
    assert row(sessions, "credit-link:wf:1:SOCIO").attachments == [f.as_row() for f in files]

    sender = dispatcher(sessions, tmp_path, clock=Clock(), smtp_port=port, documents=store)
    assert sender.deliver_now("credit-link:wf:1:SOCIO") is MessageStatus.SENT

    [email] = received(inbox)
    assert email.get_content_type() == "multipart/mixed"
    body = email.get_body(preferencelist=("plain",))
    assert body is not None and "Firmar Documento" in str(body.get_content())
    parts = list(email.iter_attachments())
    assert [p.get_filename() for p in parts] == ["contrato.pdf", "pagare.pdf"]
    assert [p.get_content_type() for p in parts] == [PDF, PDF]
    assert [p.get_content() for p in parts] == [CONTRACT, NOTE]
    [entry] = read_mailbox(inbox)
    assert entry.attachments == ("contrato.pdf", "pagare.pdf")
    assert entry.as_json()["attachments"] == ["contrato.pdf", "pagare.pdf"]


def _replace(store: LocalDocumentStore, key: str) -> None:
    store.put(key, CONTRACT.replace(b"credito", b"CREDITO"), PDF)  # store metadata is coherent


def _corrupt(store: LocalDocumentStore, key: str) -> None:
    (store.root / "objects" / key).write_bytes(b"%PDF-1.7 forged")  # behind the store's back


@pytest.mark.parametrize(
    ("tamper", "error"),
    [(_replace, "SHA-256 mismatch"), (_corrupt, "DocumentCorrupted")],
)
def test_tampered_document_is_never_sent(sessions, smtp, store, tmp_path, tamper, error):
    port, inbox = smtp
    key = "signing/wf/g1/sellado/contrato-credito.pdf"
    put(sessions, "credit-signed:wf:1:SOCIO", [attach(store, key, CONTRACT, "contrato.pdf")])
    tamper(store, key)
    assert sha256_hex(store.root.joinpath("objects", key).read_bytes()) != sha256_hex(CONTRACT)

    sender = dispatcher(sessions, tmp_path, clock=Clock(), smtp_port=port, documents=store)
    report = sender.dispatch_pending()

    assert (report.sent, report.retried, report.failed) == (0, 1, 0)
    message = row(sessions, "credit-signed:wf:1:SOCIO")
    assert message.status is MessageStatus.PENDING and message.attempts == 1
    assert message.last_error and error in message.last_error, message.last_error
    assert received(inbox) == []


def test_attachments_without_a_document_store_wait_in_the_outbox(sessions, smtp, store, tmp_path):
    port, inbox = smtp
    key = "signing/wf/g1/generados/pagare.pdf"
    put(sessions, "credit-link:wf:1:CONYUGE", [attach(store, key, NOTE, "pagare.pdf")])
    sender = dispatcher(sessions, tmp_path, clock=Clock(), smtp_port=port)
    assert sender.deliver_now("credit-link:wf:1:CONYUGE") is MessageStatus.PENDING
    assert "document store" in (row(sessions, "credit-link:wf:1:CONYUGE").last_error or "")
    assert received(inbox) == []


def test_messages_without_attachments_store_an_empty_list(sessions):
    put(sessions, "plain:1", [])
    assert row(sessions, "plain:1").attachments == []


@pytest.mark.parametrize(
    ("key", "filename", "sha256"),
    [
        ("../etc/passwd", "a.pdf", "0" * 64),
        ("docs/a.pdf", "a\r\nBcc: x@example.com", "0" * 64),
        ("docs/a.pdf", "a.pdf", "not-a-hash"),
    ],
)
def test_unsafe_references_are_rejected(key, filename, sha256):
    with pytest.raises(ValueError):
        Attachment(key, filename, PDF, sha256)


def test_sms_cannot_carry_attachments(sessions, store):
    with sessions.begin() as session, pytest.raises(ValueError, match="only emails"):
        enqueue(
            session,
            key="sms:attach",
            channel=Channel.SMS,
            recipient="0991234567",
            template="otp",
            context={"code": "123456"},
            secret_key=SECRET,
            attachments=[attach(store, "docs/a.pdf", NOTE, "a.pdf")],
        )


def test_dev_mailbox_page_lists_attachment_file_names(sessions, smtp, store, tmp_path):
    from api.routes.dev import _page

    port, inbox = smtp
    put(sessions, "credit-link:wf:1:SOCIO", [attach(store, "docs/p.pdf", NOTE, "pagare.pdf")])
    sender = dispatcher(sessions, tmp_path, clock=Clock(), smtp_port=port, documents=store)
    assert sender.deliver_now("credit-link:wf:1:SOCIO") is MessageStatus.SENT
    assert "Adjuntos: pagare.pdf" in _page(read_mailbox(inbox))
