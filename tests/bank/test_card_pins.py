"""Card PINs: the manual's rules, keyed digests, wrong tries and blocks, the recovery letter."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from bank.cards import pins
from bank.models import Card, CardKind, CardPin, Member, OutboundMessage
from bank.notifications.outbox import unseal
from tests import factories

SECRET = "test-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz"
BIRTH = date(1988, 5, 17)
NOW = datetime(2024, 12, 18, 18, 26, 46, tzinfo=UTC)


@pytest.mark.parametrize(
    ("pin", "problem"),
    [
        ("123", "La clave debe tener 4 dígitos."),
        ("12345", "La clave debe tener 4 dígitos."),
        ("12a4", "La clave debe tener 4 dígitos."),
        ("١٢٣٤", "La clave debe tener 4 dígitos."),  # Arabic-Indic digits are not ASCII
        ("1234", "Evita utilizar dígitos consecutivos (por ejemplo 1234 o 9876)."),
        ("9876", "Evita utilizar dígitos consecutivos (por ejemplo 1234 o 9876)."),
        ("3456", "Evita utilizar dígitos consecutivos (por ejemplo 1234 o 9876)."),
        ("1111", "Evita utilizar dígitos repetidos (por ejemplo 1111)."),
        ("1121", "Evita utilizar dígitos repetidos (por ejemplo 1111)."),
        ("1705", "Evita utilizar tu fecha de nacimiento."),  # DDMM
        ("0517", "Evita utilizar tu fecha de nacimiento."),  # MMDD
        ("1988", "Evita utilizar tu fecha de nacimiento."),  # YYYY
    ],
)
def test_a_pin_that_breaks_a_rule_is_refused_with_the_manuals_advice(pin, problem):
    assert pins.pin_problem(pin, BIRTH) == problem


@pytest.mark.parametrize("pin", ["4821", "7394", "1357", "2468", "1122", "9051"])
def test_a_pin_that_follows_the_rules_is_accepted(pin):
    assert pins.pin_problem(pin, BIRTH) is None


def test_the_form_checks_confirmation_and_a_pin_equal_to_the_previous():
    with pytest.raises(pins.PinsDiffer):
        pins.check_new_pin("4821", "4812", "7394", BIRTH)
    with pytest.raises(pins.PinInvalid, match="distinta de la anterior"):
        pins.check_new_pin("4821", "4821", "4821", BIRTH)
    with pytest.raises(pins.PinInvalid, match="fecha de nacimiento"):
        pins.check_new_pin("1705", "1705", "4821", BIRTH)
    pins.check_new_pin("4821", "4821", "7394", BIRTH)


@given(st.dates(min_value=date(1930, 1, 1), max_value=date(2010, 12, 31)))
def test_a_temporary_pin_always_follows_the_rules(birth):
    pin = pins.temporary_pin(birth)
    assert pins.pin_problem(pin, birth) is None


@pytest.fixture
def cards(sessions: sessionmaker[Session]) -> tuple[int, int, int]:
    """A member's debit and credit cards (PIN 4821 on the debit card) and the member."""
    with sessions.begin() as session:
        member = factories.make_member(session)
        debit = factories.make_card(
            session, member, CardKind.DEBIT, masked_number="550975XXXXXX7023"
        )
        credit = factories.make_card(session, member, CardKind.CREDIT)
        pins.set_initial(session, SECRET, debit, "4821")
        return debit.id, credit.id, member.id


def test_the_same_pin_on_two_cards_has_two_digests_and_none_is_the_pin(sessions, cards):
    debit_id, credit_id, _ = cards
    with sessions.begin() as session:
        debit, credit = session.get(Card, debit_id), session.get(Card, credit_id)
        assert debit and credit
        a, b = pins.pin_digest(SECRET, debit, "4821"), pins.pin_digest(SECRET, credit, "4821")
        assert a != b and "4821" not in a
        assert pins.pin_digest("another-key", debit, "4821") != a
        stored = session.get(CardPin, debit_id)
        assert stored is not None and stored.pin_digest == a


def test_three_wrong_previous_pins_block_changes_until_a_recovery(sessions, cards):
    debit_id, _, member_id = cards
    with sessions.begin() as session:
        card = pins.owned_card(session, member_id, debit_id)
        wrong = pins.pin_digest(SECRET, card, "7394")
        first = pins.check_previous(session, "change-1", card, wrong, NOW)
        assert (first.ok, first.attempts_left, first.code) == (
            False,
            2,
            "CLAVE_ANTERIOR_INCORRECTA",
        )
        assert first.message == "La clave anterior es incorrecta. Te quedan 2 intentos."
        assert pins.check_previous(session, "change-1", card, wrong, NOW) == first  # a retry
        second = pins.check_previous(session, "change-2", card, wrong, NOW)
        assert second.attempts_left == 1
        assert second.message == "La clave anterior es incorrecta. Te queda 1 intento."
        third = pins.check_previous(session, "change-3", card, wrong, NOW)
        assert (third.ok, third.code) == (False, "CLAVE_BLOQUEADA")
        right = pins.pin_digest(SECRET, card, "4821")
        blocked = pins.check_previous(session, "change-4", card, right, NOW)
        assert (blocked.ok, blocked.code) == (False, "CLAVE_BLOQUEADA")
        assert pins.status_of(session.get(CardPin, debit_id)).state == "BLOQUEADA"

        member = session.get(Member, member_id)
        assert member is not None
        pins.recover(session, card, member, SECRET, NOW, new_pin=lambda _birth: "5830")
        assert pins.status_of(session.get(CardPin, debit_id)).state == "TEMPORAL"
        temporary = pins.pin_digest(SECRET, card, "5830")
        assert pins.check_previous(session, "change-5", card, temporary, NOW).ok
        assert pins.change(session, "change-5", card, pins.pin_digest(SECRET, card, "2649"), NOW)
        assert not pins.change(session, "change-5", card, "x" * 64, NOW)  # a retry: done already
        row = session.get(CardPin, debit_id)
        assert row is not None and row.pin_digest == pins.pin_digest(SECRET, card, "2649")
        assert pins.status_of(row) == pins.PinStatus("ACTIVA", 3)


def test_the_recovery_letter_is_the_manuals_generacion_de_clave(sessions, cards):
    debit_id, _, member_id = cards
    with sessions.begin() as session:
        member = session.get(Member, member_id)
        assert member is not None
        member.first_names, member.last_names = "GABRIEL ANDRES", "SILVA PAREDES"
        card = pins.owned_card(session, member_id, debit_id)
        sent_to = pins.recover(session, card, member, SECRET, NOW, new_pin=lambda _b: "4366")
        assert sent_to.endswith("@example.com") and "*" in sent_to
        [message] = session.scalars(select(OutboundMessage)).all()
        assert message.recipient == member.email
        assert "4366" not in (message.body_text or "") + (message.body_html or "")  # sealed
        text = unseal(SECRET, message.idempotency_key, message.body_text or "")
    assert "GENERACION DE CLAVE" in text
    assert "Quito, miércoles, 18 de diciembre de 2024 Hora 1:26 PM" in text
    assert "Estimado(a): SILVA/GABRIEL" in text
    assert "NÚMERO TARJETA: 550975XXXXXX7023" in text
    assert "TIPO DE TARJETA: DEBITO" in text
    assert "FECHA: 18/12/2024" in text
    assert "HORA: 13:26:46" in text
    assert "CLAVE TEMPORAL: 4366" in text
    assert "Recuerda cambiar tu clave a través de los canales digitales" in text


def test_recoveries_are_limited_per_card_and_day_and_need_an_email(sessions, cards):
    debit_id, credit_id, member_id = cards
    with sessions.begin() as session:
        member = session.get(Member, member_id)
        assert member is not None
        card = pins.owned_card(session, member_id, debit_id)
        for hour in range(pins.RECOVERIES_PER_DAY):
            pins.recover(session, card, member, SECRET, NOW + timedelta(hours=hour))
        with pytest.raises(pins.TooManyRecoveries):
            pins.recover(session, card, member, SECRET, NOW + timedelta(hours=5))
        pins.recover(session, card, member, SECRET, NOW + timedelta(days=1, hours=3))
        member.email = None
        credit = pins.owned_card(session, member_id, credit_id)
        with pytest.raises(pins.NoEmail):
            pins.recover(session, credit, member, SECRET, NOW)


def test_another_members_card_is_not_found(sessions, cards):
    debit_id, _, _ = cards
    with sessions.begin() as session:
        other = factories.make_member(session)
        with pytest.raises(pins.CardNotFound, match="No encontramos la tarjeta"):
            pins.owned_card(session, other.id, debit_id)
