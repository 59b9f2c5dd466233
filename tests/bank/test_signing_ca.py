"""The institution's CA: created once, reused, kept private; signatory certificates."""

from __future__ import annotations

import stat
from concurrent.futures import ProcessPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import NameOID

from bank.core.settings import CoreSettings
from bank.signing.ca import (
    CA_CERT_FILE,
    CA_KEY_FILE,
    SEAL_CERT_FILE,
    SEAL_KEY_FILE,
    CaError,
    ca_from_settings,
    certificate_identity,
    issue_signatory_certificate,
    load_ca,
    load_or_create_ca,
)


def _fingerprint(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.DER)


def _create(directory: str) -> bytes:
    return _fingerprint(load_or_create_ca(Path(directory)).cert)


def test_first_start_creates_the_ca_and_the_seal_and_later_starts_reuse_them(tmp_path):
    directory = tmp_path / "ca"
    first = load_or_create_ca(directory)
    second = load_or_create_ca(directory)

    assert _fingerprint(second.cert) == _fingerprint(first.cert)
    assert _fingerprint(second.seal_cert) == _fingerprint(first.seal_cert)
    for name in (CA_KEY_FILE, SEAL_KEY_FILE):
        assert stat.S_IMODE((directory / name).stat().st_mode) == 0o600
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    assert not [p for p in directory.iterdir() if p.name.startswith(".tmp-")]

    constraints = first.cert.extensions.get_extension_for_class(x509.BasicConstraints)
    assert constraints.value.ca is True
    assert first.cert.not_valid_after_utc - first.cert.not_valid_before_utc > timedelta(days=3650)
    assert certificate_identity(first.seal_cert)[0] == "COOPROGRESO LTDA - SELLO INSTITUCIONAL"
    first.seal_cert.verify_directly_issued_by(first.cert)


def test_processes_starting_together_end_up_with_one_ca(tmp_path):
    directory = str(tmp_path / "ca")
    with ProcessPoolExecutor(max_workers=2) as pool:
        roots = list(pool.map(_create, [directory] * 4))
    assert len(set(roots)) == 1


def test_a_lost_seal_is_issued_again_by_the_same_root(tmp_path):
    first = load_or_create_ca(tmp_path)
    (tmp_path / SEAL_CERT_FILE).unlink()
    again = load_or_create_ca(tmp_path)
    assert _fingerprint(again.cert) == _fingerprint(first.cert)
    assert _fingerprint(again.seal_cert) != _fingerprint(first.seal_cert)
    again.seal_cert.verify_directly_issued_by(first.cert)


def test_a_certificate_without_its_key_is_an_error_not_a_new_root(tmp_path):
    load_or_create_ca(tmp_path)
    (tmp_path / CA_KEY_FILE).unlink()
    with pytest.raises(CaError):
        load_or_create_ca(tmp_path)


def test_signatory_certificate_names_the_person_and_lasts_one_day(tmp_path):
    ca = load_or_create_ca(tmp_path)
    now = datetime(2026, 3, 14, 17, 0, tzinfo=UTC)
    key, cert = issue_signatory_certificate(
        ca,
        full_name="MARÍA FERNANDA GUTIÉRREZ ZAMBRANO",
        identification="1710034065",
        email="maria@example.ec",
        now=now,
    )
    assert certificate_identity(cert) == ("MARÍA FERNANDA GUTIÉRREZ ZAMBRANO", "1710034065")
    assert cert.subject.get_attributes_for_oid(NameOID.SERIAL_NUMBER)[0].value == "1710034065"
    assert cert.not_valid_after_utc == now + timedelta(days=1)
    usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    assert usage.digital_signature and usage.content_commitment and not usage.key_cert_sign
    emails = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert emails.get_values_for_type(x509.RFC822Name) == ["maria@example.ec"]
    assert cert.public_key() == key.public_key()
    cert.verify_directly_issued_by(ca.cert)


def test_production_loads_the_configured_ca_with_its_password(tmp_path):
    embedded = load_or_create_ca(tmp_path / "issued", key_password=b"s3cret-pass")
    with pytest.raises(CaError):
        load_or_create_ca(tmp_path / "issued", key_password=b"wrong")

    settings = CoreSettings(
        environment="production",
        secret_key="a-production-secret-that-is-long-enough-0123",
        dev_outbox=False,
        document_keys="k1:" + "A" * 43,
        ca_dir=tmp_path / "seal",
        ca_cert_path=tmp_path / "issued" / CA_CERT_FILE,
        ca_key_path=tmp_path / "issued" / CA_KEY_FILE,
        ca_key_password="s3cret-pass",
    )
    loaded = ca_from_settings(settings)
    assert _fingerprint(loaded.cert) == _fingerprint(embedded.cert)
    loaded.seal_cert.verify_directly_issued_by(embedded.cert)
    assert (tmp_path / "seal" / SEAL_CERT_FILE).exists()

    with_seal = load_ca(
        tmp_path / "issued" / CA_CERT_FILE,
        tmp_path / "issued" / CA_KEY_FILE,
        key_password=b"s3cret-pass",
        seal_cert_path=tmp_path / "issued" / SEAL_CERT_FILE,
        seal_key_path=tmp_path / "issued" / SEAL_KEY_FILE,
    )
    assert _fingerprint(with_seal.seal_cert) == _fingerprint(embedded.seal_cert)


def test_production_never_creates_a_ca_of_its_own(tmp_path):
    settings = CoreSettings(
        environment="production",
        secret_key="a-production-secret-that-is-long-enough-0123",
        dev_outbox=False,
        document_keys="k1:" + "A" * 43,
        ca_dir=tmp_path,
    )
    with pytest.raises(CaError, match="COOP_CA_CERT_PATH"):
        ca_from_settings(settings)
    assert not (tmp_path / CA_CERT_FILE).exists()
