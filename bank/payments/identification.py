"""Identification documents of a payee: cédula, RUC or passport, validated and normalized."""

from __future__ import annotations

import enum
import re

from stdnum.ec import ci, ruc
from stdnum.exceptions import ValidationError

from bank.core.errors import DomainError


class IdentificationKind(enum.StrEnum):
    CEDULA = "CEDULA"
    RUC = "RUC"
    PASAPORTE = "PASAPORTE"


class IdentificacionInvalida(DomainError):
    """The identification does not pass its document's rules."""

    code = "IDENTIFICACION_INVALIDA"
    default_message = "La identificación ingresada no es válida."


_MESSAGES = {
    IdentificationKind.CEDULA: "La cédula ingresada no es válida.",
    IdentificationKind.RUC: "El RUC ingresado no es válido.",
    IdentificationKind.PASAPORTE: (
        "El pasaporte ingresado no es válido: usa de 5 a 20 letras o números."
    ),
}
_PASSPORT = re.compile(r"[A-Z0-9]{5,20}")


def validate_identification(kind: str, value: str) -> str:
    """The normalized identification (digits only, or an upper-cased passport number).

    Args:
        kind: ``CEDULA``, ``RUC`` or ``PASAPORTE``.
        value: what the member typed (spaces and dashes are ignored for cédula and RUC).

    Raises:
        IdentificacionInvalida: unknown kind, or a value its document rules refuse.
    """
    try:
        document = IdentificationKind(kind)
    except ValueError:
        raise IdentificacionInvalida("El tipo de identificación no es válido.") from None
    text = value.strip()
    if document is IdentificationKind.PASAPORTE:
        passport = text.upper()
        if not _PASSPORT.fullmatch(passport):
            raise IdentificacionInvalida(_MESSAGES[document])
        return passport
    validator = ci if document is IdentificationKind.CEDULA else ruc
    try:
        return str(validator.validate(text))
    except ValidationError:
        raise IdentificacionInvalida(_MESSAGES[document]) from None
