"""CreditJourneyWorkflow's signing steps and officer actions on the time-skipping server."""

from __future__ import annotations

import os
from datetime import timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from tests.support.histories import CREDIT_JOURNEY_SPOUSE_BIOMETRICS, CREDIT_JOURNEY_SPOUSE_ID
from tests.workflows.credit_fakes import (
    FakeServices,
    consent,
    finished,
    journey,
    offer,
    otp,
    profile,
    send_request,
    sign_up_to_otp,
    to_morning,
)
from workflows.credit.contract import (
    ERR_HASHES,
    FaceRequest,
    IdentityRequest,
    OfficerAction,
    Status,
    Step,
    TermsRequest,
)
from workflows.credit.journey import CreditJourneyWorkflow as WF

HISTORY = CREDIT_JOURNEY_SPOUSE_BIOMETRICS  # replayed by tests/replay/ (with the older one)
HAPPY_ID = CREDIT_JOURNEY_SPOUSE_ID
OFFICER = OfficerAction("oficial.perez", "el socio lo solicitó en agencia")


def cause_type(exc: pytest.ExceptionInfo[WorkflowUpdateFailedError]) -> str | None:
    cause = exc.value.cause
    return cause.type if isinstance(cause, ApplicationError) else None


async def test_regeneration_after_expiry_then_signing_disburses(time_skipping_env, task_queue):
    env, fakes = time_skipping_env, FakeServices(profile=profile(married=False))
    now = await to_morning(env)
    async with journey(env, task_queue, fakes, offer(now)) as handle:
        await send_request(handle, married=False)
        first = await handle.query(WF.state)
        assert first.deadline is not None
        await env.sleep(first.deadline - await env.get_current_time() + timedelta(minutes=1))
        assert (await handle.query(WF.state)).status is Status.EXPIRED_AWAITING_REGENERATION
        await to_morning(env)  # the officer acts the next morning
        regenerated = await handle.execute_update(WF.regenerate, OFFICER)
        with pytest.raises(WorkflowUpdateFailedError) as old_link:
            await handle.execute_update(
                WF.verify_identity,
                IdentityRequest("MEMBER", fakes.tokens[(1, "MEMBER")], "1720364189", "V1234V5678"),
            )
        token = await sign_up_to_otp(handle, fakes, "MEMBER", gen=2)
        await otp(handle, "MEMBER", token)
        result = await finished(env, handle)

    assert cause_type(old_link) == "ENLACE_INVALIDO"
    assert regenerated.generation == 2 and regenerated.status is Status.AWAITING_SIGNATURES
    assert regenerated.deadline and first.deadline and regenerated.deadline > first.deadline
    assert regenerated.document_hashes != first.document_hashes
    assert result.status is Status.DISBURSED and fakes.disbursements[0].generation == 2
    assert "render:2" in fakes.calls
    assert any(a.actor == "oficial.perez" for a in result.audit)


async def test_three_failed_faces_lock_that_signatory(time_skipping_env, task_queue):
    env, fakes = time_skipping_env, FakeServices()
    now = await to_morning(env)
    async with journey(env, task_queue, fakes, offer(now)) as handle:
        await send_request(handle)
        token = fakes.tokens[(1, "SPOUSE")]
        await handle.execute_update(
            WF.verify_identity, IdentityRequest("SPOUSE", token, "1715982649", "V1234V5678")
        )
        await consent(handle, "SPOUSE", token)
        attempts = [
            await handle.execute_update(WF.submit_face, FaceRequest("SPOUSE", token, ("stranger",)))
            for _ in range(3)
        ]
        with pytest.raises(WorkflowUpdateFailedError) as locked:
            await handle.execute_update(WF.submit_face, FaceRequest("SPOUSE", token, ("f1",)))
        member_token = await sign_up_to_otp(handle, fakes, "MEMBER")  # the member is not locked
        state = await handle.query(WF.state)
        await handle.execute_update(WF.cancel, OFFICER)

    assert [a.attempts_left for a in attempts] == [2, 1, 0]
    assert [a.passed for a in attempts] == [False] * 3 and attempts[-1].next_step == Step.LOCKED
    assert attempts[0].reasons[0].code == "ROSTRO_NO_COINCIDE"
    assert cause_type(locked) == "PASO_BLOQUEADO"
    assert member_token and {s.role: s.next_step for s in state.signatories} == {
        "MEMBER": Step.OTP,
        "SPOUSE": Step.LOCKED,
    }
    faces = [a for a in state.audit if a.action == "rostro" and a.actor == "SPOUSE"]
    assert len(faces) == 3 and "distancia=0.71" in faces[0].detail


async def test_otp_is_bound_to_the_documents_hashes(time_skipping_env, task_queue):
    env, fakes = time_skipping_env, FakeServices(profile=profile(married=False))
    now = await to_morning(env)
    async with journey(env, task_queue, fakes, offer(now)) as handle:
        await send_request(handle, married=False)
        token = fakes.tokens[(1, "MEMBER")]
        await handle.execute_update(
            WF.verify_identity, IdentityRequest("MEMBER", token, "1720364189", "V1234V5678")
        )
        await consent(handle, "MEMBER", token)
        await handle.execute_update(WF.submit_face, FaceRequest("MEMBER", token, ("f1",)))
        with pytest.raises(WorkflowUpdateFailedError) as other_docs:
            await handle.execute_update(WF.accept_terms, TermsRequest("MEMBER", token, ("0" * 64,)))
        state = await handle.query(WF.state)
        await handle.execute_update(
            WF.accept_terms, TermsRequest("MEMBER", token, state.document_hashes)
        )
        wrong = await otp(handle, "MEMBER", token, "000000")
        right = await otp(handle, "MEMBER", token)
        await finished(env, handle)

    assert cause_type(other_docs) == ERR_HASHES
    assert fakes.otps[0].document_hashes == state.document_hashes
    assert len(state.document_hashes) == 4
    assert not wrong.passed and wrong.attempts_left == 4 and right.passed


async def test_cancel_by_officer_ends_the_journey(time_skipping_env, task_queue):
    env, fakes = time_skipping_env, FakeServices()
    async with journey(env, task_queue, fakes, offer(await env.get_current_time())) as handle:
        with pytest.raises(WorkflowUpdateFailedError):
            await handle.execute_update(WF.cancel, OfficerAction("", ""))
        await handle.execute_update(WF.cancel, OFFICER)
        result = await finished(env, handle)
    assert result.status is Status.CANCELLED and result.reason == OFFICER.reason


async def test_broken_signature_is_not_disbursed_until_regenerated(time_skipping_env, task_queue):
    env = time_skipping_env
    fakes = FakeServices(profile=profile(married=False), broken_signature=True)
    now = await to_morning(env)
    async with journey(env, task_queue, fakes, offer(now)) as handle:
        await send_request(handle, married=False)
        answer = await otp(handle, "MEMBER", await sign_up_to_otp(handle, fakes, "MEMBER"))
        invalid = await handle.query(WF.state)
        disbursed_while_invalid = list(fakes.disbursements)
        fakes.broken_signature = False  # the officer regenerates: new documents, new links
        await handle.execute_update(WF.regenerate, OFFICER)
        await otp(handle, "MEMBER", await sign_up_to_otp(handle, fakes, "MEMBER", gen=2))
        result = await finished(env, handle)

    assert answer.passed and answer.status is Status.SIGNATURE_INVALID
    assert invalid.status is Status.SIGNATURE_INVALID and disbursed_while_invalid == []
    assert invalid.loan_number is None and invalid.reason and "FirmaSocio" in invalid.reason
    steps = [a.action for a in invalid.audit if not a.action.startswith("biometria.")]
    assert steps[-2:] == ["firmado", "firmas.invalidas"]  # the frames' deletion may follow
    assert fakes.calls.count("validate") == 2
    assert result.status is Status.DISBURSED and result.reason is None
    assert [d.generation for d in fakes.disbursements] == [2]


async def _happy_spouse_path(env, task_queue, wid):
    fakes = FakeServices()
    now = await to_morning(env)
    async with journey(env, task_queue, fakes, offer(now), wid) as handle:
        await send_request(handle)
        for role in ("MEMBER", "SPOUSE"):
            await otp(handle, role, await sign_up_to_otp(handle, fakes, role))
        result = await finished(env, handle)
        return result, await handle.fetch_history()


@pytest.mark.skipif(
    not os.environ.get("COOP_RECORD_HISTORIES"), reason="set COOP_RECORD_HISTORIES=1 to re-record"
)
async def test_record_spouse_history(time_skipping_env, task_queue):
    """Re-record the committed history (only when the workflow changes on purpose)."""
    result, history = await _happy_spouse_path(time_skipping_env, task_queue, HAPPY_ID)
    assert result.status is Status.DISBURSED
    HISTORY.parent.mkdir(parents=True, exist_ok=True)
    HISTORY.write_text(history.to_json() + "\n")
