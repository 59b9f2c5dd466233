"""CardDeferralWorkflow on the time-skipping server with its real activities on the database.

The member's code is read from the SMS the simulator wrote, as the member would; what moves
is read from the card's counters and its ledger accounts.
"""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.card_deferrals import CardDeferralActivities
from bank.cards import books
from bank.cards.config import CardSettings
from bank.cards.purchases import record_purchase
from bank.models import Card, CardKind, DeferralInstallment, utcnow
from bank.notifications.mailbox import read_mailbox
from tests import factories
from tests.bank.messaging_support import SECRET, Clock, dispatcher
from tests.support.histories import CARD_DEFERRAL_DEFERRED
from workflows.card_deferral.contract import (
    Confirmation,
    DeferralInput,
    DeferralState,
    Status,
    workflow_id,
)
from workflows.card_deferral.workflow import CardDeferralWorkflow
from workflows.search_attributes import JOURNEY_STATUS, MEMBER_ID, OPERATION_KIND

HISTORY = CARD_DEFERRAL_DEFERRED  # replayed by tests/replay/
RULES = CardSettings().rules()


class Bench:
    """A member with a credit card (cupo $5,000.00) and one purchase of $1,200.00."""

    def __init__(self, sessions: sessionmaker[Session], mailbox: Path) -> None:
        self.sessions, self.mailbox = sessions, mailbox
        with sessions.begin() as session:
            member = factories.make_member(session)
            card = factories.make_card(
                session,
                member,
                CardKind.CREDIT,
                masked_number="513744XXXXXX0395",
                limit_cents=500_000,
            )
            purchase = record_purchase(
                session, card, "net-1", "Computron Quicentro", 120_000, utcnow()
            )
            self.member_id, self.card_id, self.mobile = member.id, card.id, member.mobile
            self.purchase_id = purchase.id

    def request(self, amount_cents: int = 120_000, term: int = 12) -> DeferralInput:
        return DeferralInput(self.member_id, self.card_id, self.purchase_id, amount_cents, term)

    def card(self) -> tuple[int, int, int]:
        """(revolving, deferred, available) in cents."""
        with self.sessions.begin() as session:
            card = session.get(Card, self.card_id)
            assert card is not None
            assert books.reconcile_cards(session) == []
            return card.revolving_used_cents, card.deferred_used_cents, card.available_credit_cents

    def rows(self) -> int:
        with self.sessions.begin() as session:
            return session.query(DeferralInstallment).count()

    def last_sms(self) -> tuple[str, str]:
        [sms, *_] = [m for m in read_mailbox(self.mailbox) if m.to == self.mobile]
        assert sms.otp_code is not None
        return sms.otp_code, sms.text


@pytest.fixture
def bench(sessions: sessionmaker[Session], tmp_path: Path) -> Bench:
    return Bench(sessions, tmp_path / "mailbox")


@asynccontextmanager
async def worker(env: WorkflowEnvironment, task_queue: str, bench: Bench) -> AsyncIterator[None]:
    deliver = dispatcher(bench.sessions, bench.mailbox, clock=Clock()).deliver_now
    acts = CardDeferralActivities(
        bench.sessions, rules=RULES, secret_key=SECRET, deliver=deliver, clock=utcnow
    )
    with ThreadPoolExecutor(4) as pool:
        async with Worker(
            env.client,
            task_queue=task_queue,
            workflows=[CardDeferralWorkflow],
            activities=acts.all(),
            activity_executor=pool,
        ):
            yield


async def start(
    env: WorkflowEnvironment, task_queue: str, request: DeferralInput
) -> tuple[WorkflowHandle[CardDeferralWorkflow, DeferralState], DeferralState]:
    handle = await env.client.start_workflow(
        CardDeferralWorkflow.run,
        request,
        id=workflow_id(request.card_id),
        task_queue=task_queue,
        id_conflict_policy=WorkflowIDConflictPolicy.TERMINATE_EXISTING,  # as the API starts it
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
    )
    return handle, await handle.execute_update(CardDeferralWorkflow.prepared)


def wrong(code: str) -> str:
    return "000000" if code != "000000" else "111111"


async def test_the_sms_code_defers_the_purchase_and_keeps_the_available_credit(
    time_skipping_env, task_queue, bench
):
    before = bench.card()
    async with worker(time_skipping_env, task_queue, bench):
        handle, state = await start(time_skipping_env, task_queue, bench.request(100_000, 12))
        assert state.status is Status.AWAITING_OTP
        assert state.otp_sent_to == f"09XXXXX{bench.mobile[-3:]}"
        assert state.installment_cents == 9_026  # $1,000.00 at 15% over 12 months
        code, text = bench.last_sms()
        assert (
            "es tu código para diferir $1,000.00 de COMPUTRON QUICENTRO a 12 meses "
            "en tu tarjeta XXXX0395"
        ) in text
        after_wrong = await handle.execute_update(
            CardDeferralWorkflow.confirm, Confirmation(wrong(code))
        )
        assert (after_wrong.status, after_wrong.otp_attempts_left) == (Status.AWAITING_OTP, 4)
        assert bench.card() == before  # nothing moved yet
        done = await handle.execute_update(CardDeferralWorkflow.confirm, Confirmation(code))
        assert done.status is Status.DEFERRED and done.deferral_id > 0
        assert await handle.result() == done
        attributes = (await handle.describe()).typed_search_attributes
    assert attributes.get(JOURNEY_STATUS) == "DEFERRED"
    assert attributes.get(MEMBER_ID) == str(bench.member_id)
    assert attributes.get(OPERATION_KIND) == "CARD_DEFERRAL"
    assert before == (120_000, 0, 380_000)
    assert bench.card() == (20_000, 100_000, 380_000)
    assert bench.rows() == 12


async def test_a_deferred_purchase_cannot_be_deferred_again(time_skipping_env, task_queue, bench):
    async with worker(time_skipping_env, task_queue, bench):
        handle, _ = await start(time_skipping_env, task_queue, bench.request(50_000, 3))
        code, _ = bench.last_sms()
        await handle.execute_update(CardDeferralWorkflow.confirm, Confirmation(code))
        _, again = await start(time_skipping_env, task_queue, bench.request(50_000, 6))
    assert again.status is Status.REFUSED and again.refusal is not None
    assert again.refusal.code == "CONSUMO_YA_DIFERIDO"
    assert bench.card() == (70_000, 50_000, 380_000)


async def test_five_wrong_codes_fail_and_an_unanswered_code_expires(
    time_skipping_env, task_queue, bench
):
    async with worker(time_skipping_env, task_queue, bench):
        handle, _ = await start(time_skipping_env, task_queue, bench.request())
        code, _ = bench.last_sms()
        for _ in range(5):
            state = await handle.execute_update(
                CardDeferralWorkflow.confirm, Confirmation(wrong(code))
            )
        assert state.status is Status.FAILED
        assert (await handle.result()).status is Status.FAILED  # the right code is too late
        handle, _ = await start(time_skipping_env, task_queue, bench.request())
        await time_skipping_env.sleep(timedelta(minutes=6))
        assert (await handle.result()).status is Status.EXPIRED
        handle, _ = await start(time_skipping_env, task_queue, bench.request())
        assert (await handle.execute_update(CardDeferralWorkflow.cancel)).status is (
            Status.CANCELLED
        )
        handle, _ = await start(time_skipping_env, task_queue, bench.request())
        with pytest.raises(WorkflowUpdateFailedError):  # a code of the wrong shape
            await handle.execute_update(CardDeferralWorkflow.confirm, Confirmation("12"))
    assert bench.card() == (120_000, 0, 380_000)
    assert bench.rows() == 0


async def test_a_term_not_offered_or_more_than_the_purchase_is_refused_without_a_code(
    time_skipping_env, task_queue, bench
):
    async with worker(time_skipping_env, task_queue, bench):
        _, term = await start(time_skipping_env, task_queue, bench.request(100_000, 7))
        _, amount = await start(time_skipping_env, task_queue, bench.request(120_001, 12))
    assert term.refusal is not None and term.refusal.code == "PLAZO_INVALIDO"
    assert amount.refusal is not None and amount.refusal.code == "MONTO_INVALIDO"
    assert read_mailbox(bench.mailbox) == []


@pytest.mark.skipif(
    not os.environ.get("COOP_RECORD_HISTORIES"), reason="set COOP_RECORD_HISTORIES=1 to re-record"
)
async def test_record_deferred_history(time_skipping_env, task_queue, bench):
    """Re-record the committed history (only when the workflow changes on purpose)."""
    async with worker(time_skipping_env, task_queue, bench):
        handle, _ = await start(time_skipping_env, task_queue, bench.request(100_000, 12))
        code, _ = bench.last_sms()
        await handle.execute_update(CardDeferralWorkflow.confirm, Confirmation(wrong(code)))
        await handle.execute_update(CardDeferralWorkflow.confirm, Confirmation(code))
        await handle.result()
        history = await handle.fetch_history()
    HISTORY.parent.mkdir(parents=True, exist_ok=True)
    HISTORY.write_text(history.to_json() + "\n")
