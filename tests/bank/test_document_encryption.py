"""Encryption at rest: what lands on disk, what a tampered or misplaced envelope does, keys
and their rotation, legacy plaintext, production's refusal and the access log."""

from __future__ import annotations

import base64
import dataclasses
import hashlib
import json
import logging
import os
import stat
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError
from temporalio.testing import ActivityEnvironment

from bank.adapters import sealed_documents
from bank.adapters.documents import (
    DocumentCorrupted,
    DocumentError,
    DocumentNotFound,
    document_store_from_settings,
)
from bank.adapters.local_documents import LocalDocumentStore
from bank.adapters.sealed_documents import (
    MAGIC,
    DocumentKeyError,
    DocumentKeyUnknown,
    KeyRing,
    SealedDocumentStore,
    embedded_key_file,
    key_ring_from_settings,
)
from bank.core.settings import CoreSettings

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"selfie of Maria Quishpe " * 200 + b"\xff\xd9"
PNG = b"\x89PNG\r\n\x1a\n" + b"cedula 1712345678 " * 200
PDF = b"%PDF-1.7\n" + b"pagare USD 5,000.00 " * 200 + b"\n%%EOF\n"
ENCODING = json.dumps({"encoding": [0.123456789] * 128}).encode()
MAGICS = (b"\xff\xd8\xff", b"\x89PNG", b"%PDF", b"{")


def entry(kid: str, seed: int) -> str:
    return f"{kid}:{base64.b64encode(bytes([seed]) * 32).decode()}"


OLD = KeyRing.parse(entry("2025-01", 1))
NEW_AND_OLD = KeyRing.parse(f"{entry('2026-12', 2)},{entry('2025-01', 1)}")
NEW_ONLY = KeyRing.parse(entry("2026-12", 2))


@pytest.fixture
def local(tmp_path: Path) -> LocalDocumentStore:
    return LocalDocumentStore(tmp_path / "documents")


def on_disk(store: LocalDocumentStore, key: str) -> bytes:
    return (store.root / "objects" / key).read_bytes()


def rewrite(store: LocalDocumentStore, key: str, data: bytes) -> None:
    """Change the stored bytes *and* their recorded digest: the inner store's own check
    passes, so only the envelope can notice."""
    (store.root / "objects" / key).write_bytes(data)
    meta_path = store.root / "meta" / f"{key}.json"
    meta = json.loads(meta_path.read_bytes())
    meta["sha256"] = hashlib.sha256(data).hexdigest()
    meta_path.write_text(json.dumps(meta))


@pytest.mark.parametrize(
    ("data", "content_type"),
    [
        (JPEG, "image/jpeg"),
        (PNG, "image/png"),
        (PDF, "application/pdf"),
        (ENCODING, "application/json"),
    ],
)
def test_what_lands_on_disk_is_neither_the_document_nor_recognisable(
    local: LocalDocumentStore, data: bytes, content_type: str
):
    sealed = SealedDocumentStore(local, OLD)
    stored = sealed.put("credit/uploads/doc", data, content_type)

    raw = on_disk(local, "credit/uploads/doc")
    assert raw.startswith(MAGIC) and not raw.startswith(MAGICS)
    assert data[:16] not in raw and data[-16:] not in raw and data[40:80] not in raw
    assert b"Quishpe" not in raw and b"1712345678" not in raw and b"5,000.00" not in raw
    # What callers record and later compare is the plaintext's digest, size and type.
    assert stored.sha256 == hashlib.sha256(data).hexdigest()
    assert (stored.size, stored.content_type) == (len(data), content_type)
    document = sealed.get("credit/uploads/doc")
    assert document.data == data and document.info == stored


def test_the_same_document_sealed_twice_differs(local: LocalDocumentStore):
    sealed = SealedDocumentStore(local, OLD)
    sealed.put("a.jpg", JPEG, "image/jpeg")
    sealed.put("b.jpg", JPEG, "image/jpeg")
    assert on_disk(local, "a.jpg") != on_disk(local, "b.jpg")
    assert sealed.get("a.jpg").info.sha256 == sealed.get("b.jpg").info.sha256


def _offsets(envelope: bytes) -> dict[str, int]:
    kid_len = envelope[9]
    type_len = int.from_bytes(envelope[10 + kid_len : 12 + kid_len], "big")
    at = 12 + kid_len + type_len + 32
    return {
        "version": 8,
        "content type": 12 + kid_len,
        "digest": at - 7,
        "wrap nonce": at,
        "wrapped data key": at + 12 + 20,
        "data nonce": at + 12 + 48 + 3,
        "body": (at + 72 + len(envelope)) // 2,
        "tag": len(envelope) - 1,
    }


@pytest.mark.parametrize(
    "where",
    [
        "version",
        "content type",
        "digest",
        "wrap nonce",
        "wrapped data key",
        "data nonce",
        "body",
        "tag",
    ],
)
def test_one_changed_byte_anywhere_is_refused(local: LocalDocumentStore, where: str):
    sealed = SealedDocumentStore(local, OLD)
    sealed.put("ids/cedula.png", PNG, "image/png")
    envelope = bytearray(on_disk(local, "ids/cedula.png"))
    envelope[_offsets(bytes(envelope))[where]] ^= 0x01
    rewrite(local, "ids/cedula.png", bytes(envelope))

    with pytest.raises(DocumentCorrupted):
        sealed.get("ids/cedula.png")


def test_a_truncated_envelope_is_refused(local: LocalDocumentStore):
    sealed = SealedDocumentStore(local, OLD)
    sealed.put("ids/cedula.png", PNG, "image/png")
    for length in (9, 30, 100):
        rewrite(local, "ids/cedula.png", on_disk(local, "ids/cedula.png")[:length])
        with pytest.raises(DocumentCorrupted):
            sealed.get("ids/cedula.png")


def test_a_byte_changed_on_disk_alone_is_caught_too(local: LocalDocumentStore):
    sealed = SealedDocumentStore(local, OLD)
    sealed.put("ids/cedula.png", PNG, "image/png")
    path = local.root / "objects" / "ids" / "cedula.png"
    raw = bytearray(path.read_bytes())
    raw[-5] ^= 0x80
    path.write_bytes(bytes(raw))
    with pytest.raises(DocumentCorrupted):
        sealed.get("ids/cedula.png")


def test_an_envelope_moved_under_another_key_does_not_open(local: LocalDocumentStore):
    sealed = SealedDocumentStore(local, OLD)
    sealed.put("credit/ana/selfie.jpg", JPEG, "image/jpeg")
    sealed.put("credit/luis/selfie.jpg", b"\xff\xd8\xff luis", "image/jpeg")
    # Someone with write access to the store swaps Ana's selfie in for Luis's.
    rewrite(local, "credit/luis/selfie.jpg", on_disk(local, "credit/ana/selfie.jpg"))
    with pytest.raises(DocumentCorrupted):
        sealed.get("credit/luis/selfie.jpg")


def test_another_key_is_refused(local: LocalDocumentStore):
    SealedDocumentStore(local, OLD).put("contrato.pdf", PDF, "application/pdf")

    same_id_other_bytes = KeyRing.parse(entry("2025-01", 9))
    with pytest.raises(DocumentCorrupted):
        SealedDocumentStore(local, same_id_other_bytes).get("contrato.pdf")
    with pytest.raises(DocumentKeyUnknown, match="2025-01"):
        SealedDocumentStore(local, NEW_ONLY).get("contrato.pdf")
    assert issubclass(DocumentKeyUnknown, DocumentError)  # the API answers 503, never 500


def test_rotation_new_key_seals_old_key_still_opens_reseal_retires_it(
    local: LocalDocumentStore,
):
    SealedDocumentStore(local, OLD).put("old.pdf", PDF, "application/pdf")

    rotated = SealedDocumentStore(local, NEW_AND_OLD)
    rotated.put("new.pdf", PDF, "application/pdf")
    assert rotated.get("old.pdf").data == PDF
    assert b"2026-12" in on_disk(local, "new.pdf")[:20]
    assert b"2025-01" in on_disk(local, "old.pdf")[:20]
    with pytest.raises(DocumentKeyUnknown):
        SealedDocumentStore(local, OLD).get("new.pdf")

    assert rotated.reseal(local.keys()) == {"resealed": 1, "current": 1}
    retired = SealedDocumentStore(local, NEW_ONLY)
    assert retired.get("old.pdf").data == retired.get("new.pdf").data == PDF
    assert rotated.reseal(local.keys()) == {"resealed": 0, "current": 2}


def test_documents_stored_before_sealing_stay_readable_until_resealed(
    local: LocalDocumentStore,
):
    before = local.put("credit/uploads/cedula.jpg", JPEG, "image/jpeg")  # written unsealed

    sealed = SealedDocumentStore(local, OLD)
    document = sealed.get("credit/uploads/cedula.jpg")
    assert document.data == JPEG and document.info == before
    with pytest.raises(DocumentCorrupted):
        SealedDocumentStore(local, OLD, legacy_plaintext=False).get("credit/uploads/cedula.jpg")

    assert sealed.reseal(local.keys()) == {"resealed": 1, "current": 0}
    assert on_disk(local, "credit/uploads/cedula.jpg").startswith(MAGIC)
    strict = SealedDocumentStore(local, OLD, legacy_plaintext=False)
    assert strict.get("credit/uploads/cedula.jpg").info == before


def test_production_refuses_to_start_without_document_keys(tmp_path: Path):
    production: dict[str, Any] = {
        "environment": "production",
        "secret_key": "a-production-secret-that-is-long-enough-0123",
        "dev_outbox": False,
        "document_dir": tmp_path / "documents",
    }
    with pytest.raises(ValidationError, match="COOP_DOCUMENT_KEYS"):
        CoreSettings(**production)
    unchecked = CoreSettings.model_construct(**production)  # a validator bypassed
    with pytest.raises(DocumentKeyError, match="COOP_DOCUMENT_KEYS"):
        document_store_from_settings(unchecked)

    settings = CoreSettings(**production, document_keys=entry("prod-1", 7))
    store = document_store_from_settings(settings)
    assert store.get(store.put("x.pdf", PDF, "application/pdf").key).data == PDF
    assert not embedded_key_file(settings).exists()  # production never makes a key


@pytest.mark.parametrize(
    "keys",
    [
        "no-colon",
        "k1:not base64!",
        "k1:" + base64.b64encode(b"short").decode(),
        f"{entry('k1', 1)},{entry('k1', 2)}",
        entry("../k1", 1),
        " , ",
    ],
)
def test_malformed_document_keys_are_refused(keys: str):
    with pytest.raises(DocumentKeyError):
        KeyRing.parse(keys)


def test_keys_never_show_in_a_repr():
    assert "AQEB" not in repr(OLD) and "\\x01" not in repr(OLD)
    assert "AQEB" not in repr(CoreSettings(document_keys=entry("k1", 1)))


def test_the_embedded_run_generates_one_private_key_and_keeps_it(tmp_path: Path):
    settings = CoreSettings(document_dir=tmp_path / "documents")
    first = document_store_from_settings(settings)
    first.put("selfie.jpg", JPEG, "image/jpeg")

    key_file = tmp_path / "documents.key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    again = document_store_from_settings(settings)  # a restart, or the other process
    assert again.get("selfie.jpg").data == JPEG
    assert key_ring_from_settings(settings).ids == KeyRing.parse(key_file.read_text()).ids
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []


def _access_lines(caplog: pytest.LogCaptureFixture) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.name == "bank.documents.access"]


def test_every_read_logs_one_line_with_the_key_and_no_content(
    local: LocalDocumentStore, caplog: pytest.LogCaptureFixture
):
    sealed = SealedDocumentStore(local, OLD)
    sealed.put("credit/uploads/cedula.png", PNG, "image/png")
    caplog.clear()
    caplog.set_level(logging.INFO, logger="bank.documents.access")

    sealed.get("credit/uploads/cedula.png")

    (line,) = _access_lines(caplog)
    assert line.startswith("document read key=credit/uploads/cedula.png content_type=image/png")
    assert f"bytes={len(PNG)}" in line and "key_id=2025-01" in line
    assert "1712345678" not in line and "PNG" not in line and "workflow_id" not in line


def test_a_read_inside_an_activity_names_its_journey(
    local: LocalDocumentStore, caplog: pytest.LogCaptureFixture
):
    sealed = SealedDocumentStore(local, OLD)
    local.put("legacy.jpg", JPEG, "image/jpeg")
    caplog.set_level(logging.INFO, logger="bank.documents.access")
    env = ActivityEnvironment()
    env.info = dataclasses.replace(
        env.info, workflow_id="credit-camp1-000123", activity_type="kyc.extract_reference_face"
    )

    env.run(lambda: sealed.get("legacy.jpg"))
    with pytest.raises(DocumentNotFound):
        env.run(lambda: sealed.get("missing.jpg"))

    read, refused = _access_lines(caplog)
    assert read.startswith("document read key=legacy.jpg content_type=image/jpeg")
    assert "key_id=-" in read  # plaintext, and the line says so
    for line in (read, refused):
        assert "workflow_id=credit-camp1-000123" in line
        assert "activity=kyc.extract_reference_face" in line
        assert "Quishpe" not in line
    assert refused == (
        "document refused key=missing.jpg reason=DocumentNotFound "
        "workflow_id=credit-camp1-000123 activity=kyc.extract_reference_face attempt=1"
    )


def test_a_10_mb_document_needs_at_most_three_times_its_size(local: LocalDocumentStore):
    sealed = SealedDocumentStore(local, OLD)
    data = b"\xff\xd8\xff" + os.urandom(10 * 1024 * 1024)
    tracemalloc.start()
    try:
        tracemalloc.reset_peak()
        sealed.put("big.jpg", data, "image/jpeg")
        put_peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.reset_peak()
        document = sealed.get("big.jpg")
        get_peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert document.data == data
    # Peaks count what the call allocated beyond the input; the input itself is a 1x more.
    assert put_peak + len(data) < 3 * len(data), put_peak
    assert get_peak < 3 * len(data), get_peak


def test_the_migration_command_reseals_a_folder_and_new_key_prints_a_usable_entry(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
):
    folder = tmp_path / "documents"
    LocalDocumentStore(folder).put("demo/cedula.jpg", JPEG, "image/jpeg")  # before sealing
    monkeypatch.setenv("COOP_DOCUMENT_DIR", str(folder))

    assert sealed_documents.main(["reseal"]) == 0
    assert json.loads(capsys.readouterr().out) == {"resealed": 1, "current": 0}
    assert (folder / "objects" / "demo" / "cedula.jpg").read_bytes().startswith(MAGIC)
    assert sealed_documents.main(["reseal"]) == 0
    assert json.loads(capsys.readouterr().out) == {"resealed": 0, "current": 1}

    assert sealed_documents.main(["new-key", "2027-01"]) == 0
    assert KeyRing.parse(capsys.readouterr().out).ids == ("2027-01",)
    assert sealed_documents.main(["rotate"]) == 2
