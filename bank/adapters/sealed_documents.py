"""Encryption at rest for the document store: every document sealed in its own envelope.

ID photos, selfies and their liveness frames, face encodings, contracts and signed PDFs all
go through :class:`SealedDocumentStore`, which wraps the local folder or S3 store
(``document_store_from_settings`` builds it; docs/encryption-at-rest.md). Each document is
encrypted with AES-256-GCM under a fresh random data key; the data key is wrapped, also with
AES-256-GCM, by a key-encryption key from ``COOP_DOCUMENT_KEYS`` whose id the envelope
names, so the newest key seals while every listed key still opens.

Envelope (integers big-endian)::

    magic     8  b"COOPSEAL"
    version   1  1
    kid_len   1  n (1..32)
    kid       n  id of the key-encryption key
    type_len  2  m
    type      m  content type (authenticated: get() answers this one)
    sha256   32  digest of the document (authenticated: get() need not hash it again)
    wnonce   12  nonce of the wrapped data key
    wrapped  48  the data key under the key-encryption key, with its tag
    dnonce   12  nonce of the document
    body      *  the document under the data key, with its 16-byte tag

The wrap binds the header before it and the document key; the body binds the whole header
and the document key. A flipped byte, an edited header, an envelope copied under another key:
the tag fails and get() raises :class:`DocumentCorrupted`. Documents stored before sealing
existed have no magic and are read as they are while ``COOP_DOCUMENT_LEGACY_PLAINTEXT`` is on.

Every read, write and deletion logs one line on ``bank.documents.access`` (the key, content
type, size, the key id, and the workflow and activity it ran in), never a byte of content.
"""

from __future__ import annotations

import base64
import binascii
import contextlib
import json
import logging
import os
import re
import struct
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Protocol, runtime_checkable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from bank.adapters.documents import (
    Document,
    DocumentCorrupted,
    DocumentError,
    DocumentStore,
    StoredDocument,
    new_key,
    sha256_hex,
    validate_content_type,
    validate_key,
)
from bank.core.logs import temporal_context
from bank.core.settings import CoreSettings

MAGIC = b"COOPSEAL"
VERSION = 1
KEY_BYTES = 32
_NONCE = 12
_TAG = 16
_WRAPPED = KEY_BYTES + _TAG
_DIGEST = 32
_KEY_ID = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,31}")

access_log = logging.getLogger("bank.documents.access")


class DocumentKeyError(DocumentError, ValueError):
    """``COOP_DOCUMENT_KEYS`` (or the embedded key file) is missing or malformed."""


class DocumentKeyUnknown(DocumentError):
    """The document was sealed with a key id that is not configured (a key was dropped)."""


@dataclass(frozen=True)
class KeyRing:
    """Key-encryption keys by id, newest first: the first seals, every one opens."""

    keys: tuple[tuple[str, bytes], ...] = field(repr=False)

    def __post_init__(self) -> None:
        ids = [kid for kid, _ in self.keys]
        if not ids:
            raise DocumentKeyError("no document key configured")
        if len(set(ids)) != len(ids):
            raise DocumentKeyError("document key ids must be unique")
        for kid, key in self.keys:
            if not _KEY_ID.fullmatch(kid):
                raise DocumentKeyError(f"invalid document key id: {kid!r}")
            if len(key) != KEY_BYTES:
                raise DocumentKeyError(f"document key {kid!r} must be {KEY_BYTES} bytes")

    @property
    def ids(self) -> tuple[str, ...]:
        """The key ids, newest first (safe to log)."""
        return tuple(kid for kid, _ in self.keys)

    @property
    def active(self) -> tuple[str, bytes]:
        """The id and key that seal new documents."""
        return self.keys[0]

    def key(self, kid: str) -> bytes | None:
        """The key named ``kid``, if configured."""
        return next((key for known, key in self.keys if known == kid), None)

    @classmethod
    def parse(cls, text: str) -> KeyRing:
        """Keys from ``id:base64,id:base64`` (standard or URL-safe base64 of 32 bytes).

        Raises:
            DocumentKeyError: an entry without an id, not base64, or not 32 bytes long.
        """
        keys = []
        for entry in (part.strip() for part in text.replace("\n", ",").split(",")):
            if not entry:
                continue
            kid, sep, encoded = entry.partition(":")
            if not sep:
                raise DocumentKeyError("each document key is written id:base64")
            keys.append((kid.strip(), _decode_key(kid, encoded.strip())))
        return cls(tuple(keys))


def _decode_key(kid: str, encoded: str) -> bytes:
    standard = encoded.translate(str.maketrans("-_", "+/"))
    try:
        return base64.b64decode(standard + "=" * (-len(standard) % 4), validate=True)
    except (binascii.Error, ValueError) as exc:
        raise DocumentKeyError(f"document key {kid!r} is not base64") from exc


def generate_key_entry(kid: str) -> str:
    """A new ``id:base64`` entry for ``COOP_DOCUMENT_KEYS``."""
    if not _KEY_ID.fullmatch(kid):
        raise DocumentKeyError(f"invalid document key id: {kid!r}")
    return f"{kid}:{base64.b64encode(AESGCM.generate_key(bit_length=256)).decode()}"


def load_or_create_key_file(path: Path) -> KeyRing:
    """The embedded run's keys: read ``path``, or create it once (mode 0600) with one key.

    The file is written to a temporary name and hard-linked into place, so two processes
    starting together agree on one key and neither ever reads a half-written file.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        entry = generate_key_entry(f"dev-{datetime.now(UTC):%Y%m%d}")
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "w") as handle:
                handle.write(entry + "\n")
                handle.flush()
                os.fsync(handle.fileno())
            with contextlib.suppress(FileExistsError):  # another process won: use its key
                os.link(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
    return KeyRing.parse(path.read_text())


def _aad(key: str, header: bytes) -> bytes:
    return header + b"\x00" + key.encode()


def seal(keys: KeyRing, key: str, data: bytes, content_type: str, digest: str) -> bytearray:
    """The envelope of ``data`` (whose SHA-256 is ``digest``) stored under ``key``.

    A bytearray: handing it to the inner store as it is saves a copy of the document.
    """
    kid, kek = keys.active
    kid_bytes, type_bytes = kid.encode(), content_type.encode()
    head = MAGIC + struct.pack(">BB", VERSION, len(kid_bytes)) + kid_bytes
    head += struct.pack(">H", len(type_bytes)) + type_bytes + bytes.fromhex(digest)
    data_key = AESGCM.generate_key(256)
    wrap_nonce, data_nonce = os.urandom(_NONCE), os.urandom(_NONCE)
    head += wrap_nonce + AESGCM(kek).encrypt(wrap_nonce, data_key, _aad(key, head))
    head += data_nonce
    envelope = bytearray(len(head) + len(data) + _TAG)
    envelope[: len(head)] = head
    AESGCM(data_key).encrypt_into(
        data_nonce, data, _aad(key, head), memoryview(envelope)[len(head) :]
    )
    return envelope


@dataclass(frozen=True)
class Opened:
    """A document taken out of its envelope."""

    data: bytes
    content_type: str
    sha256: str
    key_id: str | None
    """The key that sealed it; ``None`` for a legacy plaintext document."""


def open_envelope(keys: KeyRing, key: str, envelope: bytes) -> Opened:
    """The document sealed in ``envelope`` under ``key``.

    Raises:
        DocumentCorrupted: a malformed envelope or a failed tag (tampered, moved, wrong key).
        DocumentKeyUnknown: sealed with a key id that is not configured.
    """
    view = memoryview(envelope)
    try:
        version, kid_len = struct.unpack_from(">BB", view, len(MAGIC))
        at = len(MAGIC) + 2
        kid = bytes(view[at : at + kid_len]).decode("ascii")
        at += kid_len
        (type_len,) = struct.unpack_from(">H", view, at)
        content_type = bytes(view[at + 2 : at + 2 + type_len]).decode("ascii")
        at += 2 + type_len
        digest = bytes(view[at : at + _DIGEST]).hex()
        at += _DIGEST
    except (struct.error, UnicodeDecodeError) as exc:
        raise DocumentCorrupted(key) from exc
    body_at = at + _NONCE + _WRAPPED + _NONCE
    if version != VERSION or len(view) < body_at + _TAG:
        raise DocumentCorrupted(key)
    kek = keys.key(kid)
    if kek is None:
        raise DocumentKeyUnknown(f"{key}: sealed with key {kid!r}, which is not configured")
    wrap_nonce, wrapped = view[at : at + _NONCE], view[at + _NONCE : at + _NONCE + _WRAPPED]
    try:
        data_key = AESGCM(kek).decrypt(wrap_nonce, wrapped, _aad(key, bytes(view[:at])))
        data = AESGCM(data_key).decrypt(
            view[body_at - _NONCE : body_at], view[body_at:], _aad(key, bytes(view[:body_at]))
        )
    except InvalidTag as exc:
        raise DocumentCorrupted(key) from exc
    return Opened(data, content_type, digest, kid)


def is_sealed(data: bytes) -> bool:
    """True when ``data`` is an envelope (legacy plaintext documents are not)."""
    return data[: len(MAGIC)] == MAGIC


def _caller() -> str:
    context = temporal_context(logging.makeLogRecord({}))
    if not context:
        return ""
    return (
        f" workflow_id={context.get('workflow_id')} activity={context.get('activity_type')}"
        f" attempt={context.get('attempt')}"
    )


@runtime_checkable
class ListableStore(DocumentStore, Protocol):
    """A store that can name what it holds (both real stores can; the migration needs it)."""

    def keys(self) -> Iterator[str]:
        """Every key with a complete document."""
        ...


class SealedDocumentStore:
    """A :class:`~bank.adapters.documents.DocumentStore` that seals what it stores in another.

    ``sha256``, ``size`` and ``content_type`` answer for the plaintext, as callers record and
    compare them; the inner store's own checksum covers the envelope.
    """

    def __init__(
        self, inner: DocumentStore, keys: KeyRing, *, legacy_plaintext: bool = True
    ) -> None:
        """Seal with ``keys`` into ``inner``; ``legacy_plaintext`` reads unsealed documents."""
        self.inner = inner
        self.keys = keys
        self.legacy_plaintext = legacy_plaintext

    def put(self, key: str | None, data: bytes, content_type: str) -> StoredDocument:
        """Seal ``data`` with the newest key and store it; ``key=None`` picks a random name."""
        key = validate_key(new_key() if key is None else key)
        validate_content_type(content_type)
        digest = sha256_hex(data)
        envelope = seal(self.keys, key, data, content_type, digest)
        # The inner stores only hash, write or upload the bytes: a bytearray does as well,
        # and saves a copy of the whole document.
        self.inner.put(key, envelope, content_type)  # type: ignore[arg-type]
        access_log.info(
            "document written key=%s content_type=%s bytes=%d key_id=%s%s",
            key,
            content_type,
            len(data),
            self.keys.active[0],
            _caller(),
        )
        return StoredDocument(key, digest, len(data), content_type)

    def get(self, key: str) -> Document:
        """The opened document; the read is logged on ``bank.documents.access``.

        Raises:
            DocumentNotFound: nothing is stored under ``key``.
            DocumentCorrupted: tampered, moved, opened with the wrong key, or plaintext while
                legacy reads are off.
            DocumentKeyUnknown: sealed with a key that is no longer configured.
        """
        try:
            opened = self._open(key, self.inner.get(key), legacy=self.legacy_plaintext)
        except DocumentError as exc:
            access_log.warning(
                "document refused key=%s reason=%s%s", key, type(exc).__name__, _caller()
            )
            raise
        access_log.info(
            "document read key=%s content_type=%s bytes=%d key_id=%s%s",
            key,
            opened.content_type,
            len(opened.data),
            opened.key_id or "-",
            _caller(),
        )
        info = StoredDocument(key, opened.sha256, len(opened.data), opened.content_type)
        return Document(opened.data, info)

    def _open(self, key: str, stored: Document, *, legacy: bool) -> Opened:
        if is_sealed(stored.data):
            return open_envelope(self.keys, key, stored.data)
        if not legacy:
            raise DocumentCorrupted(f"{key}: stored unencrypted and legacy reads are off")
        return Opened(stored.data, stored.info.content_type, stored.info.sha256, None)

    def delete(self, key: str) -> None:
        """Remove the document; deleting a missing key is not an error."""
        self.inner.delete(key)
        access_log.info("document deleted key=%s%s", key, _caller())

    def exists(self, key: str) -> bool:
        """True when a complete document is stored under ``key`` (reads no content)."""
        return self.inner.exists(key)

    def reseal(self, keys: Iterable[str]) -> dict[str, int]:
        """Seal with the newest key every listed document that is plaintext or sealed under
        an older key: the migration and the rotation (docs/encryption-at-rest.md).

        Returns:
            How many documents were ``resealed`` and how many were ``current`` already.
        """
        counts = {"resealed": 0, "current": 0}
        for key in keys:
            opened = self._open(key, self.inner.get(key), legacy=True)
            if opened.key_id == self.keys.active[0]:
                counts["current"] += 1
                continue
            self.put(key, opened.data, opened.content_type)
            counts["resealed"] += 1
        return counts


def embedded_key_file(settings: CoreSettings) -> Path:
    """Where a run without ``COOP_DOCUMENT_KEYS`` keeps its key: beside the document folder."""
    folder = settings.document_dir
    return folder.with_name(f"{folder.name}.key")


def key_ring_from_settings(settings: CoreSettings) -> KeyRing:
    """``COOP_DOCUMENT_KEYS``; unset outside production, the embedded key file.

    Raises:
        DocumentKeyError: malformed keys, or none in production.
    """
    if settings.document_keys is not None:
        return KeyRing.parse(settings.document_keys.get_secret_value())
    if settings.environment == "production":
        raise DocumentKeyError("COOP_DOCUMENT_KEYS must be set in production")
    return load_or_create_key_file(embedded_key_file(settings))


def _reseal_all() -> dict[str, int]:
    from bank.adapters.documents import document_store_from_settings

    store = document_store_from_settings(CoreSettings())
    assert isinstance(store, SealedDocumentStore)
    inner = store.inner
    if not isinstance(inner, ListableStore):
        raise SystemExit(f"{type(inner).__name__} cannot list its documents")
    return store.reseal(list(inner.keys()))


def main(argv: list[str]) -> int:
    """``new-key ID`` prints a key entry; ``reseal`` seals every document with the newest key."""
    if len(argv) == 2 and argv[0] == "new-key":
        print(generate_key_entry(argv[1]))
        return 0
    if argv == ["reseal"]:
        print(json.dumps(_reseal_all()))
        return 0
    print("usage: python -m bank.adapters.sealed_documents new-key ID | reseal", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
