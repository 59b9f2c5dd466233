"""The institution's certification authority (CA): root, institutional seal, signatories.

Embedded run: :func:`load_or_create_ca` creates, on first start, a root CA (RSA 3072, ten
years) and the institutional seal certificate ("COOPROGRESO LTDA - SELLO INSTITUCIONAL",
RSA 3072, five years) as PEM files in one folder (``COOP_CA_DIR``, default ``var/ca``);
every later start loads the same files. Files are written to a temporary name and renamed,
key files are created ``0600``, and creation runs under an exclusive ``flock`` so the API
and the workers starting together end up with one CA.

Production: :func:`ca_from_settings` loads the issuing CA from ``COOP_CA_CERT_PATH`` /
``COOP_CA_KEY_PATH`` (and the seal from ``COOP_SEAL_*`` when given) and never creates a
root of its own.

Signatories get a fresh EC P-256 key and a one-day certificate per signing session
(:func:`issue_signatory_certificate`): the key lives only in the worker's memory while the
documents are signed. See ``docs/signing.md`` for what this is and is not under Ecuadorian
law.
"""

from __future__ import annotations

import fcntl
import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.x509.oid import NameOID

from bank.adapters.files import write_atomically
from bank.core.settings import CoreSettings

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

CA_KEY_SIZE = 3072
CA_VALIDITY = timedelta(days=3653)
SEAL_VALIDITY = timedelta(days=1826)
SIGNATORY_VALIDITY = timedelta(days=1)
CLOCK_SKEW = timedelta(minutes=5)
"""Certificates start a little in the past so a verifier with a slow clock accepts them."""

CA_CERT_FILE = "ca.crt.pem"
CA_KEY_FILE = "ca.key.pem"
SEAL_CERT_FILE = "seal.crt.pem"
SEAL_KEY_FILE = "seal.key.pem"
LOCK_FILE = ".lock"


class CaError(Exception):
    """The CA files are missing, incomplete or inconsistent."""


@dataclass(frozen=True)
class CaNames:
    """Distinguished-name parts of the institution's certificates."""

    organization: str = "COOPROGRESO LTDA"
    country: str = "EC"
    locality: str = "Quito"
    ca_common_name: str = "COOPROGRESO LTDA - AUTORIDAD DE CERTIFICACION"
    seal_common_name: str = "COOPROGRESO LTDA - SELLO INSTITUCIONAL"


@dataclass(frozen=True)
class CertificateAuthority:
    """The issuing CA (trust anchor for validation) and the institutional seal."""

    cert: x509.Certificate
    key: PrivateKey
    seal_cert: x509.Certificate
    seal_key: PrivateKey
    names: CaNames = CaNames()


def load_or_create_ca(
    directory: Path,
    *,
    names: CaNames | None = None,
    key_password: bytes | None = None,
    now: datetime | None = None,
) -> CertificateAuthority:
    """Load the CA and seal from ``directory``, creating whatever is missing (embedded run).

    Idempotent and safe to call from several processes at once: the first caller creates
    the files under an exclusive lock, the others wait and load them.

    Args:
        directory: Folder of the four PEM files (created ``0700`` if missing).
        names: Subject names; the defaults are Cooprogreso's.
        key_password: Encrypt the key files with it (and use it to read them).
        now: Creation time of new certificates (tests); defaults to the current time.

    Returns:
        The CA with its seal.

    Raises:
        CaError: A certificate exists without its key, or a file cannot be read.
    """
    names = names or CaNames()
    when = now or datetime.now(UTC)
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    with _exclusive(directory / LOCK_FILE):
        root = _load_pair(directory / CA_CERT_FILE, directory / CA_KEY_FILE, key_password)
        if root is None:
            root = _new_root(names, when)
            _store_pair(directory / CA_CERT_FILE, directory / CA_KEY_FILE, root, key_password)
        ca_cert, ca_key = root
        seal = _load_pair(directory / SEAL_CERT_FILE, directory / SEAL_KEY_FILE, key_password)
        if seal is None or not _issued_by(seal[0], ca_cert):
            seal = _new_seal(ca_key, ca_cert, names, when)
            _store_pair(directory / SEAL_CERT_FILE, directory / SEAL_KEY_FILE, seal, key_password)
    return CertificateAuthority(ca_cert, ca_key, seal[0], seal[1], names)


def load_ca(
    cert_path: Path,
    key_path: Path,
    *,
    key_password: bytes | None = None,
    seal_cert_path: Path | None = None,
    seal_key_path: Path | None = None,
    seal_dir: Path | None = None,
) -> CertificateAuthority:
    """Load a configured issuing CA (production); the seal from its files or ``seal_dir``.

    Args:
        cert_path: Issuing CA certificate (PEM).
        key_path: Its private key (PEM).
        key_password: Password of the key files, if encrypted.
        seal_cert_path: Seal certificate issued out of band (PEM), or None.
        seal_key_path: Its key (PEM), or None.
        seal_dir: Where a seal issued by this CA is kept when no seal paths are given.

    Raises:
        CaError: A file is missing or unreadable, or no seal can be had.
    """
    pair = _load_pair(cert_path, key_path, key_password)
    if pair is None:
        raise CaError(f"CA certificate {cert_path} or key {key_path} not found")
    ca_cert, ca_key = pair
    names = CaNames(ca_common_name=_common_name(ca_cert))
    if seal_cert_path and seal_key_path:
        seal = _load_pair(seal_cert_path, seal_key_path, key_password)
        if seal is None:
            raise CaError(f"seal certificate {seal_cert_path} or key {seal_key_path} not found")
        return CertificateAuthority(ca_cert, ca_key, seal[0], seal[1], names)
    if seal_dir is None:
        raise CaError("no seal certificate configured and no folder to issue one into")
    seal_dir.mkdir(parents=True, exist_ok=True, mode=0o700)
    with _exclusive(seal_dir / LOCK_FILE):
        seal = _load_pair(seal_dir / SEAL_CERT_FILE, seal_dir / SEAL_KEY_FILE, key_password)
        if seal is None or not _issued_by(seal[0], ca_cert):
            seal = _new_seal(ca_key, ca_cert, names, datetime.now(UTC))
            _store_pair(seal_dir / SEAL_CERT_FILE, seal_dir / SEAL_KEY_FILE, seal, key_password)
    return CertificateAuthority(ca_cert, ca_key, seal[0], seal[1], names)


def ca_from_settings(settings: CoreSettings) -> CertificateAuthority:
    """The CA the settings select: configured paths, else (not in production) ``ca_dir``.

    Raises:
        CaError: In production without ``COOP_CA_CERT_PATH`` and ``COOP_CA_KEY_PATH``.
    """
    secret = settings.ca_key_password
    password = secret.get_secret_value().encode() if secret else None
    if settings.ca_cert_path and settings.ca_key_path:
        return load_ca(
            settings.ca_cert_path,
            settings.ca_key_path,
            key_password=password,
            seal_cert_path=settings.seal_cert_path,
            seal_key_path=settings.seal_key_path,
            seal_dir=settings.ca_dir,
        )
    if settings.environment == "production":
        raise CaError("production needs COOP_CA_CERT_PATH and COOP_CA_KEY_PATH")
    return load_or_create_ca(settings.ca_dir, key_password=password)


def issue_signatory_certificate(
    ca: CertificateAuthority,
    *,
    full_name: str,
    identification: str,
    email: str,
    now: datetime | None = None,
    validity: timedelta = SIGNATORY_VALIDITY,
) -> tuple[ec.EllipticCurvePrivateKey, x509.Certificate]:
    """A fresh key and a short-lived signing certificate for one signing session.

    The subject carries the signatory's name (CN) and identification (serialNumber, the
    cédula); the email goes in the subjectAltName. Key usage: digitalSignature and
    nonRepudiation (contentCommitment), as for a natural person's signing certificate.

    Returns:
        The private key (keep it in memory only) and the certificate.
    """
    when = now or datetime.now(UTC)
    key = ec.generate_private_key(ec.SECP256R1())
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, ca.names.country),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, ca.names.organization),
            x509.NameAttribute(NameOID.SERIAL_NUMBER, identification),
            x509.NameAttribute(NameOID.COMMON_NAME, full_name),
        ]
    )
    builder = _leaf_builder(subject, key, ca, when, validity).add_extension(
        x509.SubjectAlternativeName([x509.RFC822Name(email)]), critical=False
    )
    return key, builder.sign(ca.key, hashes.SHA256())


def certificate_identity(cert: x509.Certificate) -> tuple[str, str]:
    """The (common name, serialNumber attribute) of a certificate's subject."""
    serials = cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)
    serial = serials[0].value if serials else ""
    return _common_name(cert), str(serial)


def _new_root(names: CaNames, when: datetime) -> tuple[x509.Certificate, PrivateKey]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=CA_KEY_SIZE)
    name = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, names.country),
            x509.NameAttribute(NameOID.LOCALITY_NAME, names.locality),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, names.organization),
            x509.NameAttribute(NameOID.COMMON_NAME, names.ca_common_name),
        ]
    )
    usage = x509.KeyUsage(
        digital_signature=False, content_commitment=False, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=True, crl_sign=True,
        encipher_only=False, decipher_only=False,
    )  # fmt: skip
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(when - CLOCK_SKEW)
        .not_valid_after(when + CA_VALIDITY)
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .sign(key, hashes.SHA256())
    )
    return cert, key


def _new_seal(
    ca_key: PrivateKey, ca_cert: x509.Certificate, names: CaNames, when: datetime
) -> tuple[x509.Certificate, PrivateKey]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=CA_KEY_SIZE)
    subject = x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, names.country),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, names.organization),
            x509.NameAttribute(NameOID.COMMON_NAME, names.seal_common_name),
        ]
    )
    ca = CertificateAuthority(ca_cert, ca_key, ca_cert, ca_key, names)
    cert = _leaf_builder(subject, key, ca, when, SEAL_VALIDITY).sign(ca_key, hashes.SHA256())
    return cert, key


def _leaf_builder(
    subject: x509.Name,
    key: PrivateKey,
    ca: CertificateAuthority,
    when: datetime,
    validity: timedelta,
) -> x509.CertificateBuilder:
    """An end-entity certificate for signing: digitalSignature + nonRepudiation."""
    usage = x509.KeyUsage(
        digital_signature=True, content_commitment=True, key_encipherment=False,
        data_encipherment=False, key_agreement=False, key_cert_sign=False, crl_sign=False,
        encipher_only=False, decipher_only=False,
    )  # fmt: skip
    not_after = min(when + validity, ca.cert.not_valid_after_utc)
    authority = x509.AuthorityKeyIdentifier.from_issuer_public_key(ca.key.public_key())
    return (
        x509.CertificateBuilder()
        .subject_name(subject)
        .issuer_name(ca.cert.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(when - CLOCK_SKEW)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(usage, critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(authority, critical=False)
    )


def _issued_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


def _common_name(cert: x509.Certificate) -> str:
    names = cert.subject.get_attributes_for_oid(NameOID.COMMON_NAME)
    return str(names[0].value) if names else ""


def _load_pair(
    cert_path: Path, key_path: Path, password: bytes | None
) -> tuple[x509.Certificate, PrivateKey] | None:
    """The certificate and key, or None when the certificate was never written.

    A key without its certificate is what a crash between the two writes leaves: nothing
    was ever issued with it, so the caller creates a new pair.
    """
    if not cert_path.exists():
        return None
    if not key_path.exists():
        raise CaError(f"{cert_path} exists but its key {key_path} does not")
    try:
        cert = x509.load_pem_x509_certificate(cert_path.read_bytes())
        key = serialization.load_pem_private_key(key_path.read_bytes(), password=password)
    except (ValueError, TypeError) as exc:
        raise CaError(f"cannot read {cert_path} / {key_path}: {exc}") from exc
    if not isinstance(key, rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey):
        raise CaError(f"{key_path}: only RSA and EC keys are supported")
    if _spki(key.public_key()) != _spki(cert.public_key()):
        raise CaError(f"{key_path} is not the key of {cert_path}")
    return cert, key


def _spki(public_key: CertificatePublicKeyTypes) -> bytes:
    return public_key.public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _store_pair(
    cert_path: Path,
    key_path: Path,
    pair: tuple[x509.Certificate, PrivateKey],
    password: bytes | None,
) -> None:
    """Key first (0600), certificate last: the certificate's presence marks a whole pair."""
    cert, key = pair
    encryption: serialization.KeySerializationEncryption = (
        serialization.BestAvailableEncryption(password)
        if password
        else serialization.NoEncryption()
    )
    pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, encryption
    )
    write_atomically(key_path, pem)  # mkstemp creates the file 0600 before any byte is in it
    os.chmod(key_path, 0o600)
    write_atomically(cert_path, cert.public_bytes(serialization.Encoding.PEM))
    os.chmod(cert_path, 0o644)


@contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """Hold an exclusive advisory lock on ``lock_path`` (POSIX ``flock``)."""
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
