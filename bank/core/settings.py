"""Settings, one class per process, all read from the environment (prefix ``COOP_``).

Every process shares :class:`CoreSettings` (database, Temporal, documents, mail, SMS); each
process class adds only what that process needs. See ``docs/configuration.md``.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

ROOT = Path(__file__).resolve().parents[2]
VAR = ROOT / "var"
EMBEDDED_SECRET = "embedded-only-secret-change-me-in-production-0123456789"


class CoreSettings(BaseSettings):
    """What every process of the engine needs to reach the outside world."""

    model_config = SettingsConfigDict(
        env_prefix="COOP_", env_file=".env", extra="ignore", use_attribute_docstrings=True
    )

    environment: Literal["embedded", "test", "production"] = "embedded"
    """``production`` refuses the embedded secret key, the dev outbox and unset document keys."""
    database_url: str = f"sqlite:///{VAR / 'app.db'}"
    """SQLAlchemy URL: ``postgresql://user@host/db`` in production, a SQLite file embedded."""
    temporal_address: str = "127.0.0.1:7233"
    """Temporal frontend (host:port); a non-loopback address means a remote cluster."""
    temporal_namespace: str = "default"
    """Temporal namespace of every workflow."""
    temporal_profile: Literal["dev", "test", "prod"] = "dev"
    """Connection profile from ``temporal-config/client.toml``."""
    temporal_tls_cert: Path | None = None
    """mTLS client certificate for a Temporal cluster."""
    temporal_tls_key: Path | None = None
    """mTLS client key for a Temporal cluster."""
    temporal_api_key: str | None = None
    """API key (Temporal Cloud)."""

    document_store: Literal["local", "s3"] = "local"
    """Where uploaded and generated documents live."""
    document_dir: Path = VAR / "documents"
    """Folder of the local document store."""
    s3_bucket: str = "cooprogreso-documents"
    """S3 bucket of the S3 document store."""
    s3_endpoint_url: str | None = None
    """Custom S3 endpoint (MinIO, Ceph); unset for AWS."""
    s3_region: str = "us-east-1"
    """S3 region."""
    s3_server_side_encryption: Literal["", "AES256", "aws:kms"] = "AES256"
    """Server-side encryption requested on every object (empty: none)."""
    s3_kms_key_id: str | None = None
    """KMS key of ``aws:kms`` server-side encryption; unset: the bucket's default key."""
    document_keys: SecretStr | None = None
    """Keys that seal every document (``id:base64 32 bytes``, comma-separated, the first
    encrypts, all decrypt; docs/encryption-at-rest.md). Required in production; unset
    elsewhere: one generated into ``<COOP_DOCUMENT_DIR>.key``."""
    document_legacy_plaintext: bool = True
    """Read documents stored unencrypted before sealing existed; false once they are resealed."""

    smtp_host: str = "127.0.0.1"
    """SMTP relay; the embedded run starts a local sink on 127.0.0.1."""
    smtp_port: int = 8025
    """SMTP port."""
    smtp_username: str | None = None
    """SMTP login, when the relay requires one."""
    smtp_password: str | None = None
    """SMTP password."""
    smtp_starttls: bool = False
    """Upgrade the SMTP connection with STARTTLS."""
    mail_from: str = "Cooprogreso en Línea <notificaciones@cooprogreso.fin.ec>"
    """Sender of every email."""
    sms_provider: Literal["simulator", "http"] = "simulator"
    """SMS adapter: the simulator (dev outbox) or an HTTP gateway."""
    sms_http_url: str | None = None
    """URL of the HTTP SMS gateway."""

    argon2_time_cost: int = Field(default=2, ge=1, le=10)
    """Argon2id passes over memory for passwords (OWASP: 2 with 19 MiB); see bench/auth.py."""
    argon2_memory_kib: int = Field(default=19_456, ge=8, le=1_048_576)
    """Argon2id memory per password hash, KiB (19 MiB; docs/performance.md, "Logins")."""
    argon2_parallelism: int = Field(default=1, ge=1, le=8)
    """Argon2id lanes per hash (1: each login uses one core; concurrency comes from logins)."""
    secret_key: str = Field(
        default=EMBEDDED_SECRET,
        min_length=32,
        description="HMAC key for OTP digests and session tokens.",
    )
    public_url: str = "http://127.0.0.1:8000"
    """Base URL members reach the web banking at: the links in emails (signing links) use it."""
    temporal_ui_url: str = "http://127.0.0.1:8233"
    """Temporal Web UI base URL: the officer pages link each journey there."""
    credit_signing_cutoff: str = Field(default="19:00", pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")
    """Local time (HH:MM, America/Guayaquil) by which every signatory must sign a credit
    request sent that day; carried into each journey when its campaign is loaded."""
    biometric_retention_hours: int = Field(default=24, ge=1, le=720)
    """At the latest this long after capture, a credit journey deletes the camera frames and
    face encodings it holds (docs/privacy.md); carried into each journey like the cut-off."""
    timezone: str = "America/Guayaquil"
    """Time zone of business rules (cut-offs, dates shown to members)."""
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

    log_format: Literal["json", "text"] | None = None
    """Log lines: ``json`` (one object per line, with the workflow ID; the default in
    production) or ``text`` (the default elsewhere)."""
    log_level: str = "INFO"
    """Level of the process's logs (DEBUG, INFO, WARNING…)."""
    traces: Literal["none", "console", "otlp"] = "none"
    """OpenTelemetry traces (API → workflow → activity): ``otlp`` to the collector of the
    standard ``OTEL_EXPORTER_OTLP_*`` variables (HTTP/protobuf), ``console``, or ``none``."""

    @property
    def effective_log_format(self) -> Literal["json", "text"]:
        """``log_format``, or JSON in production and text elsewhere."""
        if self.log_format is not None:
            return self.log_format
        return "json" if self.environment == "production" else "text"

    @model_validator(mode="after")
    def _production_is_locked_down(self) -> CoreSettings:
        if self.environment == "production":
            if self.secret_key == EMBEDDED_SECRET:
                raise ValueError("COOP_SECRET_KEY must be set to a private value in production")
            if self.dev_outbox:
                raise ValueError("COOP_DEV_OUTBOX must be false in production")
            if self.document_keys is None:
                raise ValueError("COOP_DOCUMENT_KEYS must be set in production")
        return self


class ApiSettings(CoreSettings):
    """The member-facing FastAPI process."""

    api_host: str = "127.0.0.1"
    """Interface uvicorn binds to."""
    api_port: int = 8000
    """API port."""
    session_idle_minutes: int = 5
    """A session unused this long ends (the web banking warns a minute before)."""
    session_max_hours: int = 8
    """A session ends this long after login, used or not."""
    max_failed_logins: int = 5
    """Consecutive wrong passwords that lock a user."""
    api_metrics: bool | None = None
    """Serve Prometheus ``/metrics`` on the API's port; unset: on, except in production
    (there, only behind a proxy that keeps ``/metrics`` off the internet)."""

    @property
    def metrics_enabled(self) -> bool:
        """``api_metrics``, or on everywhere but in production."""
        if self.api_metrics is not None:
            return self.api_metrics
        return self.environment != "production"


class WorkerSettings(CoreSettings):
    """The Temporal worker processes."""

    max_concurrent_activities: int = 50
    """Activity slots of the general worker."""
    max_concurrent_workflow_tasks: int = 50
    """Workflow-task slots of the general worker."""
    worker_metrics_address: str = ""
    """Prometheus endpoint (host:port) of the SDK's metrics and the business counters
    (``/metrics``); empty: none."""


class RunSettings(CoreSettings):
    """The embedded run command's supervisor."""

    temporal_ui_port: int = 8233
    """Embedded Temporal UI port."""
    temporal_grpc_port: int = 7233
    """Embedded Temporal frontend port."""
    mailbox_smtp_port: int = 8025
    """Port of the embedded SMTP sink."""
    temporal_db_path: Path | None = None
    """Embedded dev server state file; unset: ``db_filename`` of temporal-config/dev-server.toml."""
    log_dir: Path = VAR / "log"
    """Where the run command writes each child's log."""
    demo_campaign: bool = True
    """Load the demo preapproved campaign through the officer API once the API is up."""
