"""OTP challenges: bound to the operation, single use, 5 minutes, 5 wrong codes, never stored."""

from __future__ import annotations

import threading
from decimal import Decimal
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from bank.access import otp
from bank.models import AuditEvent, Base, OtpChallenge, OtpStatus
from bank.notifications.mailbox import read_mailbox
from tests.bank.messaging_support import SECRET, Clock, add_member, dispatcher

TRANSFER = "transfer.interbank"
PAYLOAD = {
    "amount": Decimal("125.40"),
    "from": "410012345678",
    "to": "2200456789",
    "bank": "PICHINCHA",
}


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def member_id(sessions: sessionmaker[Session]) -> int:
    with sessions.begin() as session:
        return add_member(session)


@pytest.fixture
def mailbox(tmp_path: Path) -> Path:
    return tmp_path / "mailbox"


def issue(sessions, member_id, clock, operation=TRANSFER, payload=PAYLOAD) -> otp.IssuedOtp:
    with sessions.begin() as session:
        return otp.issue(session, member_id, operation, payload, secret_key=SECRET, clock=clock)


def code_for(sessions, issued: otp.IssuedOtp, mailbox: Path, clock: Clock) -> str:
    """Deliver the SMS through the simulator and read the code as the member would."""
    dispatcher(sessions, mailbox, clock=clock).deliver_now(issued.message_key)
    [sms] = [m for m in read_mailbox(mailbox) if m.reference == issued.message_key]
    assert sms.otp_code is not None
    return sms.otp_code


def verify(sessions, issued, member_id, code, clock, operation=TRANSFER, payload=PAYLOAD) -> None:
    with sessions.begin() as session:
        otp.verify(
            session,
            issued.challenge_id,
            member_id,
            operation,
            payload,
            code,
            secret_key=SECRET,
            clock=clock,
        )


def status_of(sessions, challenge_id: str) -> OtpChallenge:
    with sessions() as session:
        challenge = session.get(OtpChallenge, challenge_id)
        assert challenge is not None
        return challenge


def wrong(code: str) -> str:
    return f"{(int(code) + 1) % 1_000_000:06d}"


def test_right_code_is_accepted_once(sessions, member_id, clock, mailbox):
    issued = issue(sessions, member_id, clock)
    code = code_for(sessions, issued, mailbox, clock)
    assert issued.sent_to == "09XXXXX567"
    assert issued.expires_at == clock.now + otp.DEFAULT_TTL

    verify(sessions, issued, member_id, code, clock)
    assert status_of(sessions, issued.challenge_id).status is OtpStatus.USED

    with pytest.raises(otp.OtpAlreadyUsed) as refused:
        verify(sessions, issued, member_id, code, clock)
    assert refused.value.code == "OTP_YA_UTILIZADO"
    assert "ya fue utilizado" in refused.value.message


def test_sms_says_what_the_code_authorises(sessions, member_id, clock, mailbox):
    with sessions.begin() as session:
        issued = otp.issue(
            session,
            member_id,
            TRANSFER,
            PAYLOAD,
            secret_key=SECRET,
            clock=clock,
            purpose="Transferencia de $12.34 a XXXX7341",
        )
    code = code_for(sessions, issued, mailbox, clock)
    [sms] = read_mailbox(mailbox)
    assert sms.to == "0991234567"
    assert sms.text == (
        f"Cooprogreso: {code} es tu código para Transferencia de $12.34 a XXXX7341. "
        "Vence en 5 minutos. No lo compartas."
    )


def test_sms_without_a_purpose_names_a_known_operation_or_stays_generic(
    sessions, member_id, clock, mailbox
):
    enrollment = issue(sessions, member_id, clock, operation="ENROLLMENT")
    code = code_for(sessions, enrollment, mailbox, clock)
    [sms] = read_mailbox(mailbox)
    assert sms.text.startswith(
        f"Cooprogreso: {code} es tu código para tu registro en Cooprogreso en Línea."
    )
    other = issue(sessions, member_id, clock, operation="other.thing")
    code = code_for(sessions, other, mailbox, clock)
    [sms] = [m for m in read_mailbox(mailbox) if m.reference == other.message_key]
    assert sms.text.startswith(f"Cooprogreso: {code} es tu código de seguridad.")


def test_wrong_codes_count_down_and_the_fifth_kills_the_challenge(
    sessions, member_id, clock, mailbox
):
    issued = issue(sessions, member_id, clock)
    code = code_for(sessions, issued, mailbox, clock)
    for remaining in (4, 3, 2, 1):
        with pytest.raises(otp.OtpInvalid) as refused:
            verify(sessions, issued, member_id, wrong(code), clock)
        assert refused.value.remaining_attempts == remaining
        assert refused.value.code == "OTP_INCORRECTO"
    with pytest.raises(otp.OtpLocked):
        verify(sessions, issued, member_id, wrong(code), clock)
    # Dead for good: the right code no longer helps.
    with pytest.raises(otp.OtpLocked):
        verify(sessions, issued, member_id, code, clock)
    challenge = status_of(sessions, issued.challenge_id)
    assert (challenge.status, challenge.failed_attempts) == (OtpStatus.FAILED, 5)


def test_failed_attempts_survive_the_callers_rollback(sessions, member_id, clock, mailbox):
    issued = issue(sessions, member_id, clock)
    code = code_for(sessions, issued, mailbox, clock)
    for _ in range(5):
        with sessions() as session:
            with pytest.raises(otp.OtpError):
                otp.verify(
                    session,
                    issued.challenge_id,
                    member_id,
                    TRANSFER,
                    PAYLOAD,
                    wrong(code),
                    secret_key=SECRET,
                    clock=clock,
                )
            session.rollback()  # what `with transaction(...)` does on any exception
    assert status_of(sessions, issued.challenge_id).status is OtpStatus.FAILED
    with pytest.raises(otp.OtpLocked):
        verify(sessions, issued, member_id, code, clock)


def test_code_expires_after_five_minutes(sessions, member_id, clock, mailbox):
    first = issue(sessions, member_id, clock)
    code = code_for(sessions, first, mailbox, clock)
    clock.advance(minutes=4, seconds=59)
    verify(sessions, first, member_id, code, clock)

    second = issue(sessions, member_id, clock)
    code = code_for(sessions, second, mailbox, clock)
    clock.advance(minutes=5)
    with pytest.raises(otp.OtpExpired) as refused:
        verify(sessions, second, member_id, code, clock)
    assert refused.value.message == "El código de seguridad ha caducado. Solicita uno nuevo."
    assert status_of(sessions, second.challenge_id).status is OtpStatus.EXPIRED


@pytest.mark.parametrize(
    ("operation", "payload"),
    [
        (TRANSFER, {**PAYLOAD, "amount": Decimal("1125.40")}),
        (TRANSFER, {**PAYLOAD, "to": "2200999999"}),
        (TRANSFER, {k: v for k, v in PAYLOAD.items() if k != "bank"}),
        ("transfer.internal", PAYLOAD),
    ],
    ids=["amount", "payee", "missing-field", "operation"],
)
def test_a_changed_operation_is_refused_and_voids_the_code(
    sessions, member_id, clock, mailbox, operation, payload
):
    issued = issue(sessions, member_id, clock)
    code = code_for(sessions, issued, mailbox, clock)
    with pytest.raises(otp.OtpMismatch) as refused:
        verify(sessions, issued, member_id, code, clock, operation=operation, payload=payload)
    assert refused.value.code == "OTP_NO_COINCIDE"
    # Any change to the operation voids the challenge: the original needs a new code too.
    with pytest.raises(otp.OtpVoided):
        verify(sessions, issued, member_id, code, clock)


def test_equal_amounts_written_differently_authorise_the_same_operation(
    sessions, member_id, clock, mailbox
):
    issued = issue(sessions, member_id, clock, payload={"amount": Decimal("10.00"), "to": "X1"})
    code = code_for(sessions, issued, mailbox, clock)
    verify(sessions, issued, member_id, code, clock, payload={"to": "X1", "amount": Decimal("10")})


def test_floats_are_refused_in_payloads(sessions, member_id, clock):
    with pytest.raises(TypeError), sessions.begin() as session:
        otp.issue(session, member_id, TRANSFER, {"amount": 10.5}, secret_key=SECRET, clock=clock)


def test_a_new_challenge_voids_the_pending_one_for_the_same_operation(
    sessions, member_id, clock, mailbox
):
    old = issue(sessions, member_id, clock)
    old_code = code_for(sessions, old, mailbox, clock)
    other_operation = issue(sessions, member_id, clock, operation="payment.service")
    new = issue(sessions, member_id, clock)
    new_code = code_for(sessions, new, mailbox, clock)

    with pytest.raises(otp.OtpVoided):
        verify(sessions, old, member_id, old_code, clock)
    assert status_of(sessions, old.challenge_id).status is OtpStatus.VOID
    assert status_of(sessions, other_operation.challenge_id).status is OtpStatus.PENDING
    verify(sessions, new, member_id, new_code, clock)


def test_another_members_challenge_is_not_found(sessions, member_id, clock, mailbox):
    with sessions.begin() as session:
        intruder = add_member(session, n=2)
    issued = issue(sessions, member_id, clock)
    code = code_for(sessions, issued, mailbox, clock)
    with pytest.raises(otp.OtpNotFound):
        verify(sessions, issued, intruder, code, clock)
    verify(sessions, issued, member_id, code, clock)


def test_a_member_without_mobile_cannot_receive_a_code(sessions, clock):
    with sessions.begin() as session:
        member_id = add_member(session, mobile=None)
    with pytest.raises(otp.OtpNoMobile), sessions.begin() as session:
        otp.issue(session, member_id, TRANSFER, PAYLOAD, secret_key=SECRET, clock=clock)


def test_two_concurrent_right_answers_succeed_once(sessions, member_id, clock, mailbox):
    issued = issue(sessions, member_id, clock)
    code = code_for(sessions, issued, mailbox, clock)
    barrier = threading.Barrier(2)
    outcomes: list[str] = []

    def attempt() -> None:
        barrier.wait()
        try:
            verify(sessions, issued, member_id, code, clock)
            outcomes.append("ok")
        except otp.OtpError as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=attempt) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["OTP_YA_UTILIZADO", "ok"]


def test_every_attempt_is_audited_and_the_code_is_stored_nowhere(
    sessions, member_id, clock, mailbox
):
    issued = issue(sessions, member_id, clock)
    with sessions() as session:
        before_delivery = _every_row_as_text(session)  # the SMS waits, sealed, in the outbox
    code = code_for(sessions, issued, mailbox, clock)  # delivered: the SMS body is redacted
    assert code not in before_delivery
    with pytest.raises(otp.OtpInvalid):
        verify(sessions, issued, member_id, wrong(code), clock)
    verify(sessions, issued, member_id, code, clock)

    with sessions() as session:
        events = session.scalars(select(AuditEvent).order_by(AuditEvent.id)).all()
        assert [(e.action, e.details.get("outcome")) for e in events] == [
            ("otp.issue", None),
            ("otp.verify", "OTP_INCORRECTO"),
            ("otp.verify", "OTP_ACEPTADO"),
        ]
        assert all(e.subject == f"otp:{issued.challenge_id}" for e in events)
        dump = _every_row_as_text(session)
    assert code not in dump
    assert wrong(code) not in dump


def _every_row_as_text(session: Session) -> str:
    """Every row of every table, as PostgreSQL prints it."""
    rows: list[str] = []
    for table in Base.metadata.sorted_tables:
        rows += session.scalars(text(f'SELECT t::text FROM "{table.name}" t')).all()
    assert rows
    return "\n".join(rows)
