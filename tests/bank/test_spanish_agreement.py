"""Spanish messages agree in gender and number with what they speak of."""

from __future__ import annotations

import pytest

from bank.notifications.spanish import attempts_left, invalid, the


@pytest.mark.parametrize(
    ("noun", "typed", "text"),
    [
        ("Número de suministro", True, "El número de suministro ingresado no es válido."),
        ("Clave catastral", True, "La clave catastral ingresada no es válida."),
        ("Número de teléfono", False, "El número de teléfono no es válido."),
        ("Cédula", True, "La cédula ingresada no es válida."),
    ],
)
def test_invalid_agrees_with_the_noun(noun, typed, text):
    assert invalid(noun, typed=typed) == text


def test_the_article_follows_the_first_word():
    assert the("Cuenta de ahorros") == ("La", "a")
    assert the("Contrato") == ("El", "o")


@pytest.mark.parametrize(
    ("count", "text"),
    [(1, "Te queda 1 intento."), (2, "Te quedan 2 intentos."), (0, "Te quedan 0 intentos.")],
)
def test_attempts_left_agrees_in_number(count, text):
    assert attempts_left(count) == text
