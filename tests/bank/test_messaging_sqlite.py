"""OTP and the outbox on SQLite, the embedded default (single writer, no row locks)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bank.access import otp
from bank.core import migrate
from bank.core.db import make_engine, session_factory
from bank.models import Channel, MessageStatus
from bank.notifications import enqueue
from bank.notifications.mailbox import read_mailbox
from tests.bank.messaging_support import SECRET, Clock, add_member, dispatcher


def test_otp_round_trip_and_outbox_on_sqlite(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'app.db'}"
    migrate.upgrade(url)
    engine = make_engine(url)
    sessions = session_factory(engine)
    clock = Clock()
    payload = {"amount": "15.00", "to": "2200456789"}
    try:
        with sessions.begin() as session:
            member_id = add_member(session)
            issued = otp.issue(
                session, member_id, "transfer", payload, secret_key=SECRET, clock=clock
            )
            # A second enqueue with the same key returns the first message unchanged.
            enqueue(
                session,
                key=issued.message_key,
                channel=Channel.SMS,
                recipient="x",
                template="otp",
                context={"code": "000000"},
                secret_key=SECRET,
            )
        mailbox = tmp_path / "mailbox"
        sender = dispatcher(sessions, mailbox, clock=clock)
        assert sender.deliver_now(issued.message_key) is MessageStatus.SENT
        [sms] = read_mailbox(mailbox)
        assert sms.otp_code is not None
        code = sms.otp_code

        # The refusal is committed on its own connection while the caller's session is open.
        with sessions() as session, pytest.raises(otp.OtpInvalid):
            otp.verify(
                session,
                issued.challenge_id,
                member_id,
                "transfer",
                payload,
                "999999" if code != "999999" else "000000",
                secret_key=SECRET,
                clock=clock,
            )
        with sessions.begin() as session:
            otp.verify(
                session,
                issued.challenge_id,
                member_id,
                "transfer",
                payload,
                code,
                secret_key=SECRET,
                clock=clock,
            )
    finally:
        engine.dispose()
