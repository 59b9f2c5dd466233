"""PAdES signatures: member, spouse and seal validate; tampering and foreign CAs do not."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest
from pyhanko.pdf_utils.reader import PdfFileReader

from bank.signing.ca import CaNames, issue_signatory_certificate, load_or_create_ca
from bank.signing.contracts import SEAL_FIELD, Party
from bank.signing.documents import RenderedDocument, render_credit_documents
from bank.signing.pades import AlreadySigned, seal_pdf, sign_pdf, validate_pdf
from tests.bank.signing_support import MEMBER, SPOUSE, sample_input, tamper


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    return load_or_create_ca(tmp_path_factory.mktemp("ca"))


@pytest.fixture(scope="module")
def contract() -> RenderedDocument:
    return render_credit_documents(sample_input())[0]


def _sign(pdf: bytes, ca, person: Party, field: str, slots=()) -> bytes:
    key, cert = issue_signatory_certificate(
        ca, full_name=person.full_name, identification=person.identification, email=person.email
    )
    slot = next((s for s in slots if s.field_name == field), None)
    return sign_pdf(
        pdf,
        key=key,
        cert=cert,
        ca=ca,
        field_name=field,
        reason="Firma del deudor",
        signer_name=person.full_name,
        detail=f"C.I. {person.identification}",
        slot=slot,
    )


@pytest.fixture(scope="module")
def fully_signed(ca, contract) -> bytes:
    by_member = _sign(contract.pdf, ca, MEMBER, "FirmaSocio", contract.slots)
    by_both = _sign(by_member, ca, SPOUSE, "FirmaConyuge", contract.slots)
    return seal_pdf(by_both, ca=ca, slot=contract.slots[-1])


def test_member_spouse_and_seal_all_validate_against_the_institution_ca(ca, fully_signed):
    reports = validate_pdf(fully_signed, ca)

    assert [r.field_name for r in reports] == ["FirmaSocio", "FirmaConyuge", SEAL_FIELD]
    assert all(r.intact and r.valid and r.trusted and r.docmdp_ok and r.ok for r in reports)
    member, spouse, seal = reports
    assert (member.signer_name, member.identification) == (MEMBER.full_name, MEMBER.identification)
    assert (spouse.signer_name, spouse.identification) == (SPOUSE.full_name, SPOUSE.identification)
    assert seal.signer_name == "COOPROGRESO LTDA - SELLO INSTITUCIONAL"
    assert member.coverage == spouse.coverage == "ENTIRE_REVISION"
    assert seal.coverage == "ENTIRE_FILE"
    now = datetime.now(UTC)
    times = [r.signing_time for r in reports]
    assert all(t is not None and abs(t - now) < timedelta(minutes=5) for t in times)


def test_each_signature_is_an_incremental_update_of_the_reviewed_document(contract, fully_signed):
    assert fully_signed.startswith(contract.pdf)
    reader = PdfFileReader(io.BytesIO(fully_signed))
    assert reader.xrefs.total_revisions == 4  # rendered + member + spouse + seal
    seal = reader.embedded_signatures[-1]
    assert seal.sig_field["/Lock"]["/P"] == 1  # nothing may change after the seal


def test_a_byte_changed_after_signing_breaks_every_signature(ca, fully_signed):
    reports = validate_pdf(tamper(fully_signed), ca)
    assert len(reports) == 3
    assert not any(r.intact or r.ok for r in reports)


def test_a_certificate_from_another_ca_is_valid_but_not_trusted(ca, contract, tmp_path):
    other = load_or_create_ca(tmp_path, names=CaNames(organization="OTRA ENTIDAD"))
    signed = _sign(contract.pdf, other, MEMBER, "FirmaSocio", contract.slots)

    [report] = validate_pdf(signed, ca)
    assert report.intact and report.valid
    assert not report.trusted and not report.ok
    [own] = validate_pdf(signed, other)
    assert own.trusted


def test_a_field_cannot_be_signed_twice_and_invisible_fields_are_created(ca, contract):
    signed = _sign(contract.pdf, ca, MEMBER, "FirmaSocio", contract.slots)
    with pytest.raises(AlreadySigned):
        _sign(signed, ca, MEMBER, "FirmaSocio", contract.slots)
    invisible = _sign(signed, ca, SPOUSE, "OtroFirmante")
    assert [r.ok for r in validate_pdf(invisible, ca)] == [True, True]


def test_an_unsigned_document_has_no_signatures(ca, contract):
    assert validate_pdf(contract.pdf, ca) == []


def test_certificates_are_checked_at_the_claimed_signing_time_unless_told_otherwise(
    ca, fully_signed
):
    assert all(r.trusted for r in validate_pdf(fully_signed, ca))
    two_days_later = datetime.now(UTC) + timedelta(days=2)
    member, spouse, seal = validate_pdf(fully_signed, ca, at=two_days_later)
    assert not member.trusted and not spouse.trusted  # one-day signatory certificates
    assert seal.trusted
