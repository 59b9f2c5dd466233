"""The signature check between the seal and the disbursement (pure, no Temporal)."""

from __future__ import annotations

from dataclasses import replace

from bank.signing.contracts import (
    SEAL_FIELD,
    DocumentRef,
    DocumentValidation,
    SignatoryRole,
    SignatureReport,
)
from workflows.credit.signature_check import signature_problems

MEMBER, SPOUSE = "1720364189", "1715982649"
SIGNERS = {SignatoryRole.MEMBER: MEMBER, SignatoryRole.SPOUSE: SPOUSE}
DOC = DocumentRef("pagare", "credit-x/1/sello/pagare", "a" * 64, 1000)


def report(field_name: str, identification: str, **changes: object) -> SignatureReport:
    base = SignatureReport(
        field_name, "NAME", identification, True, True, True, "ENTIRE_FILE", "NONE", True, None
    )
    return replace(base, **changes)  # type: ignore[arg-type]


def validation(*reports: SignatureReport, all_ok: bool = True) -> DocumentValidation:
    return DocumentValidation(DOC.kind, DOC.key, list(reports), all_ok)


MEMBER_SIG = report("FirmaSocio", MEMBER)
SPOUSE_SIG = report("FirmaConyuge", SPOUSE)
SEAL = report(SEAL_FIELD, "1790000000001")


def test_one_signature_per_signatory_and_the_seal_pass():
    assert signature_problems([DOC], [validation(MEMBER_SIG, SPOUSE_SIG, SEAL)], SIGNERS) == []


def test_a_missing_spouse_signature_is_refused_by_the_count():
    problems = signature_problems([DOC], [validation(MEMBER_SIG, SEAL)], SIGNERS)
    assert "pagare: 2 signatures, expected 3" in problems
    assert any("CONYUGE" in p for p in problems)


def test_a_signature_twice_or_by_someone_else_is_refused():
    twice = validation(MEMBER_SIG, MEMBER_SIG, SEAL)
    stranger = validation(report("FirmaSocio", "0000000000"), SPOUSE_SIG, SEAL)
    assert signature_problems([DOC], [twice], {SignatoryRole.MEMBER: MEMBER})
    assert signature_problems([DOC], [stranger], SIGNERS)


def test_not_intact_or_not_all_ok_or_unsealed_or_unvalidated_is_refused():
    broken = validation(replace(MEMBER_SIG, intact=False), SPOUSE_SIG, SEAL, all_ok=False)
    lying = validation(MEMBER_SIG, SPOUSE_SIG, SEAL, all_ok=False)
    unsealed = validation(MEMBER_SIG, SEAL, SPOUSE_SIG)
    for case in (broken, lying, unsealed):
        assert signature_problems([DOC], [case], SIGNERS), case
    assert signature_problems([DOC], [], SIGNERS) == ["pagare: not validated"]
