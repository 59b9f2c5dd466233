"""Document store over S3 (AWS, MinIO, Ceph; moto's server in tests) through boto3."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

from bank.adapters.documents import (
    Document,
    DocumentCorrupted,
    DocumentNotFound,
    StoredDocument,
    new_key,
    sha256_hex,
    validate_content_type,
    validate_key,
)
from bank.core.settings import CoreSettings

if TYPE_CHECKING:
    from types_boto3_s3.client import S3Client

_MISSING = {"404", "NoSuchKey", "NotFound"}


def _missing(error: ClientError) -> bool:
    return str(error.response.get("Error", {}).get("Code")) in _MISSING


class S3DocumentStore:
    """:class:`~bank.adapters.documents.DocumentStore` over one S3 bucket.

    Every object carries its content type, a ``ChecksumSHA256`` that S3 verifies on upload,
    the same digest in hex as user metadata (``x-amz-meta-sha256``, re-checked on every read
    so a silent corruption is an error, not a wrong contract) and, when configured, a
    server-side-encryption request (``AES256`` or ``aws:kms``).
    """

    def __init__(
        self,
        client: S3Client,
        bucket: str,
        *,
        server_side_encryption: str = "AES256",
        kms_key_id: str | None = None,
    ) -> None:
        """Use ``client`` on ``bucket``; ``server_side_encryption=""`` sends no SSE header."""
        self.client = client
        self.bucket = bucket
        self.server_side_encryption = server_side_encryption
        self.kms_key_id = kms_key_id

    @classmethod
    def from_settings(cls, settings: CoreSettings) -> S3DocumentStore:
        """A store built from ``COOP_S3_*``; credentials come from boto3's usual chain."""
        client = boto3.client(
            "s3",
            endpoint_url=settings.s3_endpoint_url,
            region_name=settings.s3_region,
            config=Config(retries={"mode": "standard", "max_attempts": 5}),
        )
        return cls(
            client,
            settings.s3_bucket,
            server_side_encryption=settings.s3_server_side_encryption,
            kms_key_id=settings.s3_kms_key_id,
        )

    def ensure_bucket(self) -> None:
        """Create the bucket if it does not exist (embedded MinIO, tests)."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except ClientError as exc:
            if not _missing(exc):
                raise
            self.client.create_bucket(Bucket=self.bucket)

    def put(self, key: str | None, data: bytes, content_type: str) -> StoredDocument:
        """Upload ``data``; S3 rejects the upload if the bytes do not match the checksum."""
        key = validate_key(new_key() if key is None else key)
        digest = sha256_hex(data)
        args: dict[str, Any] = {
            "Bucket": self.bucket,
            "Key": key,
            "Body": data,
            "ContentType": validate_content_type(content_type),
            "ChecksumSHA256": base64.b64encode(bytes.fromhex(digest)).decode(),
            "Metadata": {"sha256": digest},
        }
        if self.server_side_encryption:
            args["ServerSideEncryption"] = self.server_side_encryption
            if self.kms_key_id and self.server_side_encryption == "aws:kms":
                args["SSEKMSKeyId"] = self.kms_key_id
        self.client.put_object(**args)
        return StoredDocument(key, digest, len(data), content_type)

    def get(self, key: str) -> Document:
        """Download and verify the document.

        Raises:
            DocumentNotFound: no object under ``key``.
            DocumentCorrupted: the bytes do not match the recorded SHA-256.
        """
        try:
            response = self.client.get_object(Bucket=self.bucket, Key=validate_key(key))
        except ClientError as exc:
            if _missing(exc):
                raise DocumentNotFound(key) from exc
            raise
        data = response["Body"].read()
        recorded = response.get("Metadata", {}).get("sha256")
        if recorded is None or sha256_hex(data) != recorded:
            raise DocumentCorrupted(key)
        content_type = response.get("ContentType", "application/octet-stream")
        return Document(data, StoredDocument(key, recorded, len(data), content_type))

    def delete(self, key: str) -> None:
        """Delete the object; S3 treats a missing key as success, and so do we."""
        self.client.delete_object(Bucket=self.bucket, Key=validate_key(key))

    def exists(self, key: str) -> bool:
        """True when the object exists (a HEAD request)."""
        try:
            self.client.head_object(Bucket=self.bucket, Key=validate_key(key))
        except ClientError as exc:
            if _missing(exc):
                return False
            raise
        return True

    def keys(self) -> Iterator[str]:
        """Every object name in the bucket (the reseal migration walks them)."""
        for page in self.client.get_paginator("list_objects_v2").paginate(Bucket=self.bucket):
            for item in page.get("Contents", []):
                yield item["Key"]
