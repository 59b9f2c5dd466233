"""Every masking rule: how account, card, mobile, email, name and identification are shown.

One home for all of them, so a newcomer finds each rule in one place and a reviewer sees
what a member (or another member) can read of someone's data. Each function keeps the
exact output members already see on the screens, in the emails and in the manual.

Two kinds of data have two formats on purpose, each used where the member meets it:

- cards: the cooperative's own cards in the card processor's ``550975XXXXXX7023`` form
  (:func:`mask_card`: the manual, the position screens, the PIN email) and other banks'
  cards registered for payment as ``**** **** **** 1111`` (:func:`mask_other_bank_card`:
  the stored mask in ``registered_cards`` and the beneficiaries screen);
- mobiles: where an OTP went, ``09XXXXX567``, the way the SMS gateway answers
  (:func:`mask_otp_mobile`: every OTP step), and the member's contact on the product
  request form, ``09******65`` (:func:`mask_contact_mobile`).

Changing either into the other would change what members read (and, for cards, make new
rows disagree with the masks already stored), so both stay, each named for its use.
"""

from __future__ import annotations


def mask_account(number: str) -> str:
    """An account number with only its last four digits visible.

    ``"410112060750"`` → ``"XXXXXXXX0750"``; four digits or fewer are shown as they are
    (``"0750"`` → ``"0750"``).
    """
    if len(number) <= 4:
        return number
    return "X" * (len(number) - 4) + number[-4:]


def mask_card(number: str) -> str:
    """One of the cooperative's cards: first six and last four digits, ``X`` between.

    ``"5509751234567023"`` → ``"550975XXXXXX7023"``. Spaces and dashes are ignored; a
    number already masked (anything not all digits) is returned unchanged, so callers can
    pass either. Fewer than twelve digits keep only the last four (``"12345678"`` →
    ``"XXXX5678"``).
    """
    digits = number.replace(" ", "").replace("-", "")
    if not digits.isdigit():
        return number
    if len(digits) < 12:
        return "X" * max(len(digits) - 4, 0) + digits[-4:]
    return digits[:6] + "X" * (len(digits) - 10) + digits[-4:]


def mask_other_bank_card(number: str) -> str:
    """Another bank's card registered for payment: its last four digits only.

    ``"4111111111111111"`` → ``"**** **** **** 1111"``: the form stored as the card's mask
    and shown on the registered cards' screen (callers pass a validated card number).
    """
    return "**** **** **** " + number[-4:]


def mask_otp_mobile(mobile: str) -> str:
    """The mobile an OTP was sent to: first two and last three digits, ``X`` between.

    ``"0998765567"`` → ``"09XXXXX567"``, as the SMS gateway reports it; the OTP step shows
    it next to the code field. Five characters or fewer are shown as they are.
    """
    if len(mobile) <= 5:
        return mobile
    return mobile[:2] + "X" * (len(mobile) - 5) + mobile[-3:]


def mask_contact_mobile(mobile: str | None) -> str | None:
    """The member's registered mobile on the product request form: two digits each end.

    ``"0991234565"`` → ``"09******65"``; none registered → ``None``; four characters or
    fewer are shown as they are.
    """
    if not mobile:
        return None
    if len(mobile) <= 4:
        return mobile
    return mobile[:2] + "*" * (len(mobile) - 4) + mobile[-2:]


def mask_email(email: str | None) -> str | None:
    """The member's registered email: the first two characters of the user, all the domain.

    ``"gabriel.silva@example.com"`` → ``"ga***@example.com"``; none (or no ``@``) →
    ``None``.
    """
    if not email or "@" not in email:
        return None
    user, _, domain = email.partition("@")
    return f"{user[:2]}***@{domain}"


def mask_name(name: str) -> str:
    """A Cooprogreso account holder's name as shown to another member: initials kept.

    ``"NANCY ORTIZ"`` → ``"NAN** ORT**"``: the first three letters of each word;
    words of three letters or fewer are shown whole; ``""`` → ``""``.
    """
    return " ".join(part[:3] + "*" * max(0, len(part) - 3) for part in name.split())


def mask_identification(identification: str) -> str:
    """A cédula or passport with only its last four characters visible.

    ``"1712345678"`` → ``"XXXXXX5678"``; four characters or fewer show only the last one
    (``"1234"`` → ``"XXX4"``), so a short passport is not shown whole.
    """
    visible = identification[-4:] if len(identification) > 4 else identification[-1:]
    return "X" * (len(identification) - len(visible)) + visible
