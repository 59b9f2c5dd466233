"""CardPinChangeWorkflow on the time-skipping server with its real activities on the database.

The member's code is read from the SMS the simulator wrote, as the member would; the PIN is
checked by its digest in ``card_pins``.
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
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from activities.card_pins import CardPinActivities
from bank.cards import pins
from bank.models import Card, CardKind, CardPin, utcnow
from bank.notifications.mailbox import read_mailbox
from tests import factories
from tests.bank.messaging_support import SECRET, Clock, dispatcher
from tests.support.histories import CARD_PIN_CHANGED
from workflows.card_pin.contract import (
    Confirmation,
    PinChangeInput,
    PinChangeState,
    Status,
    workflow_id,
)
from workflows.card_pin.workflow import CardPinChangeWorkflow
from workflows.search_attributes import JOURNEY_STATUS, MEMBER_ID

HISTORY = CARD_PIN_CHANGED  # replayed by tests/replay/


class Bench:
    """A member with a debit card whose PIN is 4821, and the SMS mailbox."""

    def __init__(self, sessions: sessionmaker[Session], mailbox: Path) -> None:
        self.sessions, self.mailbox = sessions, mailbox
        with sessions.begin() as session:
            member = factories.make_member(session)
            card = factories.make_card(
                session, member, CardKind.DEBIT, masked_number="550975XXXXXX7023"
            )
            pins.set_initial(session, SECRET, card, "4821")
            self.member_id, self.card_id, self.mobile = member.id, card.id, member.mobile

    def digest(self, pin: str) -> str:
        with self.sessions.begin() as session:
            card = session.get(Card, self.card_id)
            assert card is not None
            return pins.pin_digest(SECRET, card, pin)

    def request(self, previous: str, new: str) -> PinChangeInput:
        return PinChangeInput(self.member_id, self.card_id, self.digest(previous), self.digest(new))

    def stored(self) -> CardPin:
        with self.sessions.begin() as session:
            row = session.get(CardPin, self.card_id)
            assert row is not None
            session.expunge(row)
            return row

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
    acts = CardPinActivities(bench.sessions, secret_key=SECRET, deliver=deliver, clock=utcnow)
    with ThreadPoolExecutor(4) as pool:
        async with Worker(
            env.client,
            task_queue=task_queue,
            workflows=[CardPinChangeWorkflow],
            activities=acts.all(),
            activity_executor=pool,
        ):
            yield


async def start(
    env: WorkflowEnvironment, task_queue: str, request: PinChangeInput
) -> tuple[WorkflowHandle[CardPinChangeWorkflow, PinChangeState], PinChangeState]:
    handle = await env.client.start_workflow(
        CardPinChangeWorkflow.run,
        request,
        id=workflow_id(request.card_id),
        task_queue=task_queue,
    )
    return handle, await handle.execute_update(CardPinChangeWorkflow.prepared)


async def test_right_previous_pin_then_the_sms_code_sets_the_new_pin(
    time_skipping_env, task_queue, bench
):
    async with worker(time_skipping_env, task_queue, bench):
        handle, state = await start(time_skipping_env, task_queue, bench.request("4821", "2649"))
        assert state.status is Status.AWAITING_OTP
        assert state.otp_sent_to == f"09XXXXX{bench.mobile[-3:]}"
        code, text = bench.last_sms()
        assert f"Cooprogreso: {code} es tu código para cambiar la clave de tu tarjeta XXXX7023" in (
            text
        )
        wrong = "000000" if code != "000000" else "111111"
        after_wrong = await handle.execute_update(
            CardPinChangeWorkflow.confirm, Confirmation(wrong)
        )
        assert (after_wrong.status, after_wrong.otp_attempts_left) == (Status.AWAITING_OTP, 4)
        assert bench.stored().pin_digest == bench.digest("4821")  # nothing changed yet
        done = await handle.execute_update(CardPinChangeWorkflow.confirm, Confirmation(code))
        assert done.status is Status.CHANGED
        assert await handle.result() == done
        row = bench.stored()
        assert row.pin_digest == bench.digest("2649") and not row.temporary
        described = await handle.describe()
        attributes = described.typed_search_attributes
        assert attributes.get(JOURNEY_STATUS) == "CHANGED"
        assert attributes.get(MEMBER_ID) == str(bench.member_id)
        history = await handle.fetch_history()
    assert "4821" not in history.to_json() and "2649" not in history.to_json()


async def test_three_wrong_previous_pins_block_the_card_and_send_no_code(
    time_skipping_env, task_queue, bench
):
    async with worker(time_skipping_env, task_queue, bench):
        seen = []
        for _ in range(3):
            handle, state = await start(
                time_skipping_env, task_queue, bench.request("7394", "2649")
            )
            assert state.status is Status.REFUSED and state.refusal is not None
            seen.append((state.refusal.code, state.pin_attempts_left))
            await handle.result()
        # The right PIN no longer helps: only "Recuperar clave" unblocks.
        _, state = await start(time_skipping_env, task_queue, bench.request("4821", "2649"))
    assert seen == [
        ("CLAVE_ANTERIOR_INCORRECTA", 2),
        ("CLAVE_ANTERIOR_INCORRECTA", 1),
        ("CLAVE_BLOQUEADA", 0),
    ]
    assert state.refusal is not None and state.refusal.code == "CLAVE_BLOQUEADA"
    assert bench.stored().blocked_at is not None
    assert read_mailbox(bench.mailbox) == []


async def test_an_unanswered_code_expires_and_a_cancelled_change_changes_nothing(
    time_skipping_env, task_queue, bench
):
    async with worker(time_skipping_env, task_queue, bench):
        handle, _ = await start(time_skipping_env, task_queue, bench.request("4821", "2649"))
        await time_skipping_env.sleep(timedelta(minutes=6))
        expired = await handle.result()
        assert expired.status is Status.EXPIRED
        handle, _ = await start(time_skipping_env, task_queue, bench.request("4821", "2649"))
        cancelled = await handle.execute_update(CardPinChangeWorkflow.cancel)
        assert cancelled.status is Status.CANCELLED
        assert (await handle.result()).status is Status.CANCELLED
        _, state = await start(time_skipping_env, task_queue, bench.request("4821", "2649"))
        assert state.status is Status.AWAITING_OTP  # a new change after a cancelled one
        handle = time_skipping_env.client.get_workflow_handle(workflow_id(bench.card_id))
        with pytest.raises(WorkflowUpdateFailedError):  # a code of the wrong shape
            await handle.execute_update(CardPinChangeWorkflow.confirm, Confirmation("12"))
    assert bench.stored().pin_digest == bench.digest("4821")


@pytest.mark.skipif(
    not os.environ.get("COOP_RECORD_HISTORIES"), reason="set COOP_RECORD_HISTORIES=1 to re-record"
)
async def test_record_changed_history(time_skipping_env, task_queue, bench):
    """Re-record the committed history (only when the workflow changes on purpose)."""
    async with worker(time_skipping_env, task_queue, bench):
        handle, _ = await start(time_skipping_env, task_queue, bench.request("4821", "2649"))
        code, _ = bench.last_sms()
        wrong = "000000" if code != "000000" else "111111"
        await handle.execute_update(CardPinChangeWorkflow.confirm, Confirmation(wrong))
        await handle.execute_update(CardPinChangeWorkflow.confirm, Confirmation(code))
        await handle.result()
        history = await handle.fetch_history()
    HISTORY.parent.mkdir(parents=True, exist_ok=True)
    HISTORY.write_text(history.to_json() + "\n")
