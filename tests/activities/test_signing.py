"""Signing activities over a local document store: render, sign, seal, validate, refuse."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime

import pytest
from temporalio.converter import DataConverter
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.signing import SigningActivities, document_key
from bank.adapters.local_documents import LocalDocumentStore
from bank.signing.ca import load_or_create_ca
from bank.signing.contracts import (
    DOCUMENT_CHANGED,
    INVALID_INPUT,
    DocumentKind,
    DocumentRef,
    DocumentValidation,
    RenderDocumentsInput,
    SealInput,
    Signatory,
    SignatoryRole,
    SignatureReport,
    SignInput,
    ValidateInput,
)
from tests.bank.signing_support import MEMBER, SPOUSE, sample_input, tamper

WORKFLOW_ID = "credit-camp2025-1710034065"


@pytest.fixture(scope="module")
def ca(tmp_path_factory):
    return load_or_create_ca(tmp_path_factory.mktemp("ca"))


@pytest.fixture
def store(tmp_path) -> LocalDocumentStore:
    return LocalDocumentStore(tmp_path / "documents")


@pytest.fixture
def acts(store, ca) -> SigningActivities:
    return SigningActivities(store, ca)


@pytest.fixture
def env() -> ActivityEnvironment:
    return ActivityEnvironment()


def _member() -> Signatory:
    return Signatory(SignatoryRole.MEMBER, MEMBER.full_name, MEMBER.identification, MEMBER.email)


def _spouse() -> Signatory:
    return Signatory(SignatoryRole.SPOUSE, SPOUSE.full_name, SPOUSE.identification, SPOUSE.email)


def _render(env, acts, generation: int = 1) -> list[DocumentRef]:
    request = RenderDocumentsInput(WORKFLOW_ID, generation, sample_input())
    return env.run(acts.render_credit_documents, request)


def _sign(env, acts, documents, signatory: Signatory, step: str) -> list[DocumentRef]:
    return env.run(acts.sign_documents, SignInput(WORKFLOW_ID, 1, step, signatory, documents))


def test_render_stores_the_pack_under_stable_keys_and_a_retry_overwrites_them(env, acts, store):
    first = _render(env, acts)
    again = _render(env, acts)

    assert [ref.kind for ref in first] == [kind.value for kind in DocumentKind]
    assert first == again
    assert first[0].key == f"signing/{WORKFLOW_ID}/g1/generados/contrato-credito.pdf"
    for ref in first:
        assert store.get(ref.key).info.sha256 == ref.sha256
    assert _render(env, acts, generation=2)[0].key != first[0].key


def test_member_spouse_and_seal_then_every_document_validates(env, acts, store):
    generated = _render(env, acts)
    by_member = _sign(env, acts, generated, _member(), "firma-socio")
    by_both = _sign(env, acts, by_member, _spouse(), "firma-conyuge")
    sealed = env.run(acts.seal_documents, SealInput(WORKFLOW_ID, 1, "sellados", by_both))

    assert sealed[0].key == f"signing/{WORKFLOW_ID}/g1/sellados/contrato-credito.pdf"
    for before, after in zip(generated, sealed, strict=True):
        assert store.get(after.key).data.startswith(store.get(before.key).data)
    results = env.run(acts.validate_documents, ValidateInput(sealed))
    assert len(results) == 4 and all(result.all_ok for result in results)
    for result in results:
        member, spouse, seal = result.signatures
        assert member.identification == MEMBER.identification
        assert member.coverage == "ENTIRE_REVISION"
        assert spouse.identification == SPOUSE.identification
        assert seal.coverage == "ENTIRE_FILE"

    member_only = env.run(acts.validate_documents, ValidateInput(by_member))
    assert all(len(r.signatures) == 1 and r.all_ok for r in member_only)


def test_a_retried_signing_overwrites_the_same_keys(env, acts, store):
    generated = _render(env, acts)
    first = _sign(env, acts, generated, _member(), "firma-socio")
    retry = _sign(env, acts, generated, _member(), "firma-socio")
    assert [r.key for r in retry] == [r.key for r in first]
    assert all(store.get(r.key).info.sha256 == r.sha256 for r in retry)


def test_a_document_changed_since_review_is_refused_and_nothing_is_signed(env, acts, store):
    generated = _render(env, acts)
    changed = generated[2]
    store.put(changed.key, tamper(store.get(changed.key).data), "application/pdf")

    with pytest.raises(ApplicationError) as refused:
        _sign(env, acts, generated, _member(), "firma-socio")
    assert refused.value.type == DOCUMENT_CHANGED and refused.value.non_retryable
    assert not store.exists(document_key(WORKFLOW_ID, 1, "firma-socio", generated[0].kind))

    with pytest.raises(ApplicationError) as on_validation:
        env.run(acts.validate_documents, ValidateInput(generated))
    assert on_validation.value.type == DOCUMENT_CHANGED


@pytest.mark.parametrize(
    "bad",
    [
        {"signatory": Signatory("GARANTE", "X", "1", "x@example.ec")},
        {"step": "generados"},  # would overwrite what it reads
        {"step": "Firma Socio"},
        {"generation": 0},
        {"documents": []},
    ],
)
def test_malformed_signing_requests_are_refused_for_good(env, acts, bad):
    generated = _render(env, acts)
    request = SignInput(WORKFLOW_ID, 1, "firma-socio", _member(), generated)
    with pytest.raises(ApplicationError) as refused:
        env.run(acts.sign_documents, dataclasses.replace(request, **bad))
    assert refused.value.type == INVALID_INPUT and refused.value.non_retryable


def test_signing_the_same_field_twice_is_refused(env, acts):
    by_member = _sign(env, acts, _render(env, acts), _member(), "firma-socio")
    with pytest.raises(ApplicationError) as refused:
        _sign(env, acts, by_member, _member(), "firma-socio-2")
    assert refused.value.type == INVALID_INPUT


def test_unsafe_workflow_ids_become_distinct_safe_keys():
    keys = {document_key(wid, 1, "generados", "pagare") for wid in ("a:b", "a/b", "a_b")}
    assert len(keys) == 3
    assert all(key.startswith("signing/a_b") for key in keys)


async def test_inputs_and_results_cross_temporal_as_small_json():
    converter = DataConverter.default
    values = [
        RenderDocumentsInput(WORKFLOW_ID, 1, sample_input()),
        SignInput(WORKFLOW_ID, 1, "firma-socio", _member(), []),
    ]
    for value in values:
        [payload] = await converter.encode([value])
        [decoded] = await converter.decode([payload], [type(value)])
        assert decoded == value
    signature = SignatureReport(
        "FirmaSocio", MEMBER.full_name, MEMBER.identification, True, True, True,
        "ENTIRE_REVISION", "FORM_FILLING", True, datetime(2026, 3, 14, 22, 0, tzinfo=UTC),
    )  # fmt: skip
    report = DocumentValidation("pagare", "k", [signature], True)
    [payload] = await converter.encode([[report]])
    assert await converter.decode([payload], [list[DocumentValidation]]) == [[report]]
