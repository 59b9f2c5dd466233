"""Amounts in Spanish words, as a promissory note writes them.

``13_750_00`` cents → ``"TRECE MIL SETECIENTOS CINCUENTA 00/100 DÓLARES DE LOS ESTADOS UNIDOS
DE AMÉRICA"``. The whole dollars come from ``num2words`` (``lang="es"``); its one slip for
legal text is fixed here: "uno" before "mil"/"millón"/"millones" must drop its last vowel
("veintiún mil", "treinta y un mil", "ciento un millones"), which num2words 0.5 writes as
"veintiuno mil". The final unit keeps its full form ("VEINTIUNO 00/100 DÓLARES") because
the cents stand between the number and the currency, as on Ecuadorian cheques and pagarés.
"""

from __future__ import annotations

import re

from num2words import num2words

CURRENCY = "DÓLARES DE LOS ESTADOS UNIDOS DE AMÉRICA"
_APOCOPE = re.compile(r"\b(veinti)?uno (?=mil\b|millón\b|millones\b)")


def integer_in_words(number: int) -> str:
    """A non-negative whole number in Spanish words, lowercase, with correct apocope.

    Raises:
        ValueError: For negative numbers or non-integers.
    """
    if isinstance(number, bool) or not isinstance(number, int) or number < 0:
        raise ValueError(f"expected a non-negative int, not {number!r}")
    words = str(num2words(number, lang="es"))
    return _APOCOPE.sub(lambda m: "veintiún " if m.group(1) else "un ", words)


def amount_in_words(cents: int) -> str:
    """An amount in cents as a pagaré writes it: words, cents over 100, currency; uppercase.

    Args:
        cents: A non-negative amount in integer cents.

    Returns:
        For example ``"TRECE MIL SETECIENTOS CINCUENTA 00/100 DÓLARES DE LOS ESTADOS UNIDOS
        DE AMÉRICA"``.
    """
    if isinstance(cents, bool) or not isinstance(cents, int) or cents < 0:
        raise ValueError(f"expected non-negative integer cents, not {cents!r}")
    dollars, rest = divmod(cents, 100)
    return f"{integer_in_words(dollars).upper()} {rest:02d}/100 {CURRENCY}"
