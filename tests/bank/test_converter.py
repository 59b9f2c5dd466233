"""The data converter: pydantic JSON round trips, and one TypeAdapter per type for the
process: a workflow run after the first builds no pydantic schema again."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime

import pydantic._internal._generate_schema as generate
import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter
from temporalio.worker import Replayer

from bank.core.temporal import DATA_CONVERTER
from bank.payments.orders import MovementKind
from tests.support import histories
from workflows.movement.contract import MovementState, Status
from workflows.movement.workflow import MovementWorkflow


def state() -> MovementState:
    return MovementState(
        status=Status.AWAITING_OTP,
        kind=MovementKind.COOP_TRANSFER,
        order_digest="d" * 64,
        otp_expires_at=datetime(2026, 12, 7, 15, 0, tzinfo=UTC),
    )


def test_a_movement_state_round_trips() -> None:
    payloads = DATA_CONVERTER.payload_converter.to_payloads([state()])
    (back,) = DATA_CONVERTER.payload_converter.from_payloads(payloads, [MovementState])
    assert back == state()


@pytest.fixture
def schemas_built(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[object]]:
    """Every pydantic schema generation, as it happens."""
    built: list[object] = []
    original = generate.GenerateSchema.generate_schema

    def counting(self: generate.GenerateSchema, obj: object, *args: object) -> object:
        built.append(obj)
        return original(self, obj, *args)

    monkeypatch.setattr(generate.GenerateSchema, "generate_schema", counting)
    yield built


async def replays(converter: DataConverter, built: list[object], times: int) -> list[int]:
    """Schema generations of each replay of the committed movement history."""
    text = histories.MOVEMENT_INTERBANK_LOCAL_STEPS.read_text()
    replayer = Replayer(workflows=[MovementWorkflow], data_converter=converter)
    counts = []
    for _ in range(times):
        built.clear()
        await replayer.replay_workflow(
            WorkflowHistory.from_json(histories.MOVEMENT_INTERBANK_ID, text)
        )
        counts.append(len(built))
    return counts


async def test_a_workflow_run_after_the_first_builds_no_schema(
    schemas_built: list[object],
) -> None:
    counts = await replays(DATA_CONVERTER, schemas_built, 3)
    assert counts[1:] == [0, 0]


async def test_the_stock_converter_builds_them_for_every_run(schemas_built: list[object]) -> None:
    """Why ``bank.core.converter`` exists: if this starts failing, the SDK caches on its own."""
    counts = await replays(pydantic_data_converter, schemas_built, 3)
    assert min(counts) > 0
