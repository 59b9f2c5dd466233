"""What a member reads of masked data: each rule of bank.core.masking, short and empty input."""

from __future__ import annotations

import pytest

from bank.core import masking


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        ("410112060750", "XXXXXXXX0750"),  # Gabriel's savings, as on the receipt and screens
        ("12345", "X2345"),
        ("0750", "0750"),
        ("75", "75"),
        ("", ""),
    ],
)
def test_account_shows_only_its_last_four_digits(number: str, shown: str) -> None:
    assert masking.mask_account(number) == shown


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        ("5509751234567023", "550975XXXXXX7023"),  # the manual's "NÚMERO TARJETA"
        ("5509 7512 3456 7023", "550975XXXXXX7023"),
        ("5509-7512-3456-7023", "550975XXXXXX7023"),
        ("550975XXXXXX7023", "550975XXXXXX7023"),  # already masked: unchanged
        ("378282246310005", "378282XXXXX0005"),  # fifteen digits
        ("123456789012", "123456XX9012"),  # twelve: still six and four
        ("12345678", "XXXX5678"),  # too short for the six-digit prefix
        ("123", "123"),
        ("", ""),
    ],
)
def test_own_card_shows_first_six_and_last_four(number: str, shown: str) -> None:
    assert masking.mask_card(number) == shown


def test_own_card_never_shows_the_middle_digits() -> None:
    shown = masking.mask_card("5509751234567023")
    assert "123456" not in shown and len(shown) == 16


@pytest.mark.parametrize(
    ("number", "shown"),
    [
        ("4111111111111111", "**** **** **** 1111"),  # the registered cards' screen
        ("378282246310005", "**** **** **** 0005"),
        ("123", "**** **** **** 123"),
        ("", "**** **** **** "),
    ],
)
def test_other_bank_card_shows_only_its_last_four(number: str, shown: str) -> None:
    assert masking.mask_other_bank_card(number) == shown


@pytest.mark.parametrize(
    ("mobile", "shown"),
    [
        ("0998765432", "09XXXXX432"),  # Gabriel's mobile on the OTP step
        ("0987412365", "09XXXXX365"),
        ("099876", "09X876"),
        ("09987", "09987"),
        ("0998", "0998"),  # too short to hide anything: never repeats digits
        ("", ""),
    ],
)
def test_otp_mobile_shows_two_digits_then_three(mobile: str, shown: str) -> None:
    assert masking.mask_otp_mobile(mobile) == shown


@pytest.mark.parametrize(
    ("mobile", "shown"),
    [
        ("0991234565", "09******65"),  # the product request form's contact
        ("09912", "09*12"),
        ("0991", "0991"),
        ("", None),
        (None, None),
    ],
)
def test_contact_mobile_shows_two_digits_each_end(mobile: str | None, shown: str | None) -> None:
    assert masking.mask_contact_mobile(mobile) == shown


@pytest.mark.parametrize(
    ("email", "shown"),
    [
        ("gabriel.silva@example.com", "ga***@example.com"),
        ("g@example.com", "g***@example.com"),
        ("@example.com", "***@example.com"),
        ("sin-arroba", None),
        ("", None),
        (None, None),
    ],
)
def test_email_keeps_two_letters_and_the_domain(email: str | None, shown: str | None) -> None:
    assert masking.mask_email(email) == shown


@pytest.mark.parametrize(
    ("name", "shown"),
    [
        ("NANCY ORTIZ", "NAN** ORT**"),  # what another member sees before transferring
        ("Christian  Caicedo", "Chr****** Cai****"),
        ("ANA DE LA CRUZ", "ANA DE LA CRU*"),
        ("", ""),
        ("   ", ""),
    ],
)
def test_name_keeps_the_first_three_letters_of_each_word(name: str, shown: str) -> None:
    assert masking.mask_name(name) == shown


@pytest.mark.parametrize(
    ("identification", "shown"),
    [
        ("1712345678", "XXXXXX5678"),  # a cédula in "Compartir"
        ("A1234567", "XXXX4567"),  # a passport
        ("12345", "X2345"),
        ("1234", "XXX4"),  # short: only the last character
        ("7", "7"),
        ("", ""),
    ],
)
def test_identification_shows_only_its_last_four(identification: str, shown: str) -> None:
    assert masking.mask_identification(identification) == shown
