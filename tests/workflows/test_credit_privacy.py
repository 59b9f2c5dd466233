"""Biometric privacy of the credit journey (issue 14, LOPDP 2021): the signatory's consent
before the facial capture, and the journey deleting its frames and face encodings from the
document store itself (after the signatures, at the deadline, on cancel, by its own timer),
each deletion in the audit trail. The privacy activities are the real ones over a local
document store and PostgreSQL; everything else is ``credit_fakes``."""

from __future__ import annotations

from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import WorkflowUpdateFailedError
from temporalio.exceptions import ApplicationError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Replayer, Worker

from activities.privacy import PrivacyActivities
from bank.adapters.local_documents import LocalDocumentStore
from bank.core.temporal import DATA_CONVERTER
from bank.models import AuditEvent
from bank.privacy import contracts as privacy
from tests.support.temporal import terminate_if_running
from tests.workflows.credit_fakes import (
    CODIGO,
    FakeServices,
    Handle,
    consent,
    finished,
    offer,
    otp,
    profile,
    send_request,
    sign_up_to_otp,
    to_morning,
)
from workflows.credit.contract import (
    ERR_CONSENT,
    CreditOffer,
    FaceRequest,
    IdentityRequest,
    OfficerAction,
    Status,
)
from workflows.credit.journey import CreditJourneyWorkflow as WF

REFERENCES = ("enc/uploads/ID_FRONT.jpg", "enc/uploads/SPOUSE_ID_FRONT.jpg")
"""Where the fake extraction says it stored each ID card's face encoding."""
FRAMES = ("f1", "f2")
"""The frames ``sign_up_to_otp`` sends."""
NANCY_CEDULA = "1720364189"


@dataclass
class Setup:
    env: WorkflowEnvironment
    fakes: FakeServices
    store: LocalDocumentStore
    sessions: sessionmaker[Session]


@pytest.fixture
def setup(
    time_skipping_env: WorkflowEnvironment, sessions: sessionmaker[Session], tmp_path: Path
) -> Setup:
    store = LocalDocumentStore(tmp_path / "documents")
    for key in (*REFERENCES, *FRAMES, "stranger"):  # what the fakes "stored"
        store.put(key, b"biometric bytes", "application/octet-stream")
    return Setup(time_skipping_env, FakeServices(), store, sessions)


@asynccontextmanager
async def journey(s: Setup, task_queue: str, the_offer: CreditOffer) -> AsyncIterator[Handle]:
    """The fakes, with the real privacy activities over the store and the database."""
    real = PrivacyActivities(s.store, s.sessions)
    replaced = (s.fakes.delete_biometrics, s.fakes.record_biometric_consent)
    fakes = [a for a in s.fakes.all() if a not in replaced]
    async with Worker(
        s.env.client,
        task_queue=task_queue,
        workflows=[WF],
        activities=[*fakes, *real.all()],
        activity_executor=ThreadPoolExecutor(2),
    ):
        handle = await s.env.client.start_workflow(
            WF.run, the_offer, id=f"credit-PRE2026-7-{task_queue}", task_queue=task_queue
        )
        try:
            yield handle
        finally:
            await terminate_if_running(handle)


def events(s: Setup, action: str) -> list[AuditEvent]:
    with s.sessions() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def stored(s: Setup, *keys: str) -> list[str]:
    return [k for k in keys if s.store.exists(k)]


async def identify(handle: Handle, token: str, role: str = "MEMBER") -> None:
    cedula = NANCY_CEDULA if role == "MEMBER" else "1715982649"
    result = await handle.execute_update(
        WF.verify_identity, IdentityRequest(role, token, cedula, CODIGO)
    )
    assert result.passed, result


async def test_frames_before_consent_are_refused_and_the_consent_is_recorded(
    setup: Setup, task_queue: str
) -> None:
    setup.fakes.profile = profile(married=False)
    now = await to_morning(setup.env)
    async with journey(setup, task_queue, offer(now)) as handle:
        await send_request(handle, married=False)
        token = setup.fakes.tokens[(1, "MEMBER")]
        await identify(handle, token)
        with pytest.raises(WorkflowUpdateFailedError) as refused:
            await handle.execute_update(WF.submit_face, FaceRequest("MEMBER", token, FRAMES))
        await consent(handle, "MEMBER", token)
        face = await handle.execute_update(WF.submit_face, FaceRequest("MEMBER", token, FRAMES))
        state = await handle.query(WF.state)
        await handle.execute_update(WF.cancel, OfficerAction("oficial.perez", "prueba"))

    cause = refused.value.cause
    assert isinstance(cause, ApplicationError) and cause.type == ERR_CONSENT
    assert "autorizar el tratamiento de tu imagen facial" in cause.message
    assert face.passed
    [signer] = state.signatories
    assert signer.biometric_consent_version == privacy.BIOMETRIC_CONSENT_VERSION
    assert signer.biometric_consent_at is not None
    assert any(a.action == "biometria.consentimiento" for a in state.audit)
    [recorded] = events(setup, privacy.CONSENT_ACTION)
    assert recorded.subject == "member:7" and recorded.at == signer.biometric_consent_at
    assert recorded.details["workflow_id"] == handle.id
    assert recorded.details["version_texto"] == privacy.BIOMETRIC_CONSENT_VERSION
    assert recorded.details["finalidad"] == privacy.BIOMETRIC_PURPOSE


async def test_all_signed_deletes_frames_and_encodings_before_disbursing(
    setup: Setup, task_queue: str
) -> None:
    now = await to_morning(setup.env)
    async with journey(setup, task_queue, offer(now)) as handle:
        await send_request(handle)
        for role in ("MEMBER", "SPOUSE"):
            await otp(handle, role, await sign_up_to_otp(handle, setup.fakes, role))
        result = await finished(setup.env, handle)
        history = await handle.fetch_history()

    assert result.status is Status.DISBURSED
    assert stored(setup, *REFERENCES, *FRAMES) == []
    assert result.biometrics_held == 0 and result.biometrics_deleted == 4  # 2 cards, 2 frames
    [deleted] = events(setup, privacy.DELETED_ACTION)
    assert deleted.subject == f"workflow:{handle.id}"
    assert deleted.details["elementos"] == 4 and deleted.details["motivo"] == "firmas.completas"
    # Counts, never keys or content.
    assert set(deleted.details) == {"workflow_id", "elementos", "motivo", "lote"}
    assert not any(key in str(deleted.details.values()) for key in REFERENCES)
    actions = [a.action for a in result.audit]
    assert actions.index("biometria.eliminada") < actions.index("desembolso")
    # The new commands replay (the committed old histories are tests/replay's).
    await Replayer(workflows=[WF], data_converter=DATA_CONVERTER).replay_workflow(history)


async def test_a_stalled_journey_deletes_them_by_its_own_timer(
    setup: Setup, task_queue: str
) -> None:
    now = await to_morning(setup.env)
    async with journey(setup, task_queue, offer(now, biometric_retention_hours=2)) as handle:
        await send_request(handle)  # 09:00: both cards' encodings stored
        token = setup.fakes.tokens[(1, "MEMBER")]
        await identify(handle, token)
        await consent(handle, "MEMBER", token)
        await handle.execute_update(WF.submit_face, FaceRequest("MEMBER", token, FRAMES))
        await setup.env.sleep(timedelta(hours=2, minutes=5))  # nobody else signs
        stalled = await handle.query(WF.state)
        # The spouse comes later: the card's encoding is extracted again, then the face.
        spouse = setup.fakes.tokens[(1, "SPOUSE")]
        await identify(handle, spouse, "SPOUSE")
        await consent(handle, "SPOUSE", spouse)
        late = await handle.execute_update(WF.submit_face, FaceRequest("SPOUSE", spouse, FRAMES))
        after = await handle.query(WF.state)
        await handle.execute_update(WF.cancel, OfficerAction("oficial.perez", "prueba"))

    assert stalled.status is Status.AWAITING_SIGNATURES
    assert stalled.biometrics_held == 0 and stalled.biometrics_deleted == 4
    assert late.passed and after.biometrics_held == 3  # its frames and the re-extracted card
    assert "face:enc/uploads/SPOUSE_ID_FRONT.jpg" in setup.fakes.calls
    reasons = [e.details["motivo"] for e in events(setup, privacy.DELETED_ACTION)]
    assert reasons == ["plazo", "cancelado"]


async def test_the_deadline_passing_deletes_them(setup: Setup, task_queue: str) -> None:
    setup.fakes.profile = profile(married=False)
    now = await to_morning(setup.env)
    async with journey(setup, task_queue, offer(now)) as handle:
        await send_request(handle, married=False)
        token = setup.fakes.tokens[(1, "MEMBER")]
        await identify(handle, token)
        await consent(handle, "MEMBER", token)
        await handle.execute_update(WF.submit_face, FaceRequest("MEMBER", token, FRAMES))
        state = await handle.query(WF.state)
        assert state.deadline is not None
        await setup.env.sleep(state.deadline - await setup.env.get_current_time())
        await setup.env.sleep(timedelta(minutes=1))
        expired = await handle.query(WF.state)

    assert expired.status is Status.EXPIRED_AWAITING_REGENERATION
    assert stored(setup, REFERENCES[0], *FRAMES) == []
    assert [e.details["motivo"] for e in events(setup, privacy.DELETED_ACTION)] == [
        "firmas.vencidas"
    ]
