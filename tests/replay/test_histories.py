"""Every workflow replays its committed histories (``tests/fixtures/histories/``) unchanged.

This is the proof that a change to a workflow's code keeps running executions compatible
(``workflow.patched()`` where it must not be). A history is re-recorded only when a workflow
changes on purpose, by its recording test next to the scenario it records
(``COOP_RECORD_HISTORIES=1``): the movement's in ``tests/api/test_movement_history.py``, the
enrollment's in ``tests/workflows/test_enrollment.py``, the credit journey's in
``tests/workflows/test_credit_journey_signing.py``, the scheduled run's in
``tests/workflows/test_scheduled_run_history.py``, the card PIN change's in
``tests/workflows/test_card_pin.py``, the card deferral's in
``tests/workflows/test_card_deferral.py``, the monthly close's in
``tests/workflows/test_card_billing.py``.
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.worker import Replayer

from bank.core.temporal import DATA_CONVERTER
from tests.support import histories as h
from workflows.card_billing.workflow import CardBillingWorkflow
from workflows.card_deferral.workflow import CardDeferralWorkflow
from workflows.card_pin.workflow import CardPinChangeWorkflow
from workflows.credit.journey import CreditJourneyWorkflow
from workflows.enrollment.workflow import EnrollmentWorkflow
from workflows.movement.workflow import MovementWorkflow
from workflows.scheduled_payment.workflow import ScheduledPaymentRunWorkflow


@pytest.mark.parametrize(
    "path", [h.MOVEMENT_INTERBANK_REVERSED, h.MOVEMENT_INTERBANK_LOCAL_STEPS], ids=lambda p: p.stem
)
async def test_replay_of_committed_interbank_history_is_deterministic(path: Path) -> None:
    """An interbank transfer the SPI rejects: preview, a wrong code, posting, reversal
    (before and since the preview and posting became local activities)."""
    text = await asyncio.to_thread(path.read_text)
    history = WorkflowHistory.from_json(h.MOVEMENT_INTERBANK_ID, text)
    replayer = Replayer(workflows=[MovementWorkflow], data_converter=DATA_CONVERTER)
    await replayer.replay_workflow(history)


async def test_replay_of_committed_happy_enrollment_history_is_deterministic() -> None:
    """An enrollment: a wrong code, the right one, the user created."""
    history = WorkflowHistory.from_json(h.ENROLLMENT_HAPPY_ID, h.ENROLLMENT_HAPPY.read_text())
    replayer = Replayer(workflows=[EnrollmentWorkflow], data_converter=DATA_CONVERTER)
    await replayer.replay_workflow(history)


@pytest.mark.parametrize(
    "path", [h.CREDIT_JOURNEY_SPOUSE, h.CREDIT_JOURNEY_SPOUSE_BIOMETRICS], ids=lambda p: p.stem
)
async def test_replay_of_committed_spouse_history_is_deterministic(path: Path) -> None:
    """A credit journey signed by the member and the spouse, then disbursed (before and
    since the biometric consent and retention)."""
    text = await asyncio.to_thread(path.read_text)
    history = WorkflowHistory.from_json(h.CREDIT_JOURNEY_SPOUSE_ID, text)
    replayer = Replayer(workflows=[CreditJourneyWorkflow], data_converter=DATA_CONVERTER)
    await replayer.replay_workflow(history)


@pytest.mark.parametrize(
    "path",
    [h.SCHEDULED_RUN_PAID, h.SCHEDULED_RUN_PAID_UPSERTED],
    ids=["attributes-at-start", "upserted"],
)
async def test_replay_of_committed_paid_run_is_deterministic(path: Path) -> None:
    """A paid scheduled run, started by a Schedule that sets the search attributes and by an
    older one whose run sets them itself."""
    text = await asyncio.to_thread(path.read_text)
    history = WorkflowHistory.from_json(h.SCHEDULED_RUN_ID, text)
    replayer = Replayer(workflows=[ScheduledPaymentRunWorkflow], data_converter=DATA_CONVERTER)
    await replayer.replay_workflow(history)


async def test_replay_of_committed_card_pin_change_is_deterministic() -> None:
    """A card PIN change: the previous PIN checked, a wrong code, the right one, the PIN set."""
    text = await asyncio.to_thread(h.CARD_PIN_CHANGED.read_text)
    history = WorkflowHistory.from_json(h.CARD_PIN_CHANGED_ID, text)
    replayer = Replayer(workflows=[CardPinChangeWorkflow], data_converter=DATA_CONVERTER)
    await replayer.replay_workflow(history)


async def test_replay_of_committed_card_deferral_is_deterministic() -> None:
    """A purchase deferred to 12 months: checked, a wrong code, the right one, deferred."""
    text = await asyncio.to_thread(h.CARD_DEFERRAL_DEFERRED.read_text)
    history = WorkflowHistory.from_json(h.CARD_DEFERRAL_DEFERRED_ID, text)
    replayer = Replayer(workflows=[CardDeferralWorkflow], data_converter=DATA_CONVERTER)
    await replayer.replay_workflow(history)


async def test_replay_of_committed_card_billing_is_deterministic() -> None:
    """The close of one cycle: one page of cards, closed."""
    text = await asyncio.to_thread(h.CARD_BILLING_CLOSED.read_text)
    history = WorkflowHistory.from_json(h.CARD_BILLING_CLOSED_ID, text)
    replayer = Replayer(workflows=[CardBillingWorkflow], data_converter=DATA_CONVERTER)
    await replayer.replay_workflow(history)


REPLAYED = {
    MovementWorkflow: [h.MOVEMENT_INTERBANK_REVERSED, h.MOVEMENT_INTERBANK_LOCAL_STEPS],
    EnrollmentWorkflow: [h.ENROLLMENT_HAPPY],
    CreditJourneyWorkflow: [h.CREDIT_JOURNEY_SPOUSE, h.CREDIT_JOURNEY_SPOUSE_BIOMETRICS],
    ScheduledPaymentRunWorkflow: [h.SCHEDULED_RUN_PAID, h.SCHEDULED_RUN_PAID_UPSERTED],
    CardPinChangeWorkflow: [h.CARD_PIN_CHANGED],
    CardDeferralWorkflow: [h.CARD_DEFERRAL_DEFERRED],
    CardBillingWorkflow: [h.CARD_BILLING_CLOSED],
}
"""Every workflow type and the committed histories replayed above."""


def test_every_workflow_the_worker_runs_has_a_committed_history() -> None:
    """A new workflow type fails CI until a history of it is recorded and replayed here."""
    from workers.main import WORKFLOWS

    assert set(WORKFLOWS) == set(REPLAYED)
    for workflow_class, paths in REPLAYED.items():
        for path in paths:
            history = WorkflowHistory.from_json("check", path.read_text())
            started = history.events[0].workflow_execution_started_event_attributes
            assert started.workflow_type.name == workflow_class.__name__, path
