"""The three journeys of the worker-crash scenarios, each killed at one point and rescued.

Each function sets up its own members (so scenarios can run side by side in one
database), drives the journey on a doomed worker, waits for the kill, lets a second worker
finish it and checks what the member would see: the journey's answer, the money to the
cent, one ledger entry, one line of history and each message once. It returns the seconds
from the kill to the journey's end (the recovery time).
"""

from __future__ import annotations

import asyncio
import hashlib
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import (
    ScheduleActionExecutionStartWorkflow,
    ScheduleHandle,
    WorkflowExecutionStatus,
    WorkflowHandle,
)

from bank.adapters.billers import SimulatedBillers
from bank.adapters.documents import DocumentStore, document_store_from_settings
from bank.core.db import session_factory
from bank.core.settings import WorkerSettings
from bank.credit.charges import ChargeBasis, ChargeRule, ChargeTiming
from bank.credit.disbursement import entry_key
from bank.credit.simulation import LoanTerms
from bank.models import Account, CivilStatus, Loan, Member, MoneyMovement, MovementStatus
from bank.notifications.mailbox import read_mailbox
from bank.payments.authorisations import record_authorisation
from bank.payments.orders import MovementKind, Order
from bank.signing.contracts import DocumentRef
from tests import factories
from tests.api.movement_support import make_member
from tests.bank.messaging_support import SECRET
from tests.factories import monthly_authorisation
from tests.faults.crash_support import POINTS, Rig, doomed_worker
from tests.faults.disbursement_driver import DisbursementDriver, DriverInput, DriverResult
from tests.faults.invariants import entries_by_key, outbox_counts
from tests.workflows.schedule_support import Authorisation, production_schedule, records
from workflows.credit import calls as act
from workflows.movement.contract import Confirmation, MovementInput, Status, workflow_id
from workflows.movement.workflow import MovementWorkflow
from workflows.scheduled_payment.contract import schedule_id

FINISH_WITHIN = 120.0
"""Seconds the rescuer gets (the credit's lost attempt alone times out after 60 s)."""


@dataclass(frozen=True)
class Contact:
    member_id: int
    account_id: int
    account_number: str
    email: str
    mobile: str


def contact(sessions: sessionmaker[Session], member_id: int, account_id: int) -> Contact:
    with sessions() as session:
        member, account = session.get(Member, member_id), session.get(Account, account_id)
        assert member is not None and member.email and member.mobile and account is not None
        return Contact(member_id, account_id, account.number, member.email, member.mobile)


def balance(sessions: sessionmaker[Session], account_id: int) -> int:
    with sessions() as session:
        account = session.get(Account, account_id)
        assert account is not None
        return account.balance_cents


def messages_to(sessions: sessionmaker[Session], *people: Contact) -> Counter[tuple[str, str, str]]:
    """The outbox rows addressed to these people: (channel, recipient, template) → count."""
    mine = {p.email for p in people} | {p.mobile for p in people}
    return Counter({k: n for k, n in outbox_counts(sessions).items() if k[1] in mine})


def delivered_to(rig: Rig, person: Contact) -> Counter[str]:
    """What reached this person's inbox or phone, by channel."""
    return Counter(
        entry.channel
        for entry in read_mailbox(rig.mailbox, limit=10_000)
        if entry.to in (person.email, person.mobile)
    )


async def completed(handle: WorkflowHandle[Any, Any]) -> None:
    assert (await handle.describe()).status == WorkflowExecutionStatus.COMPLETED


async def sms_code(rig: Rig, mobile: str) -> str:
    """The code of the one SMS the member received."""
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        codes = [e.otp_code for e in read_mailbox(rig.mailbox, to=mobile) if e.otp_code]
        if codes:
            [code] = codes
            return code
        await asyncio.sleep(0.2)
    raise AssertionError(f"no SMS code reached {mobile}")


# --- a transfer -----------------------------------------------------------------------------

TRANSFER_CENTS, TRANSFER_DEBIT = 600, 641
"""$6.00 to another member's account; $6.41 debited with the commission and its IVA."""


async def transfer(rig: Rig, point: str) -> float:
    """Ana sends Beto $6.00; the worker dies at ``point`` during the confirmation."""
    sessions = session_factory(rig.engine)
    tag = f"{point}-{uuid.uuid4().hex[:6]}"
    with sessions.begin() as session:
        ana = make_member(session, f"ana-{tag}", 10_000)
        beto = make_member(session, f"beto-{tag}", 0)
    payer = contact(sessions, ana.member_id, ana.savings_id)
    order = Order(
        MovementKind.COOP_TRANSFER,
        ana.member_id,
        ana.savings,
        amount_cents=TRANSFER_CENTS,
        destination_account=beto.savings,
    )
    key = uuid.uuid4().hex
    wid = workflow_id(ana.member_id, key)
    client = rig.env.client
    async with doomed_worker(rig, point) as doomed:
        handle = await client.start_workflow(
            MovementWorkflow.run,
            MovementInput(order, order.digest(), key),
            id=wid,
            task_queue=doomed.task_queue,
        )
        preview = await handle.execute_update(MovementWorkflow.preview, order.digest())
        assert preview.status is Status.AWAITING_OTP
        assert preview.preview is not None and preview.preview.total_cents == TRANSFER_DEBIT
        code = await sms_code(rig, payer.mobile)
        # The member's "Confirmar": its answer is lost with the worker, then comes back.
        confirming = asyncio.create_task(
            handle.execute_update(MovementWorkflow.confirm, Confirmation(code))
        )
        await doomed.death()
        async with doomed.rescuer():
            final = await asyncio.wait_for(handle.result(), FINISH_WITHIN)
            answer = await asyncio.wait_for(confirming, FINISH_WITHIN)
            recovery = doomed.recovered_in()
    assert final.status is Status.COMPLETED and answer.status is Status.COMPLETED
    await completed(handle)
    assert balance(sessions, ana.savings_id) == 10_000 - TRANSFER_DEBIT
    assert balance(sessions, beto.savings_id) == TRANSFER_CENTS
    assert entries_by_key(sessions, wid) == {f"{wid}:post": 1}
    with sessions() as session:
        moved = session.scalars(select(MoneyMovement).where(MoneyMovement.workflow_id == wid))
        assert [(m.status, m.entry_id) for m in moved] == [
            (MovementStatus.COMPLETED, final.entry_id)
        ]
    assert messages_to(sessions, payer) == {("SMS", payer.mobile, "otp"): 1}
    assert delivered_to(rig, payer) == {"sms": 1}
    return recovery


# --- a scheduled payment run ----------------------------------------------------------------

WATER, BILL_CENTS, RUN_DEBIT = "EPMAPS", 2_345, 2_345 + 31 + 5
"""A $23.45 water bill; $0.31 commission and $0.05 IVA on top."""


async def scheduled_run(rig: Rig, point: str) -> float:
    """Sol's monthly water bill is paid by its Schedule; the worker dies at ``point``."""
    sessions = session_factory(rig.engine)
    billers = SimulatedBillers(sessions)
    supply = f"76543{POINTS.index(point)}1"  # one bill per scenario
    tag = f"{point}-{uuid.uuid4().hex[:6]}"
    with sessions.begin() as session:
        sol = make_member(session, f"sol-{tag}", 10_000)
        terms = monthly_authorisation(sol.savings, WATER, supply, 5_000)
        row = record_authorisation(session, sol.member_id, terms, origin=f"fault-{tag}")
        payment_id = row.id
    payer = contact(sessions, sol.member_id, sol.savings_id)
    receipt = billers.issue_bill(WATER, supply, BILL_CENTS)
    auth = Authorisation(payment_id, sol.member_id, sol.savings_id, payer.email, tag)
    client = rig.env.client
    async with doomed_worker(rig, point) as doomed:
        schedule = await client.create_schedule(
            f"{schedule_id(payment_id)}-{tag}", production_schedule(auth, doomed.task_queue)
        )
        try:
            await schedule.trigger()
            run = client.get_workflow_handle(await _run_id(schedule))
            await doomed.death()
            async with doomed.rescuer():
                outcome = await asyncio.wait_for(run.result(), FINISH_WITHIN)
                recovery = doomed.recovered_in()
        finally:
            await schedule.delete()
    assert outcome == "PAGADO"
    await completed(run)
    assert balance(sessions, sol.savings_id) == 10_000 - RUN_DEBIT
    assert entries_by_key(sessions, run.id) == {f"{run.id}:post": 1}
    assert [(r.outcome, r.amount_cents) for r in records(sessions, payment_id)] == [
        ("PAGADO", BILL_CENTS)
    ]
    # The water company was told, once, by this run: its bill is no longer owed.
    bill = billers.receipt_status(WATER, receipt.number)
    assert bill is not None and bill.paid_reference == run.id
    with sessions() as session:
        moved = session.scalars(select(MoneyMovement).where(MoneyMovement.workflow_id == run.id))
        assert [m.status for m in moved] == [MovementStatus.COMPLETED]
    assert messages_to(sessions, payer) == {}
    return recovery


async def _run_id(schedule: ScheduleHandle) -> str:
    """The workflow ID of the run the trigger started."""
    for _ in range(100):
        info = (await schedule.describe()).info
        for action in [*info.running_actions, *(a.action for a in info.recent_actions)]:
            if isinstance(action, ScheduleActionExecutionStartWorkflow):
                return action.workflow_id
        await asyncio.sleep(0.1)
    raise AssertionError("the Schedule started no run")


# --- the credit disbursement ----------------------------------------------------------------

LOAN_CENTS, NET_CENTS = 990_000, 990_000 - 9_900 - 1_485
"""$9,900.00 at 24 months; a 1% commission ($99.00) and its 15% IVA ($14.85) withheld."""
FEE = ChargeRule("COMISION", "Comisión por desembolso", ChargeBasis.PERCENT, "0.01",
                 ChargeTiming.DISBURSEMENT, iva=True)  # fmt: skip
TERMS = LoanTerms("0.1583", "FRENCH", "30/360", "0.0005")


def document_store(rig: Rig) -> DocumentStore:
    """The store both workers use (``production_activities``' settings)."""
    settings = WorkerSettings(secret_key=SECRET, document_dir=rig.folder / "documents")
    return document_store_from_settings(settings)


def signed_documents(rig: Rig, tag: str) -> tuple[DocumentRef, ...]:
    """Two sealed PDFs in the document store (the email attaches them, checked by SHA-256)."""
    refs = []
    for kind in ("PAGARE", "TABLA_AMORTIZACION"):
        data = f"%PDF-1.7\n% {kind} {tag}\n%%EOF\n".encode()
        stored = document_store(rig).put(f"credit/{tag}/{kind}.pdf", data, "application/pdf")
        refs.append(DocumentRef(kind, stored.key, hashlib.sha256(data).hexdigest(), len(data)))
    return tuple(refs)


async def disbursement(rig: Rig, point: str) -> float:
    """Nancy's signed credit is disbursed; the worker dies at ``point``."""
    sessions = session_factory(rig.engine)
    tag = f"{point}-{uuid.uuid4().hex[:6]}"
    with sessions.begin() as session:
        nancy = factories.make_member(session, first_names="NANCY", civil_status=CivilStatus.CASADO)
        spouse = factories.make_member(session, first_names="JUAN", civil_status=CivilStatus.CASADO)
        nancy.spouse_id, spouse.spouse_id = spouse.id, nancy.id
        savings = factories.make_account(session, nancy)
        ids = nancy.id, spouse.id, savings.id
    borrower = contact(sessions, ids[0], ids[2])
    with sessions() as session:
        spouse_row = session.get(Member, ids[1])
        assert spouse_row is not None and spouse_row.email and spouse_row.mobile
        partner = Contact(ids[1], 0, "", spouse_row.email, spouse_row.mobile)
    wid = f"credit-PRE2026-{borrower.member_id}-{tag}"
    request = DriverInput(
        act.DisburseInput(
            wid, 1, borrower.member_id, "PRE2026", "CREDITO PREAPROBADO", LOAN_CENTS, 24,
            TERMS, (FEE,),
        ),
        (
            act.LinkRecipient("MEMBER", borrower.member_id, "NANCY", borrower.email),
            act.LinkRecipient("SPOUSE", partner.member_id, "JUAN", partner.email),
        ),
        signed_documents(rig, tag),
    )  # fmt: skip
    async with doomed_worker(rig, point) as doomed:
        handle = await rig.env.client.start_workflow(
            DisbursementDriver.run, request, id=wid, task_queue=doomed.task_queue
        )
        await doomed.death()
        async with doomed.rescuer():
            result = await asyncio.wait_for(handle.result(), FINISH_WITHIN)
            recovery = doomed.recovered_in()
    await completed(handle)
    with sessions() as session:
        loans = session.scalars(select(Loan).where(Loan.origin == wid)).all()
        assert [(loan.number, loan.amount_cents) for loan in loans] == [
            (result.loan_number, LOAN_CENTS)
        ]
    assert result == DriverResult(result.loan_number, NET_CENTS, 2)
    assert balance(sessions, borrower.account_id) == NET_CENTS
    assert entries_by_key(sessions, f"credit:{wid}:") == {entry_key(wid, 1): 1}
    template = "credit_documents_signed"
    assert messages_to(sessions, borrower, partner) == {
        ("EMAIL", borrower.email, template): 1,
        ("EMAIL", partner.email, template): 1,
    }
    assert delivered_to(rig, borrower) == {"email": 1}
    assert delivered_to(rig, partner) == {"email": 1}
    return recovery


JOURNEYS = {"transfer": transfer, "scheduled_run": scheduled_run, "disbursement": disbursement}
