"""Activities of the enrollment workflow: database, OTP service and notification outbox.

Each activity is one transaction (``bank.core.db.transaction``) and is safe to retry: references
derive from the workflow ID and run ID, the OTP challenge of a run is found again by its
digest, and credentials and emails are keyed in the outbox. Messages are handed to the
dispatcher right after the commit; if that fails the worker's outbox loop delivers them.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.orm import Session, sessionmaker
from temporalio import activity
from temporalio.exceptions import ApplicationError

from activities.delivery import deliver_now
from bank.access import enrollment as core
from bank.access import otp
from bank.core.db import transaction
from bank.models import IdentificationType, OtpChallenge, utcnow
from workflows.enrollment.contract import (
    FIND_MEMBER,
    ISSUE_CREDENTIALS,
    REFUSED,
    SEND_CODE,
    VERIFY_CODE,
    Credentials,
    FindMemberInput,
    IssueCredentialsInput,
    MemberLookup,
    SendCodeInput,
    VerifyCodeInput,
    VerifyCodeResult,
)

log = logging.getLogger(__name__)

Deliver = Callable[[str], object]
"""Hands one outbox message to the provider now (``Dispatcher.deliver_now``)."""


def _refused(reason: str) -> ApplicationError:
    return ApplicationError(reason, type=REFUSED, non_retryable=True)


class EnrollmentActivities:
    """The enrollment steps that touch the database; constructed once in ``workers/``."""

    def __init__(
        self,
        sessions: sessionmaker[Session],
        *,
        secret_key: str,
        deliver: Deliver | None = None,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        """Hold the session factory, the OTP/outbox key and the dispatcher's ``deliver_now``."""
        self.sessions = sessions
        self.secret_key = secret_key
        self.deliver = deliver
        self.clock = clock

    @activity.defn(name=FIND_MEMBER)
    def find_member(self, request: FindMemberInput) -> MemberLookup:
        """Look the identification up; the answer carries no personal data."""
        try:
            kind = IdentificationType(request.identification_type)
        except ValueError:
            return MemberLookup(member_id=None, eligible=False, reason="NOT_FOUND")
        with transaction(self.sessions) as session:
            found = core.eligibility(session, kind, request.identification, now=self.clock())
        return MemberLookup(
            member_id=found.member_id,
            eligible=found.reason is None,
            reason=found.reason,
            has_user=found.has_user,
        )

    @activity.defn(name=SEND_CODE)
    def send_code(self, request: SendCodeInput) -> str:
        """Issue the ENROLLMENT OTP of this run (once) and send its SMS; return the challenge."""
        payload = {"reference": request.reference}
        with transaction(self.sessions) as session:
            found = otp.pending(
                session,
                request.member_id,
                core.OPERATION,
                payload,
                secret_key=self.secret_key,
                now=None,
            )
            challenge_id = found.id if found else None
            if challenge_id is None:
                try:
                    issued = otp.issue(
                        session,
                        request.member_id,
                        core.OPERATION,
                        payload,
                        secret_key=self.secret_key,
                        clock=self.clock,
                        purpose=core.code_purpose(session, request.member_id),
                    )
                except (otp.OtpCannotSend, ValueError) as exc:
                    raise _refused("NO_CONTACT") from exc
                challenge_id = issued.challenge_id
        deliver_now(self.deliver, f"otp:{challenge_id}")
        return challenge_id

    @activity.defn(name=VERIFY_CODE)
    def verify_code(self, request: VerifyCodeInput) -> VerifyCodeResult:
        """Check a code against the run's challenge; wrong codes are results, not errors."""
        payload = {"reference": request.reference}
        with transaction(self.sessions) as session:
            try:
                otp.verify(
                    session,
                    request.challenge_id,
                    request.member_id,
                    core.OPERATION,
                    payload,
                    request.code,
                    secret_key=self.secret_key,
                    clock=self.clock,
                )
            except otp.OtpInvalid as wrong:
                return VerifyCodeResult(valid=False, attempts_left=wrong.remaining_attempts)
            except otp.OtpExpired:
                return VerifyCodeResult(valid=False, attempts_left=0, expired=True)
            except otp.OtpAlreadyUsed:
                # Only this run knows its challenge: a used one was consumed by an earlier
                # attempt of this very activity whose result was lost.
                return VerifyCodeResult(valid=True, attempts_left=0)
            except otp.OtpError as refused:
                log.warning("enrollment OTP refused: %s", refused.code)
                return VerifyCodeResult(valid=False, attempts_left=0)
            challenge = session.get(OtpChallenge, request.challenge_id)
            used = challenge.failed_attempts if challenge else 0
        return VerifyCodeResult(valid=True, attempts_left=otp.MAX_FAILED_ATTEMPTS - used)

    @activity.defn(name=ISSUE_CREDENTIALS)
    def issue_credentials(self, request: IssueCredentialsInput) -> Credentials:
        """Create or reset the user and queue the temporary-password email, atomically."""
        key = f"enroll:{request.reference}:credentials"
        try:
            with transaction(self.sessions) as session:
                issued = core.issue_credentials(
                    session,
                    request.member_id,
                    key,
                    now=self.clock(),
                    secret_key=self.secret_key,
                )
        except core.EnrollmentRefused as exc:
            raise _refused(str(exc)) from exc
        deliver_now(self.deliver, key)
        return Credentials(username=issued.username, reset=issued.reset)

    def all(self) -> list[Callable[..., object]]:
        """Every activity of this class, for ``Worker(activities=...)``."""
        return [self.find_member, self.send_code, self.verify_code, self.issue_credentials]
