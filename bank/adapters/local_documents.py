"""Document store over a local folder: the embedded default.

Layout: ``<root>/objects/<key>`` holds the bytes and ``<root>/meta/<key>.json`` the
metadata (sha256, size, content type). The metadata file is written last and removed
first, so its presence means "a complete document is here".
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

from bank.adapters.documents import (
    Document,
    DocumentCorrupted,
    DocumentNotFound,
    InvalidDocumentKey,
    StoredDocument,
    new_key,
    sha256_hex,
    validate_content_type,
    validate_key,
)
from bank.adapters.files import write_atomically


class LocalDocumentStore:
    """:class:`~bank.adapters.documents.DocumentStore` over a folder."""

    def __init__(self, root: Path) -> None:
        """Keep documents under ``root`` (created on first write)."""
        self.root = root.resolve()
        self._objects = self.root / "objects"
        self._meta = self.root / "meta"

    def _paths(self, key: str) -> tuple[Path, Path]:
        validate_key(key)
        data_path = (self._objects / key).resolve()
        meta_path = (self._meta / f"{key}.json").resolve()
        # validate_key already forbids "..": this second check also defeats symlinks
        # planted inside the folder.
        if not (data_path.is_relative_to(self._objects) and meta_path.is_relative_to(self._meta)):
            raise InvalidDocumentKey(f"invalid document key: {key!r}")
        return data_path, meta_path

    def put(self, key: str | None, data: bytes, content_type: str) -> StoredDocument:
        """Store ``data`` atomically; ``key=None`` picks a random name."""
        key = new_key() if key is None else key
        data_path, meta_path = self._paths(key)
        info = StoredDocument(key, sha256_hex(data), len(data), validate_content_type(content_type))
        write_atomically(data_path, data)
        meta = {"sha256": info.sha256, "size": info.size, "content_type": info.content_type}
        write_atomically(meta_path, json.dumps(meta).encode())
        return info

    def get(self, key: str) -> Document:
        """The document's bytes and metadata.

        Raises:
            DocumentNotFound: nothing complete is stored under ``key``.
            DocumentCorrupted: the bytes do not match the recorded SHA-256.
        """
        data_path, meta_path = self._paths(key)
        try:
            meta = json.loads(meta_path.read_bytes())
            data = data_path.read_bytes()
        except FileNotFoundError as exc:
            raise DocumentNotFound(key) from exc
        if sha256_hex(data) != meta["sha256"]:
            raise DocumentCorrupted(key)
        return Document(data, StoredDocument(key, meta["sha256"], len(data), meta["content_type"]))

    def delete(self, key: str) -> None:
        """Remove the document (metadata first, so it stops existing at once)."""
        data_path, meta_path = self._paths(key)
        meta_path.unlink(missing_ok=True)
        data_path.unlink(missing_ok=True)

    def exists(self, key: str) -> bool:
        """True when both the bytes and the metadata are present."""
        data_path, meta_path = self._paths(key)
        return meta_path.is_file() and data_path.is_file()

    def keys(self) -> Iterator[str]:
        """Every key with metadata, in name order (the reseal migration walks them)."""
        for meta in sorted(self._meta.rglob("*.json")):
            key = meta.relative_to(self._meta).as_posix().removesuffix(".json")
            if self.exists(key):
                yield key
