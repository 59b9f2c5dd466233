"""The check between the seal and the disbursement: are the sealed documents' signatures right?

Plain deterministic Python used by :mod:`workflows.credit.signatory_updates` on the reports of
``signing.validate_documents``. No I/O.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from bank.signing.contracts import (
    SEAL_FIELD,
    SIGNATURE_FIELDS,
    DocumentRef,
    DocumentValidation,
    SignatoryRole,
)


def signature_problems(
    documents: Sequence[DocumentRef],
    validations: Sequence[DocumentValidation],
    signers: Mapping[SignatoryRole, str],
) -> list[str]:
    """Why the sealed documents must not be disbursed on; empty when they may.

    Every document must have a report whose signatures are all intact, valid and trusted,
    with exactly one signature per signatory (in its own field, by that person's
    certificate) and the institutional seal last.

    Args:
        documents: The sealed documents, as the workflow holds them.
        validations: What ``signing.validate_documents`` reported for them.
        signers: Each signatory's role and identification (cédula).

    Returns:
        One short English line per problem (for the audit trail and the state's reason).
    """
    by_key = {validation.key: validation for validation in validations}
    problems = []
    for document in documents:
        validation = by_key.get(document.key)
        if validation is None:
            problems.append(f"{document.kind}: not validated")
            continue
        problems.extend(f"{document.kind}: {p}" for p in _document_problems(validation, signers))
    return problems


def _document_problems(
    validation: DocumentValidation, signers: Mapping[SignatoryRole, str]
) -> list[str]:
    reports = validation.signatures
    problems = []
    if not validation.all_ok or not all(report.ok for report in reports):
        bad = [report.field_name for report in reports if not report.ok]
        problems.append(f"signatures not intact, valid and trusted {bad}")
    expected = len(signers) + 1
    if len(reports) != expected:
        problems.append(f"{len(reports)} signatures, expected {expected}")
    fields = [report.field_name for report in reports]
    if not fields or fields[-1] != SEAL_FIELD or fields.count(SEAL_FIELD) != 1:
        problems.append("the institutional seal is not the single last signature")
    for role, identification in signers.items():
        own = [report for report in reports if report.field_name == SIGNATURE_FIELDS[role]]
        if len(own) != 1 or own[0].identification != identification:
            problems.append(f"no single signature of {role} by its signatory")
    return problems
