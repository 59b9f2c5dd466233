"""Enrollment in Cooprogreso en Línea ("Regístrate aquí", manual "Como afiliarte").

One workflow per identification, ID ``enroll-<identification>``: look the member up, send an
OTP by SMS to the registered mobile, wait up to 5 minutes for the code (Update
``submit_code``, at most 5 wrong codes), then create the user (or reset an existing one)
with a temporary password emailed to the registered address.

Privacy: an identification that is not a member's (or a member with no mobile or email on
file, or one who asked for too many codes) runs the same visible course: the workflow waits
for a code, counts wrong codes and expires, so neither the start nor the code answers tell
whether a cédula belongs to a member. Only officers see the real outcome (``NOT_ELIGIBLE``
with its reason) through the ``state`` Query and the ``JourneyStatus`` search attribute.

The temporary password never enters the workflow history: the activity that creates the
user writes the email to the notification outbox in the same transaction.

The activities' contracts (names and dataclasses) live here; ``activities/enrollment.py``
implements them. See ``docs/temporal.md`` for the state diagram.
"""

from __future__ import annotations

import asyncio
import contextlib
from datetime import datetime, timedelta

from temporalio import workflow
from temporalio.exceptions import ActivityError, ApplicationError

with workflow.unsafe.imports_passed_through():
    from workflows.enrollment.contract import (
        CODE_PATTERN,
        CODE_TTL,
        FIND_MEMBER,
        ISSUE_CREDENTIALS,
        MAX_ATTEMPTS,
        PATIENT,
        QUICK,
        SEND_CODE,
        TERMINAL,
        UPDATE_WAIT,
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
        refused,
    )
    from workflows.search_attributes import JOURNEY_STATUS, MEMBER_ID


@workflow.defn
class EnrollmentWorkflow:
    """Identification → OTP by SMS → code by Update → user and temporary password by email."""

    def __init__(self) -> None:
        self._status = Status.LOOKING_UP
        self._lookup = MemberLookup(member_id=None, eligible=False)
        self._challenge_id: str | None = None
        self._attempts_left = MAX_ATTEMPTS
        self._expires_at: datetime | None = None
        self._verified = False
        self._expired = False
        self._reason: str | None = None
        self._credentials: Credentials | None = None
        self._lock = asyncio.Lock()

    @workflow.run
    async def run(self, request: EnrollmentInput) -> EnrollmentState:
        """Drive one enrollment to a terminal status and return the final state."""
        self._set_status(Status.LOOKING_UP)
        try:
            await self._look_up(request)
            if await self._wait_for_code():
                await self._issue_credentials()
        except ActivityError as err:
            self._reason = "SYSTEM_ERROR"
            self._set_status(Status.FAILED)
            await workflow.wait_condition(workflow.all_handlers_finished)
            raise ApplicationError("enrollment stopped by a system error") from err
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.state()

    @workflow.query
    def state(self) -> EnrollmentState:
        """Everything an officer may want to know about this enrollment."""
        return EnrollmentState(
            status=self._status,
            outcome=self._outcome(),
            attempts_left=self._attempts_left,
            member_id=self._lookup.member_id,
            reason=self._reason,
            expires_at=self._expires_at,
            username=self._credentials.username if self._credentials else None,
            reset=self._credentials.reset if self._credentials else False,
        )

    @workflow.update
    async def submit_code(self, submission: CodeSubmission) -> CodeOutcome:
        """Check a code typed by the member; a right code answers once credentials are out."""
        # A code typed while the lookup is still running waits for it rather than failing.
        await workflow.wait_condition(lambda: self._status is not Status.LOOKING_UP)
        async with self._lock:  # one verification at a time: attempts count in order
            if self._status is Status.AWAITING_CODE and not self._verified:
                await self._check(submission.code)
        if self._verified and self._status not in TERMINAL:
            # Still issuing after UPDATE_WAIT: the member is told to watch their inbox.
            with contextlib.suppress(TimeoutError):
                await workflow.wait_condition(lambda: self._status in TERMINAL, timeout=UPDATE_WAIT)
        outcome = self._outcome()
        if outcome is Outcome.PENDING:
            outcome = Outcome.WRONG_CODE
        return CodeOutcome(outcome, self._attempts_left)

    @submit_code.validator
    def _validate_code(self, submission: CodeSubmission) -> None:
        """Reject malformed codes and codes outside the waiting window (never in history)."""
        if not CODE_PATTERN.fullmatch(submission.code):
            raise ValueError("the code must be exactly 6 digits")
        if self._status in TERMINAL or self._verified or self._attempts_left == 0:
            raise ValueError(f"not waiting for a code (status {self._status})")

    async def _look_up(self, request: EnrollmentInput) -> None:
        self._lookup = await workflow.execute_activity(
            FIND_MEMBER,
            FindMemberInput(request.identification_type, request.identification),
            result_type=MemberLookup,
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=QUICK,
        )
        if self._lookup.eligible and self._lookup.member_id is not None:
            try:
                self._challenge_id = await workflow.execute_activity(
                    SEND_CODE,
                    SendCodeInput(self._lookup.member_id, self._reference()),
                    result_type=str,
                    start_to_close_timeout=timedelta(seconds=30),
                    retry_policy=QUICK,
                )
            except ActivityError as err:
                if not refused(err):
                    raise
                self._lookup = MemberLookup(self._lookup.member_id, False, "NO_CONTACT")
        if not self._lookup.eligible:
            self._reason = self._lookup.reason or "NOT_FOUND"

    async def _wait_for_code(self) -> bool:
        """Wait for a right code; True when verified, False on expiry or too many tries."""
        self._expires_at = workflow.now() + CODE_TTL
        self._set_status(Status.AWAITING_CODE)
        try:
            await workflow.wait_condition(
                lambda: self._verified or self._expired or self._attempts_left == 0,
                timeout=CODE_TTL,
            )
        except TimeoutError:
            self._expired = True
        if self._verified and not self._expired:
            return True
        if not self._lookup.eligible:
            self._set_status(Status.NOT_ELIGIBLE)
        elif self._expired:
            self._set_status(Status.EXPIRED)
        else:
            self._reason = "TOO_MANY_ATTEMPTS"
            self._set_status(Status.FAILED)
        return False

    async def _check(self, code: str) -> None:
        if not self._lookup.eligible or self._challenge_id is None:
            self._attempts_left -= 1  # the decoy counts exactly like a real challenge
            return
        result = await workflow.execute_activity(
            VERIFY_CODE,
            VerifyCodeInput(
                self._lookup.member_id or 0, self._challenge_id, self._reference(), code
            ),
            result_type=VerifyCodeResult,
            start_to_close_timeout=timedelta(seconds=10),
            retry_policy=QUICK,
        )
        self._attempts_left = result.attempts_left
        self._verified = result.valid
        self._expired = self._expired or result.expired

    async def _issue_credentials(self) -> None:
        self._set_status(Status.ISSUING_CREDENTIALS)
        try:
            self._credentials = await workflow.execute_activity(
                ISSUE_CREDENTIALS,
                IssueCredentialsInput(self._lookup.member_id or 0, self._reference()),
                result_type=Credentials,
                start_to_close_timeout=timedelta(seconds=60),
                retry_policy=PATIENT,
            )
        except ActivityError as err:
            if not refused(err):
                raise
            self._reason = str(err.cause)
            self._set_status(Status.FAILED)
            return
        self._set_status(Status.COMPLETED)

    def _reference(self) -> str:
        info = workflow.info()
        return f"{info.workflow_id}/{info.run_id}"

    def _outcome(self) -> Outcome:
        """The member-facing outcome, computed the same way for a decoy and a real member."""
        if self._status is Status.COMPLETED:
            return Outcome.COMPLETED
        if self._verified and self._status is Status.ISSUING_CREDENTIALS:
            return Outcome.PROCESSING
        if self._expired:
            return Outcome.EXPIRED
        if self._attempts_left == 0 or self._status is Status.FAILED:
            return Outcome.FAILED
        return Outcome.PENDING

    def _set_status(self, status: Status) -> None:
        """The one place that changes the status, so the Temporal UI always matches it."""
        self._status = status
        updates = [JOURNEY_STATUS.value_set(status.value)]
        if self._lookup.member_id is not None:
            updates.append(MEMBER_ID.value_set(str(self._lookup.member_id)))
        workflow.upsert_search_attributes(updates)
