"""The document-store contract, run against S3 (moto's server over HTTP) and a local folder,
each bare and sealed (bank/adapters/sealed_documents.py)."""

from __future__ import annotations

import base64
import hashlib
import os
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto.server import ThreadedMotoServer

from bank.adapters.documents import (
    DocumentCorrupted,
    DocumentNotFound,
    DocumentStore,
    InvalidContentType,
    InvalidDocumentKey,
    document_store_from_settings,
)
from bank.adapters.local_documents import LocalDocumentStore
from bank.adapters.s3_documents import S3DocumentStore
from bank.adapters.sealed_documents import KeyRing, SealedDocumentStore
from bank.core.settings import CoreSettings

PDF = b"%PDF-1.7\n" + os.urandom(2048) + b"\n%%EOF\n"


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


def s3_client(endpoint: str) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=endpoint,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


@pytest.fixture
def s3_store(s3_endpoint: str) -> S3DocumentStore:
    bucket = f"docs-{uuid.uuid4().hex[:12]}"
    store = S3DocumentStore(s3_client(s3_endpoint), bucket, server_side_encryption="AES256")
    store.ensure_bucket()
    return store


KEYS = KeyRing.parse("k1:" + base64.b64encode(bytes(range(32))).decode())


@pytest.fixture(params=["s3", "local", "sealed-s3", "sealed-local"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> DocumentStore:
    """Each store, bare and sealed: the envelope keeps the same contract."""
    inner: DocumentStore
    if request.param.endswith("s3"):
        inner = request.getfixturevalue("s3_store")
    else:
        inner = LocalDocumentStore(tmp_path / "documents")
    return SealedDocumentStore(inner, KEYS) if request.param.startswith("sealed") else inner


def test_put_then_get_returns_bytes_checksum_and_content_type(store: DocumentStore):
    stored = store.put("credit/000123/contrato.pdf", PDF, "application/pdf")
    assert stored.key == "credit/000123/contrato.pdf"
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest()
    assert (stored.size, stored.content_type) == (len(PDF), "application/pdf")

    document = store.get("credit/000123/contrato.pdf")
    assert document.data == PDF
    assert document.info == stored


def test_without_a_key_the_store_picks_a_random_name(store: DocumentStore):
    first = store.put(None, b"a", "text/plain")
    second = store.put(None, b"a", "text/plain")
    assert first.key != second.key
    assert len(first.key) == 32 and all(c in "0123456789abcdef" for c in first.key)
    assert store.get(first.key).data == b"a"


def test_exists_and_delete(store: DocumentStore):
    store.put("ids/cedula.png", b"\x89PNG\r\n\x1a\n", "image/png")
    assert store.exists("ids/cedula.png")
    store.delete("ids/cedula.png")
    assert not store.exists("ids/cedula.png")
    store.delete("ids/cedula.png")  # deleting twice is fine
    with pytest.raises(DocumentNotFound):
        store.get("ids/cedula.png")


def test_put_replaces_an_existing_key(store: DocumentStore):
    store.put("bill.pdf", b"old", "application/pdf")
    store.put("bill.pdf", b"new", "image/jpeg")
    document = store.get("bill.pdf")
    assert (document.data, document.info.content_type) == (b"new", "image/jpeg")


@pytest.mark.parametrize(
    "key",
    [
        "",
        "../secret",
        "a/../../b",
        "/etc/passwd",
        ".hidden",
        "a//b",
        "a\\b",
        "a/./b",
        "x" * 513,
        "dir/",
        "spaces are bad",
        "nul\x00byte",
    ],
)
def test_unsafe_keys_are_refused(store: DocumentStore, key: str):
    with pytest.raises(InvalidDocumentKey):
        store.put(key, b"x", "text/plain")
    with pytest.raises(InvalidDocumentKey):
        store.get(key)


def test_unknown_key_is_not_found(store: DocumentStore):
    with pytest.raises(DocumentNotFound):
        store.get("never/written.pdf")
    assert not store.exists("never/written.pdf")


def test_a_bad_content_type_is_refused(store: DocumentStore):
    with pytest.raises(InvalidContentType):
        store.put("x.pdf", b"x", "application/pdf\r\nX-Evil: 1")


def test_s3_sends_checksum_encryption_and_content_type(s3_store: S3DocumentStore):
    sent: list[dict[str, Any]] = []
    s3_store.client.meta.events.register(
        "before-send.s3.PutObject", lambda request, **_: sent.append(dict(request.headers))
    )
    stored = s3_store.put("signed/pagare.pdf", PDF, "application/pdf")

    digest = hashlib.sha256(PDF).digest()
    assert sent[0]["x-amz-checksum-sha256"].decode() == base64.b64encode(digest).decode()
    head = s3_store.client.head_object(Bucket=s3_store.bucket, Key=stored.key)
    assert head["ServerSideEncryption"] == "AES256"
    assert head["ContentType"] == "application/pdf"
    assert head["Metadata"] == {"sha256": digest.hex()}


def test_s3_without_encryption_sends_no_sse_header(s3_endpoint: str):
    store = S3DocumentStore(s3_client(s3_endpoint), "plain-docs", server_side_encryption="")
    store.ensure_bucket()
    store.put("a.txt", b"a", "text/plain")
    head = store.client.head_object(Bucket="plain-docs", Key="a.txt")
    assert "ServerSideEncryption" not in head


def test_s3_detects_an_object_changed_behind_its_back(s3_store: S3DocumentStore):
    s3_store.put("contract.pdf", PDF, "application/pdf")
    s3_store.client.put_object(
        Bucket=s3_store.bucket,
        Key="contract.pdf",
        Body=b"tampered",
        Metadata={"sha256": hashlib.sha256(PDF).hexdigest()},
    )
    with pytest.raises(DocumentCorrupted):
        s3_store.get("contract.pdf")


def test_local_detects_a_file_changed_behind_its_back(tmp_path: Path):
    store = LocalDocumentStore(tmp_path)
    store.put("contract.pdf", PDF, "application/pdf")
    (tmp_path / "objects" / "contract.pdf").write_bytes(b"tampered")
    with pytest.raises(DocumentCorrupted):
        store.get("contract.pdf")


def test_local_store_cannot_be_led_out_of_its_folder_by_a_symlink(tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    store = LocalDocumentStore(tmp_path / "documents")
    (tmp_path / "documents" / "objects").mkdir(parents=True)
    (tmp_path / "documents" / "objects" / "link").symlink_to(outside)
    with pytest.raises(InvalidDocumentKey):
        store.put("link/escape.txt", b"x", "text/plain")
    assert list(outside.iterdir()) == []


def test_local_store_leaves_no_temporary_files(tmp_path: Path):
    store = LocalDocumentStore(tmp_path)
    for n in range(5):
        store.put(f"batch/{n}.txt", b"x" * n, "text/plain")
    names = [p.name for p in tmp_path.rglob("*") if p.is_file()]
    assert not [n for n in names if n.startswith(".tmp-")]
    assert len(names) == 10  # five objects, five metadata files


def test_factory_follows_settings_and_seals_both_stores(
    tmp_path: Path, s3_endpoint: str, monkeypatch
):
    local = document_store_from_settings(CoreSettings(document_dir=tmp_path / "documents"))
    assert isinstance(local, SealedDocumentStore)
    assert isinstance(local.inner, LocalDocumentStore)
    assert local.inner.root == (tmp_path / "documents").resolve()

    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    settings = CoreSettings(
        document_store="s3",
        s3_endpoint_url=s3_endpoint,
        s3_bucket="factory",
        document_dir=tmp_path / "documents",
    )
    s3 = document_store_from_settings(settings)
    assert isinstance(s3, SealedDocumentStore) and isinstance(s3.inner, S3DocumentStore)
    s3.inner.ensure_bucket()
    assert s3.get(s3.put(None, b"hola", "text/plain").key).data == b"hola"


def test_a_sealed_s3_object_is_ciphertext_and_still_asks_for_sse(s3_store: S3DocumentStore):
    sealed = SealedDocumentStore(s3_store, KEYS)
    stored = sealed.put("ids/cedula.pdf", PDF, "application/pdf")

    raw = s3_store.client.get_object(Bucket=s3_store.bucket, Key=stored.key)
    body = raw["Body"].read()
    assert body.startswith(b"COOPSEAL") and PDF[:64] not in body and b"%PDF" not in body
    assert raw["ServerSideEncryption"] == "AES256"
    assert raw["ContentType"] == "application/pdf"
    assert stored.sha256 == hashlib.sha256(PDF).hexdigest() != raw["Metadata"]["sha256"]
    assert sealed.get(stored.key).info == stored


@pytest.mark.parametrize("kind", ["s3", "local"])
def test_keys_lists_every_complete_document(
    kind: str, request: pytest.FixtureRequest, tmp_path: Path
):
    store = (
        request.getfixturevalue("s3_store")
        if kind == "s3"
        else LocalDocumentStore(tmp_path / "documents")
    )
    for key in ("credit/b.pdf", "a.txt", "credit/frames/1.jpg"):
        store.put(key, b"x", "text/plain")
    store.delete("a.txt")
    assert sorted(store.keys()) == ["credit/b.pdf", "credit/frames/1.jpg"]
