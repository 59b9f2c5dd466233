"""The credit journey's pure rules: charges, requirements, the 19:00 deadline, tokens."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bank.adapters.registro_civil import SimulatedRegistroCivil, simulated_codigo_dactilar
from bank.credit.charges import ChargeBasis, ChargeRule, ChargeTiming, summarize
from bank.credit.deadline import cutoff_text, parse_cutoff, signing_deadline
from bank.credit.requirements import Blocker, DocumentKind, MemberProfile, evaluate
from bank.credit.tokens import derive_token, same_token, token_digest


def test_rubros_flat_and_percentage_with_and_without_iva() -> None:
    rules = [
        ChargeRule("COMISION", "Comisión", ChargeBasis.PERCENT, "0.01", iva=True),
        ChargeRule("NOTARIA", "Gastos legales", ChargeBasis.FLAT, "12.50"),
        ChargeRule("SEGURO", "Seguro", ChargeBasis.FLAT, "1.00", ChargeTiming.INSTALLMENT, True),
    ]
    summary = summarize(1_000_000, rules)
    assert [(r.amount_cents, r.iva_cents) for r in summary.rubros] == [
        (10_000, 1_500),
        (1_250, 0),
        (100, 15),
    ]
    assert summary.deducted_cents == 12_750 and summary.net_cents == 987_250
    assert summary.per_installment_cents == 115
    assert summary.fees_cents == 11_250 and summary.iva_cents == 1_500


def _profile(**changes: object) -> MemberProfile:
    values: dict[str, object] = dict(
        member_id=1, identification="1718452939", full_name="GABRIEL SILVA",
        first_names="GABRIEL", email="g@example.com", mobile="0998765432",
        civil_status="SOLTERO", civil_status_verified=True,
        id_card_expires_on=date(2030, 1, 1), data_updated_on=date(2026, 3, 1),
        utility_bill_on=date(2026, 3, 1), savings_account_number="4060000001",
    )  # fmt: skip
    values.update(changes)
    return MemberProfile(**values)  # type: ignore[arg-type]


def test_requirements_follow_the_manual() -> None:
    today = date(2026, 6, 8)
    current = evaluate(_profile(), today)
    assert not current.blocked
    assert current.required_documents == (DocumentKind.ID_FRONT, DocumentKind.ID_BACK)
    stale = evaluate(_profile(data_updated_on=date(2025, 1, 1), civil_status="CASADO"), today)
    assert DocumentKind.UTILITY_BILL in stale.required_documents
    assert Blocker.SPOUSE_NOT_REGISTERED in stale.blockers  # married, no spouse on file
    expired = evaluate(_profile(id_card_expires_on=date(2026, 6, 7), mobile=None), today)
    assert expired.blockers == (Blocker.NO_MOBILE, Blocker.ID_EXPIRED)
    unverified = evaluate(_profile(civil_status_verified=False), today)
    assert unverified.blockers == (Blocker.CIVIL_STATUS_NOT_UPDATED,)


def test_signing_deadline_is_1900_the_same_day_and_none_after() -> None:
    morning = datetime(2026, 6, 8, 17, 40, tzinfo=UTC)  # 12:40 in Guayaquil
    assert signing_deadline(morning) == datetime(2026, 6, 9, 0, 0, tzinfo=UTC)
    assert signing_deadline(datetime(2026, 6, 8, 23, 59, tzinfo=UTC)) is not None  # 18:59
    assert signing_deadline(datetime(2026, 6, 9, 0, 1, tzinfo=UTC)) is None  # 19:01


def test_a_configured_cutoff_moves_the_deadline_and_its_wording() -> None:
    evening = datetime(2026, 6, 9, 1, 30, tzinfo=UTC)  # 20:30 in Guayaquil: past 19:00
    assert signing_deadline(evening) is None
    late = parse_cutoff("23:59")
    assert signing_deadline(evening, late) == datetime(2026, 6, 9, 4, 59, tzinfo=UTC)
    assert cutoff_text() == "19H00" and cutoff_text(late) == "23H59"


def test_link_tokens_are_stable_per_generation_and_stored_as_digests() -> None:
    first = derive_token("k" * 40, "credit-A-1", 1, "MEMBER")
    assert first == derive_token("k" * 40, "credit-A-1", 1, "MEMBER")
    assert first != derive_token("k" * 40, "credit-A-1", 2, "MEMBER")
    assert same_token(first, token_digest(first)) and not same_token("x", token_digest(first))


def test_registro_civil_simulator_knows_every_valid_cedula() -> None:
    registry = SimulatedRegistroCivil()
    code = simulated_codigo_dactilar("1720364189")
    assert registry.verify("1720364189", code.lower()).valid
    assert registry.verify("1720364189", "A0000A0000").reason == "CODIGO_DACTILAR_NO_COINCIDE"
    assert registry.verify("1720364188", code).reason == "CEDULA_NO_ENCONTRADA"
