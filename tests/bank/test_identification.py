"""Cédula, RUC and passport validation of a payee's identification."""

from __future__ import annotations

import pytest

from bank.core.errors import DomainError
from bank.payments.identification import IdentificacionInvalida, validate_identification
from tests import factories as f


@pytest.mark.parametrize(
    "value", ["1759219700", "1724831662", f.cedula(123), " " + f.cedula(7) + " "]
)
def test_valid_cedulas_are_returned_compact(value: str) -> None:
    assert validate_identification("CEDULA", value) == value.strip()


@pytest.mark.parametrize(
    "value", ["1759219701", "175921970", "17592197000", "9959219700", "ABCDEFGHIJ", ""]
)
def test_invalid_cedulas_are_refused_in_spanish(value: str) -> None:
    with pytest.raises(IdentificacionInvalida) as refused:
        validate_identification("CEDULA", value)
    assert isinstance(refused.value, DomainError)
    assert refused.value.code == "IDENTIFICACION_INVALIDA"
    assert refused.value.message == "La cédula ingresada no es válida."


def test_ruc_of_a_company_and_of_a_person() -> None:
    assert validate_identification("RUC", "1790011674001") == "1790011674001"
    assert validate_identification("RUC", "1759219700001") == "1759219700001"


def test_invalid_ruc_is_refused() -> None:
    with pytest.raises(IdentificacionInvalida, match=r"El RUC ingresado no es válido\."):
        validate_identification("RUC", "1790011674000")


def test_passports_are_upper_cased() -> None:
    assert validate_identification("PASAPORTE", " ab12345 ") == "AB12345"


@pytest.mark.parametrize("value", ["AB12", "A" * 21, "AB-12345", "AB 12345"])
def test_invalid_passports_are_refused(value: str) -> None:
    with pytest.raises(IdentificacionInvalida, match="pasaporte"):
        validate_identification("PASAPORTE", value)


def test_unknown_identification_type_is_refused() -> None:
    with pytest.raises(IdentificacionInvalida, match="tipo de identificación"):
        validate_identification("DNI", "12345678")
