"""Settings, one class per process, all read from the environment (prefix ``COOP_``).

Every process shares :class:`CoreSettings` (database, Temporal, documents, mail, SMS); each
process class adds only what that process needs. See ``docs/configuration.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parent.parent
VAR = ROOT / "var"
EMBEDDED_SECRET = "embedded-only-secret-change-me-in-production-0123456789"


class CoreSettings(BaseSettings):
    """What every process of the engine needs to reach the outside world."""

    model_config = SettingsConfigDict(env_prefix="COOP_", env_file=".env", extra="ignore")

    environment: Literal["embedded", "test", "production"] = "embedded"
    database_url: str = f"sqlite:///{VAR / 'app.db'}"
    temporal_address: str = "127.0.0.1:7233"
    temporal_namespace: str = "default"
    temporal_profile: Literal["dev", "test", "prod"] = "dev"
    temporal_tls_cert: Path | None = None
    temporal_tls_key: Path | None = None
    temporal_api_key: str | None = None

    document_store: Literal["local", "s3"] = "local"
    document_dir: Path = VAR / "documents"
    s3_bucket: str = "cooprogreso-documents"
    s3_endpoint_url: str | None = None
    s3_region: str = "us-east-1"
    s3_server_side_encryption: Literal["", "AES256", "aws:kms"] = "AES256"

    smtp_host: str = "127.0.0.1"
    smtp_port: int = 8025
    smtp_username: str | None = None
    smtp_password: str | None = None
    smtp_starttls: bool = False
    mail_from: str = "Cooprogreso en Línea <notificaciones@cooprogreso.fin.ec>"
    sms_provider: Literal["simulator", "http"] = "simulator"
    sms_http_url: str | None = None

    secret_key: str = Field(
        default=EMBEDDED_SECRET,
        min_length=32,
        description="HMAC key for OTP digests and session tokens.",
    )
    timezone: str = "America/Guayaquil"
    dev_outbox: bool = True
    """Keep a copy of every email and SMS (OTP included) readable at /dev/mailbox."""
    mailbox_dir: Path = VAR / "mailbox"
    """Where the embedded SMTP sink and the SMS simulator write what /dev/mailbox shows."""
    task_queue: str = "cooprogreso"
    """General task queue: the API starts workflows on it, the worker polls it."""
    kyc_task_queue: str = "cooprogreso-kyc"
    """CPU-heavy activities (face encodings, PDF rendering, signatures)."""

    ca_dir: Path = VAR / "ca"
    """Embedded run: the institution's CA and seal keys are created here on first start."""
    ca_cert_path: Path | None = None
    """Production: the issuing CA certificate (PEM) that signs signatory certificates."""
    ca_key_path: Path | None = None
    """Production: the issuing CA private key (PEM, PKCS#8, optionally encrypted)."""
    ca_key_password: SecretStr | None = None
    """Production: password of ``ca_key_path`` (and of ``seal_key_path``) when encrypted."""
    seal_cert_path: Path | None = None
    """Production: the institutional seal certificate; issued into ``ca_dir`` when unset."""
    seal_key_path: Path | None = None
    """Production: the institutional seal private key (PEM, PKCS#8)."""

    @model_validator(mode="after")
    def _production_is_locked_down(self) -> CoreSettings:
        if self.environment == "production":
            if self.secret_key == EMBEDDED_SECRET:
                raise ValueError("COOP_SECRET_KEY must be set to a private value in production")
            if self.dev_outbox:
                raise ValueError("COOP_DEV_OUTBOX must be false in production")
        return self


class ApiSettings(CoreSettings):
    """The member-facing FastAPI process."""

    api_host: str = "127.0.0.1"
    api_port: int = 8000
    session_idle_minutes: int = 15
    session_max_hours: int = 8
    max_failed_logins: int = 5


class WorkerSettings(CoreSettings):
    """The Temporal worker processes."""

    max_concurrent_activities: int = 50
    max_concurrent_workflow_tasks: int = 50


class RunSettings(CoreSettings):
    """The embedded run command's supervisor."""

    temporal_ui_port: int = 8233
    temporal_grpc_port: int = 7233
    mailbox_smtp_port: int = 8025
