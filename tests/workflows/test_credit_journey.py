"""CreditJourneyWorkflow, offer phase and disbursement, on the time-skipping server.

Activities are replaced by name with fakes (``credit_fakes``); timers are skipped.
"""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError

from tests.workflows.credit_fakes import (
    FakeServices,
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
    ERR_AMOUNT,
    AcceptRequest,
    OfficerAction,
    SimulationRequest,
    Status,
)
from workflows.credit.journey import CreditJourneyWorkflow as WF
from workflows.search_attributes import AMOUNT_REQUESTED, CREDIT_STATUS, SIGNING_DEADLINE


def error_type(exc: pytest.ExceptionInfo[WorkflowUpdateFailedError]) -> str | None:
    cause = exc.value.cause
    return cause.type if isinstance(cause, ApplicationError) else None


async def test_single_member_signs_at_1859_and_is_disbursed(time_skipping_env, task_queue):
    env, fakes = time_skipping_env, FakeServices(profile=profile(married=False))
    now = await to_morning(env)
    async with journey(env, task_queue, fakes, offer(now)) as handle:
        await send_request(handle, married=False)
        state = await handle.query(WF.state)
        assert state.status is Status.AWAITING_SIGNATURES and state.deadline is not None
        token = await sign_up_to_otp(handle, fakes, "MEMBER")
        await env.sleep(state.deadline - await env.get_current_time() - timedelta(minutes=1))
        answer = await otp(handle, "MEMBER", token)
        result = await finished(env, handle)
        described = await handle.describe()

    assert answer.passed and result.status is Status.DISBURSED
    assert result.loan_number == "0300000001"
    assert len(fakes.disbursements) == 1 and fakes.disbursements[0].amount_cents == 990_000
    assert fakes.signed == ["SOCIO"] and "seal" in fakes.calls and "mail:1" in fakes.calls
    attributes = described.typed_search_attributes
    assert attributes.get(CREDIT_STATUS) == "DISBURSED"
    assert attributes.get(AMOUNT_REQUESTED) == 9900.0
    assert attributes.get(SIGNING_DEADLINE) == state.deadline
    assert "DISBURSED" in str(await described.memo_value("summary"))


async def test_signing_at_1901_is_refused_and_the_journey_expires(time_skipping_env, task_queue):
    env, fakes = time_skipping_env, FakeServices(profile=profile(married=False))
    now = await to_morning(env)
    async with journey(env, task_queue, fakes, offer(now)) as handle:
        await send_request(handle, married=False)
        state = await handle.query(WF.state)
        token = await sign_up_to_otp(handle, fakes, "MEMBER")
        assert state.deadline is not None
        await env.sleep(state.deadline - await env.get_current_time() + timedelta(minutes=1))
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await otp(handle, "MEMBER", token)
        after = await handle.query(WF.state)
        described = await handle.describe()

    assert error_type(refused) in {"PLAZO_DE_FIRMA_VENCIDO", "ESTADO_INVALIDO"}
    assert after.status is Status.EXPIRED_AWAITING_REGENERATION
    assert described.typed_search_attributes.get(CREDIT_STATUS) == after.status.value
    assert fakes.disbursements == []


async def test_spouse_path_needs_both_signatures(time_skipping_env, task_queue):
    env, fakes = time_skipping_env, FakeServices()
    now = await to_morning(env)
    async with journey(env, task_queue, fakes, offer(now)) as handle:
        await send_request(handle)
        member_token = await sign_up_to_otp(handle, fakes, "MEMBER")
        assert (await otp(handle, "MEMBER", member_token)).passed
        halfway = await handle.query(WF.state)
        assert fakes.disbursements == []
        spouse_token = await sign_up_to_otp(handle, fakes, "SPOUSE")
        assert (await otp(handle, "SPOUSE", spouse_token)).passed
        result = await finished(env, handle)

    assert halfway.status is Status.AWAITING_SIGNATURES
    assert [s.next_step for s in halfway.signatories] == ["SIGNED", "IDENTITY"]
    assert result.status is Status.DISBURSED and fakes.signed == ["SOCIO", "CONYUGE"]
    assert [o.member_id for o in fakes.otps] == [7, 8]
    assert "face:enc/uploads/SPOUSE_ID_FRONT.jpg" in fakes.calls
    assert "mail:2" in fakes.calls


async def test_finalize_returns_spouse_contacts(time_skipping_env, task_queue):
    env, fakes = time_skipping_env, FakeServices()
    now = await to_morning(env)
    async with journey(env, task_queue, fakes, offer(now)) as handle:
        await send_request(handle)
        state = await handle.query(WF.state)
        await handle.execute_update(WF.cancel, officer_action())
    spouse = [s for s in state.signatories if s.role == "SPOUSE"]
    assert spouse and spouse[0].email == "christian.caicedo@example.com"
    assert spouse[0].mobile == "0979583146"


def officer_action() -> OfficerAction:
    return OfficerAction("oficial.perez", "prueba")


async def test_decline_ends_the_journey(time_skipping_env, task_queue):
    env, fakes = time_skipping_env, FakeServices()
    async with journey(env, task_queue, fakes, offer(await env.get_current_time())) as handle:
        await handle.execute_update(WF.decline)
        result = await finished(env, handle)
    assert result.status is Status.DECLINED and fakes.consents == []


async def test_dismiss_changes_nothing_then_accept_reveals_the_maximum(
    time_skipping_env, task_queue
):
    env, fakes = time_skipping_env, FakeServices()
    async with journey(env, task_queue, fakes, offer(await env.get_current_time())) as handle:
        dismissed = await handle.execute_update(WF.dismiss)
        terms = await handle.execute_update(WF.accept, AcceptRequest("web 190.2.3.4"))
        state = await handle.query(WF.state)
        await handle.execute_update(WF.decline)

    assert dismissed.status is Status.OFFERED and dismissed.consent_at is None
    assert terms.status is Status.ACCEPTED and terms.max_amount_cents == 1_000_000
    assert state.consent_origin == "web 190.2.3.4" and state.consent_at is not None
    assert len(fakes.consents) == 1 and fakes.consents[0].origin == "web 190.2.3.4"


async def test_simulate_above_the_maximum_is_rejected_before_history(time_skipping_env, task_queue):
    env, fakes = time_skipping_env, FakeServices()
    async with journey(env, task_queue, fakes, offer(await env.get_current_time())) as handle:
        await handle.execute_update(WF.accept, AcceptRequest("web"))
        with pytest.raises(WorkflowUpdateFailedError) as too_much:
            await handle.execute_update(WF.simulate, SimulationRequest(1_000_001, 24))
        with pytest.raises(WorkflowUpdateFailedError):
            await handle.execute_update(WF.simulate, SimulationRequest(500_000, 18))
        simulation = await handle.execute_update(WF.simulate, SimulationRequest(1_000_000, 36))
        await handle.execute_update(WF.decline)
        history = await handle.fetch_history()

    assert error_type(too_much) == ERR_AMOUNT
    assert len(simulation.rows) == 36 and simulation.installment_cents > 0
    assert sum(r.principal_cents for r in simulation.rows) == 1_000_000
    accepted = [
        e.workflow_execution_update_accepted_event_attributes.accepted_request.meta.update_id
        for e in history.events
        if e.HasField("workflow_execution_update_accepted_event_attributes")
    ]
    assert len(accepted) == 3  # accept, the valid simulation, decline
    assert "1000001" not in history.to_json()


async def test_offer_past_validity_expires(time_skipping_env, task_queue):
    env, fakes = time_skipping_env, FakeServices()
    now = await env.get_current_time()
    short = offer(now, valid_until=now + timedelta(days=3))
    async with journey(env, task_queue, fakes, short) as h:
        await h.execute_update(WF.accept, AcceptRequest("web"))
        await env.sleep(timedelta(days=3, minutes=1))
        result = await finished(env, h)
    assert result.status is Status.OFFER_EXPIRED


async def test_expired_id_card_blocks_until_renewed(time_skipping_env, task_queue):
    env = time_skipping_env
    fakes = FakeServices(profile=profile(id_card_expires_on=date(2020, 1, 1)))
    async with journey(env, task_queue, fakes, offer(await env.get_current_time())) as handle:
        blocked = await handle.execute_update(WF.accept, AcceptRequest("web"))
        with pytest.raises(WorkflowUpdateFailedError):
            await handle.execute_update(WF.simulate, SimulationRequest(500_000, 12))
        fakes.profile = profile()  # renewed at an agency; the member accepts again
        again = await handle.execute_update(WF.accept, AcceptRequest("web"))
        await handle.execute_update(WF.decline)

    assert blocked.status is Status.BLOCKED_REQUIREMENTS and blocked.blockers == ("ID_EXPIRED",)
    assert "agencias" in blocked.messages[0]
    assert again.status is Status.ACCEPTED and len(fakes.consents) == 1


async def test_crash_after_ledger_post_disburses_exactly_once(time_skipping_env, task_queue):
    env = time_skipping_env
    fakes = FakeServices(profile=profile(married=False), crash_disburse_once=True)
    now = await to_morning(env)
    async with journey(env, task_queue, fakes, offer(now)) as handle:
        await send_request(handle, married=False)
        token = await sign_up_to_otp(handle, fakes, "MEMBER")
        await otp(handle, "MEMBER", token)
        result = await finished(env, handle)

    assert result.status is Status.DISBURSED
    assert len(fakes.disbursements) == 2  # the crashed attempt and its retry...
    assert len(fakes.ledger_posts) == 1  # ...under one idempotency key: one posting
