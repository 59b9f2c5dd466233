"""Enrollment activities against PostgreSQL: lookup, OTP by SMS, verification, credentials."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.enrollment import EnrollmentActivities
from bank.access.security import hash_password, verify_password
from bank.models import (
    Channel,
    CivilStatus,
    IdentificationType,
    Member,
    OutboundMessage,
    User,
    UserSession,
)
from bank.notifications.outbox import unseal
from workflows.enrollment.contract import (
    FindMemberInput,
    IssueCredentialsInput,
    SendCodeInput,
    VerifyCodeInput,
)

SECRET = "enrollment-test-secret-0123456789-abcdefghijklmnop"
CEDULA = "1710034065"
REFERENCE = "enroll-1710034065/run-1"


class Clock:
    def __init__(self) -> None:
        self.now = datetime(2026, 6, 8, 17, 40, tzinfo=UTC)

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def delivered() -> list[str]:
    return []


@pytest.fixture
def acts(
    sessions: sessionmaker[Session], clock: Clock, delivered: list[str]
) -> EnrollmentActivities:
    return EnrollmentActivities(sessions, secret_key=SECRET, deliver=delivered.append, clock=clock)


def add_member(
    sessions: sessionmaker[Session],
    identification: str = CEDULA,
    *,
    mobile: str | None = "0991234567",
    first_names: str = "MARÍA JOSÉ",
) -> int:
    with sessions.begin() as session:
        member = Member(
            identification_type=IdentificationType.CEDULA,
            identification=identification,
            first_names=first_names,
            last_names="GÓMEZ RUIZ",
            birth_date=date(1988, 3, 2),
            civil_status=CivilStatus.SOLTERO,
            mobile=mobile,
            email="maria.gomez@example.ec",
        )
        session.add(member)
        session.flush()
        return member.id


def clear_body(sessions: sessionmaker[Session], key: str) -> str:
    with sessions() as session:
        message = session.scalars(
            select(OutboundMessage).where(OutboundMessage.idempotency_key == key)
        ).one()
        return unseal(SECRET, key, message.body_text)


def sent_code(sessions: sessionmaker[Session], challenge_id: str) -> str:
    match = re.search(r"\b(\d{6})\b", clear_body(sessions, f"otp:{challenge_id}"))
    assert match
    return match.group(1)


def lookup(acts: EnrollmentActivities, identification: str = CEDULA):
    return ActivityEnvironment().run(acts.find_member, FindMemberInput("CEDULA", identification))


def test_lookup_tells_the_workflow_who_may_get_a_code(sessions, acts):
    member_id = add_member(sessions)
    add_member(sessions, "0102030405", mobile=None)

    assert lookup(acts).member_id == member_id and lookup(acts).eligible
    assert lookup(acts, "1799999999").reason == "NOT_FOUND"
    assert lookup(acts, "0102030405").reason == "NO_CONTACT"


def test_code_is_sent_once_per_run_and_verified(sessions, acts, delivered):
    member_id = add_member(sessions)
    env = ActivityEnvironment()
    first = env.run(acts.send_code, SendCodeInput(member_id, REFERENCE))
    again = env.run(acts.send_code, SendCodeInput(member_id, REFERENCE))  # a retry
    code = sent_code(sessions, first)
    wrong = "000000" if code != "000000" else "111111"

    assert again == first and delivered == [f"otp:{first}", f"otp:{first}"]
    with sessions() as session:
        sms = session.scalar(select(func.count()).where(OutboundMessage.channel == Channel.SMS))
    assert sms == 1
    verify = acts.verify_code
    result = env.run(verify, VerifyCodeInput(member_id, first, REFERENCE, wrong))
    assert (result.valid, result.attempts_left) == (False, 4)
    result = env.run(verify, VerifyCodeInput(member_id, first, REFERENCE, code))
    assert (result.valid, result.attempts_left) == (True, 4)
    # A retry after the success was lost still answers "valid": the code is this run's.
    assert env.run(verify, VerifyCodeInput(member_id, first, REFERENCE, code)).valid


def test_expired_code_is_reported_as_expired(sessions, acts, clock):
    member_id = add_member(sessions)
    env = ActivityEnvironment()
    challenge = env.run(acts.send_code, SendCodeInput(member_id, REFERENCE))
    clock.now += timedelta(minutes=5, seconds=1)
    code = sent_code(sessions, challenge)
    result = env.run(acts.verify_code, VerifyCodeInput(member_id, challenge, REFERENCE, code))
    assert result.expired and not result.valid


def test_three_codes_an_hour_then_throttled(sessions, acts):
    member_id = add_member(sessions)
    env = ActivityEnvironment()
    for run in range(3):
        env.run(acts.send_code, SendCodeInput(member_id, f"enroll-{CEDULA}/run-{run}"))
    assert lookup(acts).reason == "THROTTLED"


def test_credentials_create_the_user_and_email_a_working_temporary_password(sessions, acts):
    member_id = add_member(sessions)
    other = add_member(sessions, "0102030405", first_names="MARCO")  # same base: mgomez
    env = ActivityEnvironment()
    first = env.run(acts.issue_credentials, IssueCredentialsInput(member_id, REFERENCE))
    retried = env.run(acts.issue_credentials, IssueCredentialsInput(member_id, REFERENCE))
    second = env.run(acts.issue_credentials, IssueCredentialsInput(other, "enroll-x/run-1"))

    assert (first.username, first.reset) == ("mgomez01", False)
    assert retried == first and second.username == "mgomez02"
    email = clear_body(sessions, f"enroll:{REFERENCE}:credentials")
    password = re.search(r"CONTRASEÑA TEMPORAL:?\s*(\S+)", email)
    assert password and "mgomez01" in email
    with sessions() as session:
        user = session.scalars(select(User).where(User.member_id == member_id)).one()
        emails = session.scalar(
            select(func.count()).where(OutboundMessage.channel == Channel.EMAIL)
        )
    assert user.must_change_password and verify_password(user.password_hash, password.group(1))
    assert emails == 2


def test_a_member_with_a_user_is_reset_unlocked_and_signed_out(sessions, acts, clock):
    member_id = add_member(sessions)
    with sessions.begin() as session:
        user = User(
            member_id=member_id,
            username="mgomez",
            password_hash=hash_password("olvidada-123"),
            failed_attempts=5,
            locked_at=clock.now,
        )
        session.add(user)
        session.flush()
        session.add(
            UserSession(
                id="s1",
                user_id=user.id,
                token_digest="x" * 64,
                expires_at=clock.now + timedelta(hours=1),
            )
        )
    result = ActivityEnvironment().run(
        acts.issue_credentials, IssueCredentialsInput(member_id, REFERENCE)
    )

    assert (result.username, result.reset) == ("mgomez", True)
    with sessions() as session:
        user = session.scalars(select(User).where(User.member_id == member_id)).one()
        open_sessions = session.scalar(select(func.count()).where(UserSession.revoked_at.is_(None)))
    assert user.locked_at is None and user.failed_attempts == 0 and user.must_change_password
    assert not verify_password(user.password_hash, "olvidada-123") and open_sessions == 0


def test_refusal_is_a_non_retryable_business_error(sessions, acts):
    with pytest.raises(ApplicationError) as refused:
        ActivityEnvironment().run(acts.issue_credentials, IssueCredentialsInput(999, REFERENCE))
    assert refused.value.non_retryable and refused.value.message == "NO_MEMBER"
