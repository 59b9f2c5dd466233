"""CreditActivities against PostgreSQL: consent, links, OTP bound to hashes, disbursement."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from temporalio.exceptions import ApplicationError
from temporalio.testing import ActivityEnvironment

from activities.credit import CreditActivities
from bank.adapters.registro_civil import SimulatedRegistroCivil, simulated_codigo_dactilar
from bank.credit.charges import ChargeBasis, ChargeRule, ChargeTiming
from bank.credit.simulation import LoanTerms
from bank.credit.store import resolve_link
from bank.ledger import chart, reconcile
from bank.models import (
    Account,
    CivilStatus,
    CreditConsent,
    JournalEntry,
    Loan,
    OutboundMessage,
    Posting,
)
from bank.notifications.outbox import unseal
from tests.factories import make_account, make_member
from workflows.credit import calls as act

SECRET = "credit-activities-secret-0123456789-abcdefghijk"
WID = "credit-PRE2026-1"
NOW = datetime(2026, 6, 8, 17, 40, tzinfo=UTC)  # 12:40 in Guayaquil, as in the manual
FEE = ChargeRule("COMISION", "Comisión por desembolso", ChargeBasis.PERCENT, "0.01",
                 ChargeTiming.DISBURSEMENT, iva=True)  # fmt: skip


def activities(sessions: sessionmaker[Session]) -> CreditActivities:
    return CreditActivities(
        sessions,
        secret_key=SECRET,
        registro_civil=SimulatedRegistroCivil(),
        public_url="https://bancaweb.cooprogreso.test",
        clock=lambda: NOW,
    )


@pytest.fixture
def member(sessions: sessionmaker[Session]) -> tuple[int, int, str]:
    """A married member with a savings account; (member id, spouse id, cédula)."""
    with sessions.begin() as session:
        nancy = make_member(session, first_names="NANCY", civil_status=CivilStatus.CASADO)
        christian = make_member(session, first_names="CHRISTIAN", civil_status=CivilStatus.CASADO)
        nancy.spouse_id, christian.spouse_id = christian.id, nancy.id
        make_account(session, nancy)
        return nancy.id, christian.id, nancy.identification


def disburse_input(member_id: int) -> act.DisburseInput:
    return act.DisburseInput(
        WID, 1, member_id, "PRE2026", "CREDITO PREAPROBADO", 990_000, 24,
        LoanTerms("0.1583", "FRENCH", "30/360", "0.0005"), (FEE,),
    )  # fmt: skip


def test_disburse_twice_creates_one_loan_and_one_balanced_entry(sessions, member):
    member_id = member[0]
    credit, env = activities(sessions), ActivityEnvironment()
    first = env.run(credit.disburse, disburse_input(member_id))
    again = env.run(credit.disburse, disburse_input(member_id))

    assert (first.loan_number, first.entry_id) == (again.loan_number, again.entry_id)
    assert not first.replayed and again.replayed
    fee, iva = 9_900, 1_485  # 1% of $9,900 and its 15% IVA
    assert first.net_amount_cents == 990_000 - fee - iva
    with sessions() as session:
        assert session.scalar(select(func.count()).select_from(Loan)) == 1
        assert session.scalar(select(func.count()).select_from(JournalEntry)) == 1
        loan = session.scalars(select(Loan)).one()
        assert loan.origin == WID and len(loan.installments) == 24
        assert sum(i.principal_cents for i in loan.installments) == 990_000
        postings = session.scalars(select(Posting).order_by(Posting.id)).all()
        assert sum(p.amount_cents for p in postings) == 0
        gl = chart.account_ids(session)
        by_account = {p.account_id: p.amount_cents for p in postings}
        savings = session.scalars(select(Account).where(Account.member_id == member_id)).one()
        assert by_account == {
            savings.id: first.net_amount_cents,
            gl[chart.LOAN_PORTFOLIO]: -990_000,
            gl[chart.FEE_INCOME]: fee,
            gl[chart.IVA_PAYABLE]: iva,
        }
        assert savings.balance_cents == first.net_amount_cents
        assert postings[0].description == "DESEMBOLSO DE CREDITO"
        assert reconcile(session) == []


def test_disburse_without_savings_account_is_a_business_refusal(sessions, member):
    spouse_id = member[1]  # has no savings account
    with pytest.raises(ApplicationError) as refused:
        ActivityEnvironment().run(activities(sessions).disburse, disburse_input(spouse_id))
    assert refused.value.type == act.REFUSED and refused.value.non_retryable


def test_consent_is_recorded_once_with_time_and_origin(sessions, member):
    credit, env = activities(sessions), ActivityEnvironment()
    request = act.ConsentInput(WID, "PRE2026", member[0], "web 190.2.3.4", NOW)
    assert env.run(credit.record_consent, request) == env.run(credit.record_consent, request)
    with sessions() as session:
        consent = session.scalars(select(CreditConsent)).one()
    assert consent.origin == "web 190.2.3.4" and consent.accepted_at == NOW


def test_links_are_emailed_once_and_only_their_digest_is_stored(sessions, member):
    credit, env = activities(sessions), ActivityEnvironment()
    deadline = datetime(2026, 6, 9, 0, 0, tzinfo=UTC)  # 19:00 in Guayaquil
    request = act.LinksInput(
        WID, 1, deadline,
        (act.LinkRecipient("MEMBER", member[0], "NANCY", "nancy@example.com"),
         act.LinkRecipient("SPOUSE", member[1], "CHRISTIAN", "christian@example.com")),
    )  # fmt: skip
    issued = env.run(credit.create_signing_links, request)
    assert env.run(credit.create_signing_links, request) == issued  # a retry
    with sessions() as session:
        messages = session.scalars(select(OutboundMessage).order_by(OutboundMessage.id)).all()
        assert [m.recipient for m in messages] == ["nancy@example.com", "christian@example.com"]
        text = unseal(SECRET, messages[0].idempotency_key, messages[0].body_text)
        token = re.search(r"/firma/([A-Za-z0-9_-]+)", text)
        assert token and "19H00" in text, text
        target = resolve_link(session, token.group(1))
    assert target and target.workflow_id == WID and target.role == "MEMBER"
    assert token.group(1) not in str(issued)


def test_identity_is_checked_against_the_registro_civil(sessions, member):
    credit, env = activities(sessions), ActivityEnvironment()
    cedula = member[2]
    right = act.IdentityInput(WID, "MEMBER", cedula, cedula, simulated_codigo_dactilar(cedula))
    wrong = act.IdentityInput(WID, "MEMBER", cedula, cedula, "A0000A0000")
    assert env.run(credit.verify_identity, right).matched
    verdict = env.run(credit.verify_identity, wrong)
    assert not verdict.matched and "Registro Civil" in verdict.message


def test_signing_otp_is_bound_to_the_documents_hashes(sessions, member):
    credit, env = activities(sessions), ActivityEnvironment()
    hashes = ("a" * 64, "b" * 64)
    issued = env.run(
        credit.issue_signing_otp, act.SigningOtpInput(WID, 1, "MEMBER", member[0], hashes)
    )
    with sessions() as session:
        sms = session.scalars(select(OutboundMessage)).one()
        code = re.search(r"\b(\d{6})\b", unseal(SECRET, sms.idempotency_key, sms.body_text))
    assert code
    other = act.SigningOtpCheck(
        issued.challenge_id, WID, 1, "MEMBER", member[0], ("c" * 64,), code.group(1)
    )
    assert not env.run(credit.verify_signing_otp, other).valid  # other documents: voided
    again = env.run(
        credit.issue_signing_otp, act.SigningOtpInput(WID, 1, "MEMBER", member[0], hashes)
    )
    assert again.challenge_id != issued.challenge_id
