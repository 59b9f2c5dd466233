"""Document store: the interface, its contract helpers and the factory.

Two implementations keep the same contract (``tests/bank/test_documents.py`` runs one set
of tests against both): :class:`~bank.adapters.s3_documents.S3DocumentStore` over boto3
(AWS S3, MinIO, Ceph, moto) and :class:`~bank.adapters.local_documents.LocalDocumentStore`
over a folder, the embedded default. The factory wraps either in
:class:`~bank.adapters.sealed_documents.SealedDocumentStore`, which encrypts every document
at rest and logs every access.
"""

from __future__ import annotations

import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Protocol

from bank.core.settings import CoreSettings

# Keys are relative paths of plain segments: no "..", no leading "/", no backslashes, no
# control characters. Each segment starts with a letter or digit, which rules out "." and
# ".." and hidden files, so the same key is safe as an S3 object name and as a local path.
_KEY = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*(?:/[A-Za-z0-9][A-Za-z0-9._-]*)*")
_CONTENT_TYPE = re.compile(r"[A-Za-z0-9][\w.+-]*/[A-Za-z0-9][\w.+-]*(?:\s*;[ -~]*)?")
MAX_KEY_LENGTH = 512


class DocumentError(Exception):
    """Base of document-store errors."""


class InvalidDocumentKey(DocumentError, ValueError):
    """The key is not a safe relative name (see :func:`validate_key`)."""


class InvalidContentType(DocumentError, ValueError):
    """The content type is not a plain ``type/subtype[; params]`` MIME type."""


class DocumentNotFound(DocumentError, KeyError):
    """No document is stored under the key."""


class DocumentCorrupted(DocumentError):
    """The stored bytes no longer match their SHA-256, or a sealed document fails to open."""


@dataclass(frozen=True)
class StoredDocument:
    """What the store knows about a document; ``sha256`` is lowercase hex."""

    key: str
    sha256: str
    size: int
    content_type: str


@dataclass(frozen=True)
class Document:
    """A document's bytes and metadata, as returned by :meth:`DocumentStore.get`."""

    data: bytes
    info: StoredDocument


class DocumentStore(Protocol):
    """Where uploaded and generated documents (IDs, bills, contracts, signed PDFs) live."""

    def put(self, key: str | None, data: bytes, content_type: str) -> StoredDocument:
        """Store ``data``; ``key=None`` picks a random name. An existing key is replaced."""
        ...

    def get(self, key: str) -> Document:
        """The document, checked against its SHA-256 (raises DocumentNotFound/Corrupted)."""
        ...

    def delete(self, key: str) -> None:
        """Remove the document; deleting a missing key is not an error."""
        ...

    def exists(self, key: str) -> bool:
        """True when a complete document is stored under ``key``."""
        ...


def validate_key(key: str) -> str:
    """Return ``key`` if it is a safe relative name.

    Raises:
        InvalidDocumentKey: for empty, over-long, absolute or dotted keys.
    """
    if not isinstance(key, str) or len(key) > MAX_KEY_LENGTH or not _KEY.fullmatch(key):
        raise InvalidDocumentKey(f"invalid document key: {key!r}")
    return key


def validate_content_type(content_type: str) -> str:
    """Return ``content_type`` if it looks like a MIME type (``type/subtype[; params]``)."""
    if len(content_type) > 255 or not _CONTENT_TYPE.fullmatch(content_type):
        raise InvalidContentType(f"invalid content type: {content_type!r}")
    return content_type


def new_key() -> str:
    """A random object name (OWASP: never derive stored names from the uploaded file name)."""
    return secrets.token_hex(16)


def sha256_hex(data: bytes) -> str:
    """SHA-256 of ``data`` as lowercase hex."""
    return hashlib.sha256(data).hexdigest()


def document_store_from_settings(settings: CoreSettings) -> DocumentStore:
    """The store selected by ``COOP_DOCUMENT_STORE`` (``local`` or ``s3``), sealed.

    Every document is encrypted at rest with ``COOP_DOCUMENT_KEYS`` (docs/encryption-at-rest.md).

    Raises:
        DocumentKeyError: the keys are malformed, or unset in production.
    """
    # Imported here so the embedded run never needs boto3 loaded, and to avoid a cycle
    # (the implementations import this module's contract).
    from bank.adapters.sealed_documents import SealedDocumentStore, key_ring_from_settings

    keys = key_ring_from_settings(settings)
    inner: DocumentStore
    if settings.document_store == "s3":
        from bank.adapters.s3_documents import S3DocumentStore

        inner = S3DocumentStore.from_settings(settings)
    else:
        from bank.adapters.local_documents import LocalDocumentStore

        inner = LocalDocumentStore(settings.document_dir)
    return SealedDocumentStore(inner, keys, legacy_plaintext=settings.document_legacy_plaintext)
