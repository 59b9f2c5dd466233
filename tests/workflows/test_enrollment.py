"""EnrollmentWorkflow on the time-skipping server, activities replaced by name with fakes."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager

import pytest
from temporalio import activity
from temporalio.client import WorkflowHandle, WorkflowUpdateFailedError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from bank.access.security import temporary_password
from tests.support.histories import ENROLLMENT_HAPPY
from workflows.enrollment.contract import (
    FIND_MEMBER,
    ISSUE_CREDENTIALS,
    MAX_ATTEMPTS,
    SEND_CODE,
    VERIFY_CODE,
    CodeOutcome,
    CodeSubmission,
    Credentials,
    EnrollmentInput,
    EnrollmentState,
    FindMemberInput,
    IssueCredentialsInput,
    MemberLookup,
    Outcome,
    SendCodeInput,
    Status,
    VerifyCodeInput,
    VerifyCodeResult,
    workflow_id,
)
from workflows.enrollment.workflow import EnrollmentWorkflow
from workflows.search_attributes import JOURNEY_STATUS, MEMBER_ID

HISTORY = ENROLLMENT_HAPPY  # replayed by tests/replay/
HAPPY_ID = workflow_id("1710034065")
RIGHT_CODE = "123456"


class FakeCore:
    """Stands in for the database, the OTP service and the outbox (one member, id 42)."""

    def __init__(self, *, known: bool = True) -> None:
        self.known = known
        self.codes_sent: list[SendCodeInput] = []
        self.tries_left = MAX_ATTEMPTS
        self.issued: list[IssueCredentialsInput] = []
        self.emails: list[dict[str, str]] = []

    @activity.defn(name=FIND_MEMBER)
    async def find_member(self, request: FindMemberInput) -> MemberLookup:
        if not self.known:
            return MemberLookup(member_id=None, eligible=False, reason="NOT_FOUND")
        return MemberLookup(member_id=42, eligible=True)

    @activity.defn(name=SEND_CODE)
    async def send_code(self, request: SendCodeInput) -> str:
        self.codes_sent.append(request)
        return "challenge-1"

    @activity.defn(name=VERIFY_CODE)
    async def verify_code(self, request: VerifyCodeInput) -> VerifyCodeResult:
        if request.code == RIGHT_CODE:
            return VerifyCodeResult(valid=True, attempts_left=self.tries_left)
        self.tries_left -= 1
        return VerifyCodeResult(valid=False, attempts_left=self.tries_left)

    @activity.defn(name=ISSUE_CREDENTIALS)
    async def issue_credentials(self, request: IssueCredentialsInput) -> Credentials:
        # The real activity creates the user and queues this email in one transaction.
        self.issued.append(request)
        self.emails.append({"username": "mgomez01", "password": temporary_password()})
        return Credentials(username="mgomez01", reset=False)

    def all(self) -> list[Callable[..., object]]:
        return [self.find_member, self.send_code, self.verify_code, self.issue_credentials]


@asynccontextmanager
async def enrollment(
    env: WorkflowEnvironment, task_queue: str, core: FakeCore, wid: str | None = None
) -> AsyncIterator[WorkflowHandle[EnrollmentWorkflow, EnrollmentState]]:
    """Start a worker with the fakes and one enrollment; yield its handle."""
    async with Worker(
        env.client, task_queue=task_queue, workflows=[EnrollmentWorkflow], activities=core.all()
    ):
        handle = await env.client.start_workflow(
            EnrollmentWorkflow.run,
            EnrollmentInput("CEDULA", "1710034065"),
            id=wid or f"{HAPPY_ID}-{task_queue}",
            task_queue=task_queue,
        )
        yield handle


async def submit(
    handle: WorkflowHandle[EnrollmentWorkflow, EnrollmentState], code: str
) -> CodeOutcome:
    return await handle.execute_update(EnrollmentWorkflow.submit_code, CodeSubmission(code))


async def test_right_code_creates_user_and_emails_temporary_password(time_skipping_env, task_queue):
    core = FakeCore()
    async with enrollment(time_skipping_env, task_queue, core) as handle:
        assert await submit(handle, "000000") == CodeOutcome(Outcome.WRONG_CODE, 4)
        assert await submit(handle, RIGHT_CODE) == CodeOutcome(Outcome.COMPLETED, 4)
        result = await handle.result()
        history = await handle.fetch_history()
        described = await handle.describe()

    assert result.status is Status.COMPLETED and result.username == "mgomez01"
    assert [i.member_id for i in core.issued] == [42]
    assert len(core.codes_sent) == 1 and core.codes_sent[0].reference.startswith(handle.id)
    # The password went by email only: it never appears in the workflow's history.
    password = core.emails[0]["password"]
    assert password not in history.to_json()
    assert described.typed_search_attributes.get(JOURNEY_STATUS) == "COMPLETED"
    assert described.typed_search_attributes.get(MEMBER_ID) == "42"


async def test_five_wrong_codes_fail_the_enrollment(time_skipping_env, task_queue):
    core = FakeCore()
    async with enrollment(time_skipping_env, task_queue, core) as handle:
        outcomes = [await submit(handle, f"00000{i}") for i in range(MAX_ATTEMPTS)]
        result = await handle.result()

    assert [o.attempts_left for o in outcomes] == [4, 3, 2, 1, 0]
    assert [o.outcome for o in outcomes] == [Outcome.WRONG_CODE] * 4 + [Outcome.FAILED]
    assert result.status is Status.FAILED and result.reason == "TOO_MANY_ATTEMPTS"
    assert core.issued == []


async def test_no_code_for_five_minutes_expires(time_skipping_env, task_queue):
    core = FakeCore()
    async with enrollment(time_skipping_env, task_queue, core) as handle:
        result = await handle.result()  # the test server skips the 5-minute timer
        history = await handle.fetch_history()

    assert result.status is Status.EXPIRED and result.outcome is Outcome.EXPIRED
    assert core.issued == []
    timers = [e for e in history.events if e.HasField("timer_started_event_attributes")]
    assert timers[0].timer_started_event_attributes.start_to_fire_timeout.seconds == 300


async def test_validator_rejects_malformed_code_before_history(time_skipping_env, task_queue):
    core = FakeCore()
    async with enrollment(time_skipping_env, task_queue, core) as handle:
        with pytest.raises(WorkflowUpdateFailedError):
            await submit(handle, "12ab")
        assert await submit(handle, RIGHT_CODE) == CodeOutcome(Outcome.COMPLETED, 5)
        history = await handle.fetch_history()

    accepted = [
        e.workflow_execution_update_accepted_event_attributes.accepted_request.input
        for e in history.events
        if e.HasField("workflow_execution_update_accepted_event_attributes")
    ]
    assert len(accepted) == 1  # only the right code; "12ab" left no trace
    assert "12ab" not in history.to_json()


async def test_unknown_identification_looks_like_a_member_with_wrong_codes(
    time_skipping_env, task_queue
):
    member, stranger = FakeCore(), FakeCore(known=False)
    async with enrollment(time_skipping_env, task_queue, member, "enroll-m") as handle:
        seen_by_member = [await submit(handle, "000000") for _ in range(MAX_ATTEMPTS)]
    async with enrollment(time_skipping_env, task_queue, stranger, "enroll-s") as handle:
        seen_by_stranger = [await submit(handle, "000000") for _ in range(MAX_ATTEMPTS)]
        result = await handle.result()

    assert seen_by_stranger == seen_by_member
    assert result.status is Status.NOT_ELIGIBLE and result.reason == "NOT_FOUND"
    assert stranger.codes_sent == []


@pytest.mark.skipif(
    not os.environ.get("COOP_RECORD_HISTORIES"), reason="set COOP_RECORD_HISTORIES=1 to re-record"
)
async def test_record_happy_history(time_skipping_env, task_queue):
    """Re-record the committed history (only when the workflow changes on purpose)."""
    async with enrollment(time_skipping_env, task_queue, FakeCore(), HAPPY_ID) as handle:
        await submit(handle, "000000")
        await submit(handle, RIGHT_CODE)
        await handle.result()
        history = await handle.fetch_history()
    HISTORY.parent.mkdir(parents=True, exist_ok=True)
    HISTORY.write_text(history.to_json() + "\n")
