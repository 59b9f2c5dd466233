"""The preapproved credit journey end to end: the real credit, KYC and signing activities on
the task queues ``workers.main`` builds, PostgreSQL, a local document store and CA in
``tmp_path``, the Registro Civil simulator, the real OTP service and outbox, on the
time-skipping server. A single member with current data goes from the offer to the money
in her savings account; a stranger's face is refused.
"""

from __future__ import annotations

import asyncio
import re
import uuid
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine, select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import WorkflowHandle
from temporalio.testing import WorkflowEnvironment

from bank.adapters.documents import DocumentStore
from bank.adapters.registro_civil import simulated_codigo_dactilar
from bank.adapters.wiring import Adapters
from bank.core.db import session_factory
from bank.core.settings import WorkerSettings
from bank.credit import store
from bank.credit.deadline import GUAYAQUIL
from bank.ledger.reconcile import reconcile
from bank.models import Account, Installment, Loan, OutboundMessage
from bank.notifications.outbox import unseal
from bank.privacy.contracts import BIOMETRIC_CONSENT_VERSION
from bank.signing.ca import CertificateAuthority, load_or_create_ca
from bank.signing.pades import validate_pdf
from tests import factories
from tests.bank import kyc_support as fx
from tests.support.temporal import terminate_if_running
from tests.workflows.credit_fakes import finished, offer, to_morning
from workers.main import Components, general_activities, kyc_activities, workers
from workflows.credit.contract import (
    AcceptRequest,
    BiometricConsentRequest,
    CreditJourneyState,
    DocumentUpload,
    FaceRequest,
    IdentityRequest,
    OtpRequest,
    SimulationRequest,
    Status,
    TermsRequest,
)
from workflows.credit.journey import CreditJourneyWorkflow as WF

SECRET = "e2e-credit-secret-0123456789-abcdefghijklmnopqrs"
AMOUNT, TERM = 750_000, 24
OPENING_BALANCE = 12_345
Handle = WorkflowHandle[WF, CreditJourneyState]


@dataclass
class Bank:
    """What the test sees of the running system."""

    env: WorkflowEnvironment
    settings: WorkerSettings
    sessions: sessionmaker[Session]
    documents: DocumentStore
    ca: CertificateAuthority
    member_id: int
    cedula: str
    account_id: int


@pytest.fixture
async def bank(
    time_skipping_env: WorkflowEnvironment,
    database_url: str,
    db: Engine,
    tmp_path: Path,
) -> AsyncIterator[Bank]:
    """Workers exactly as ``workers.main`` builds them, over tmp_path and the test database."""
    suffix = uuid.uuid4().hex[:8]
    settings = WorkerSettings(
        environment="test",
        database_url=database_url,
        secret_key=SECRET,
        document_dir=tmp_path / "documents",
        ca_dir=tmp_path / "ca",
        mailbox_dir=tmp_path / "mailbox",
        smtp_port=1,  # no SMTP sink: emails stay PENDING in the outbox (read from there)
        task_queue=f"e2e-{suffix}",
        kyc_task_queue=f"e2e-kyc-{suffix}",
        max_concurrent_activities=8,
    )
    sessions = session_factory(db)
    with sessions.begin() as session:
        today = datetime.now(GUAYAQUIL).date()
        member = factories.make_member(session, first_names="BARACK", last_names="OBAMA")
        member.data_updated_on = member.utility_bill_on = today - timedelta(days=10)
        account = factories.make_account(session, member)
        factories.deposit(session, account, OPENING_BALANCE)
        member_id, cedula, account_id = member.id, member.identification, account.id
    env = time_skipping_env
    parts = Components(
        engine=db,
        client=env.client,
        adapters=Adapters(settings, sessions),
        activities=[],
    )
    parts.activities = general_activities(settings, parts)
    parts.kyc_activities = kyc_activities(settings, parts)
    built = workers(settings, parts)
    assert [w.task_queue for w in built] == [settings.task_queue, settings.kyc_task_queue]
    async with AsyncExitStack() as stack:
        for worker in built:
            await stack.enter_async_context(worker)
        yield Bank(
            env,
            settings,
            sessions,
            parts.adapters.documents,  # sealed, as the API and the workers see it
            load_or_create_ca(settings.ca_dir),
            member_id,
            cedula,
            account_id,
        )


@asynccontextmanager
async def journey(bank: Bank) -> AsyncIterator[Handle]:
    """A journey started before 19:00 Guayaquil (the clock is moved to 09:00 if needed)."""
    env = bank.env
    local = (await env.get_current_time()).astimezone(GUAYAQUIL)
    if not 7 <= local.hour < 17:
        # Workflow time moves to the next 09:00; the activities keep the real clock, which
        # only dates the loan and the certificates.
        await to_morning(env)
    now = await env.get_current_time()
    the_offer = offer(
        now,
        member_id=bank.member_id,
        kyc_task_queue=bank.settings.kyc_task_queue,
    )
    handle = await env.client.start_workflow(
        WF.run,
        the_offer,
        id=f"credit-{the_offer.campaign_id}-{bank.member_id}-{uuid.uuid4().hex[:6]}",
        task_queue=bank.settings.task_queue,
    )
    try:
        yield handle
    finally:
        await terminate_if_running(handle)


def put(bank: Bank, key: str, data: bytes, content_type: str = "image/jpeg") -> str:
    bank.documents.put(key, data, content_type)
    return key


def outbox_text(bank: Bank, template: str) -> str:
    """The newest message of ``template`` in the outbox, decrypted."""
    with bank.sessions() as session:
        message = session.scalars(
            select(OutboundMessage)
            .where(OutboundMessage.template == template)
            .order_by(OutboundMessage.id.desc())
        ).first()
        assert message is not None, f"no {template} message in the outbox"
        return unseal(SECRET, message.idempotency_key, message.body_text)


def balance(bank: Bank) -> int:
    with bank.sessions() as session:
        account = session.get(Account, bank.account_id)
        assert account is not None
        return account.balance_cents


async def send_request(bank: Bank, handle: Handle) -> int:
    """Accept, simulate, choose, upload the ID card, finalize; returns the net amount."""
    terms = await handle.execute_update(WF.accept, AcceptRequest("web 190.2.3.4"))
    assert terms.status is Status.ACCEPTED and terms.blockers == ()
    simulated = await handle.execute_update(WF.simulate, SimulationRequest(AMOUNT, 12))
    assert simulated.rows
    choice = await handle.execute_update(WF.choose, SimulationRequest(AMOUNT, TERM))
    assert choice.required_documents == ("ID_FRONT", "ID_BACK")  # data current: no bill
    prefix = f"uploads/{bank.member_id}"
    uploads = [
        DocumentUpload(
            "ID_FRONT",
            put(bank, f"{prefix}/id-front", fx.jpeg(fx.id_card("obama"))),
            "cedula-frente.jpg",
            "image/jpeg",
        ),
        DocumentUpload(
            "ID_BACK",
            put(bank, f"{prefix}/id-back", fx.jpeg(fx.blank_card())),
            "cedula-reverso.jpg",
            "image/jpeg",
        ),
    ]
    for upload in uploads:
        outcome = await handle.execute_update(WF.attach_document, upload)
        assert outcome.accepted, outcome
    assert outcome.missing == ()
    sent = await handle.execute_update(WF.finalize)
    assert [s.role for s in sent.signatories] == ["MEMBER"] and sent.spouse_email is None
    return choice.summary.net_amount_cents


def signing_token(bank: Bank, handle: Handle) -> str:
    """The token of the link emailed to the member (checked against the links table)."""
    found = re.search(r"/firma/([A-Za-z0-9_\-]+)", outbox_text(bank, "signing_link"))
    assert found, "no signing link in the email"
    with bank.sessions() as session:
        target = store.resolve_link(session, found.group(1))
    assert target is not None and target.workflow_id == handle.id
    assert (target.role, target.member_id, target.generation) == ("MEMBER", bank.member_id, 1)
    return found.group(1)


def clip(bank: Bank, name: str, prefix: str) -> tuple[str, ...]:
    """A camera clip of ``name`` (with a blink), one JPEG per frame in the store."""
    frames = fx.camera_clip(name)
    return tuple(
        put(bank, f"camera/{bank.member_id}/{prefix}/{i:02d}", fx.jpeg(frame, quality=90))
        for i, frame in enumerate(frames)
    )


async def identify(bank: Bank, handle: Handle, token: str) -> None:
    codigo = simulated_codigo_dactilar(bank.cedula)
    request = IdentityRequest("MEMBER", token, bank.cedula, codigo)
    result = await handle.execute_update(WF.verify_identity, request)
    assert result.passed and result.next_step == "FACE", result
    consent = BiometricConsentRequest("MEMBER", token, BIOMETRIC_CONSENT_VERSION, "e2e")
    await handle.execute_update(WF.consent_biometrics, consent)


async def test_member_signs_and_the_loan_reaches_her_savings_account(bank: Bank) -> None:
    before = balance(bank)
    async with journey(bank) as handle:
        net = await send_request(bank, handle)
        token = signing_token(bank, handle)
        await identify(bank, handle, token)
        face = await handle.execute_update(
            WF.submit_face, FaceRequest("MEMBER", token, clip(bank, "obama", "s1"))
        )
        assert face.passed and face.next_step == "TERMS", face
        state = await handle.query(WF.state)
        terms = await handle.execute_update(
            WF.accept_terms, TermsRequest("MEMBER", token, state.document_hashes)
        )
        assert terms.passed and terms.next_step == "OTP", terms
        code = re.search(r"\b(\d{6})\b", outbox_text(bank, "otp"))
        assert code, "no OTP in the SMS"
        signed = await handle.execute_update(
            WF.submit_otp, OtpRequest("MEMBER", token, code.group(1))
        )
        assert signed.passed, signed
        result = await finished(bank.env, handle)

    assert result.status is Status.DISBURSED and result.loan_number
    assert result.net_amount_cents == net and 0 < net < AMOUNT
    with bank.sessions() as session:
        loan = session.scalars(select(Loan).where(Loan.origin == handle.id)).one()
        installments = session.scalars(
            select(Installment).where(Installment.loan_id == loan.id).order_by(Installment.number)
        ).all()
        assert loan.number == result.loan_number and loan.member_id == bank.member_id
        assert loan.amount_cents == AMOUNT and loan.account_id == bank.account_id
        assert [i.number for i in installments] == list(range(1, TERM + 1))
        assert sum(i.principal_cents for i in installments) == AMOUNT
        assert reconcile(session) == []
    assert balance(bank) - before == net

    sealed = result.signing_documents
    assert sealed
    for ref in sealed:
        pdf = bank.documents.get(ref.key)
        assert pdf.info.sha256 == ref.sha256
        # pyHanko's sync validator runs its own event loop: call it off this one.
        reports = await asyncio.to_thread(validate_pdf, pdf.data, bank.ca)
        assert len(reports) == 2, (ref.kind, reports)
        member_signature, seal = reports
        assert member_signature.identification == bank.cedula
        assert "OBAMA" in member_signature.signer_name
        assert seal.identification != bank.cedula
        for report in reports:
            assert report.intact and report.valid and report.trusted, (ref.kind, report)


async def test_another_persons_face_is_refused(bank: Bank) -> None:
    async with journey(bank) as handle:
        await send_request(bank, handle)
        token = signing_token(bank, handle)
        await identify(bank, handle, token)
        before = await handle.query(WF.state)
        refused = await handle.execute_update(
            WF.submit_face, FaceRequest("MEMBER", token, clip(bank, "biden", "s1"))
        )
        after = await handle.query(WF.state)

    assert not refused.passed and refused.next_step == "FACE"
    assert refused.reasons, refused
    assert refused.attempts_left == before.signatories[0].face_attempts_left - 1
    assert after.signatories[0].face_attempts_left == refused.attempts_left
    assert after.status is Status.AWAITING_SIGNATURES
    assert balance(bank) == OPENING_BALANCE
