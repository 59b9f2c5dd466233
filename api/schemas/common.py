"""Reusable request/response types: money amounts, account numbers and the error body.

``MoneyAmount`` is strict on purpose. It accepts a JSON string such as ``"10.50"`` or a JSON
number such as ``10.5``, and refuses booleans, NaN/Infinity, exponents (``"1e2"``), signs,
whitespace, more than two decimals, zero and anything above ``MAX_AMOUNT``, each with a
Spanish message (error type ``monto_invalido``).
"""

from __future__ import annotations

import re
import unicodedata
from decimal import Decimal
from typing import Annotated, Any

import orjson
from fastapi.responses import JSONResponse
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    Field,
    StringConstraints,
    WithJsonSchema,
)
from pydantic_core import PydanticCustomError

MAX_AMOUNT = Decimal("1000000.00")
_AMOUNT_RE = re.compile(r"(?:0|[1-9][0-9]{0,6})(?:\.[0-9]{1,2})?")
ACCOUNT_NUMBER_PATTERN = r"^[0-9]{1,20}$"


def _money_error(message: str) -> PydanticCustomError:
    return PydanticCustomError("monto_invalido", message)


def parse_money(value: Any) -> Decimal:
    """Validate a member-entered amount and return it as a ``Decimal`` with two decimals.

    Raises:
        PydanticCustomError: ``monto_invalido`` with a Spanish message.
    """
    if isinstance(value, bool) or value is None:
        raise _money_error("El monto debe ser un número.")
    if isinstance(value, int):
        text = str(value)
    elif isinstance(value, float):
        # repr is the shortest round-tripping form: 10.015 stays "10.015", 1e-07 keeps its
        # exponent and is refused below; NaN and inf are refused by the pattern too.
        text = repr(value)
    elif isinstance(value, str):
        text = value
    elif isinstance(value, Decimal):
        text = format(value, "f") if value.is_finite() else "nan"
    else:
        raise _money_error("El monto debe ser un número.")
    if text.startswith("-"):
        raise _money_error("El monto debe ser mayor que cero.")
    if len(text) > 16 or not _AMOUNT_RE.fullmatch(text):
        raise _money_error(
            "El monto debe ser un número positivo con hasta dos decimales, por ejemplo 10.50."
        )
    amount = Decimal(text).quantize(Decimal("0.01"))
    if amount <= 0:
        raise _money_error("El monto debe ser mayor que cero.")
    if amount > MAX_AMOUNT:
        raise _money_error("El monto no puede superar $1,000,000.00.")
    return amount


MoneyAmount = Annotated[
    Decimal,
    BeforeValidator(parse_money),
    WithJsonSchema(
        {
            "type": "string",
            "pattern": r"^(0|[1-9][0-9]{0,6})(\.[0-9]{1,2})?$",
            "examples": ["10.50"],
            "description": "USD amount > 0 with at most two decimals, up to 1000000.00.",
        }
    ),
]
"""A positive USD amount with at most two decimals, at most $1,000,000.00."""

AccountNumber = Annotated[
    str,
    StringConstraints(pattern=ACCOUNT_NUMBER_PATTERN, min_length=1, max_length=20),
]
"""An account (or loan, investment) number: 1 to 20 digits."""


def reject_control_characters(value: str) -> str:
    """Refuse control characters (NUL, escapes, line breaks) in free text.

    Raises:
        PydanticCustomError: ``texto_invalido`` with a Spanish message.
    """
    if any(unicodedata.category(c) == "Cc" for c in value):
        raise PydanticCustomError("texto_invalido", "El texto contiene caracteres no permitidos.")
    return value


PlainText = Annotated[str, AfterValidator(reject_control_characters)]
"""A string without control characters (PostgreSQL refuses NUL; nobody types the rest)."""

Money = Annotated[str, Field(pattern=r"^-?[0-9]+\.[0-9]{2}$", examples=["13750.00"])]
"""A money value in a response: a string with exactly two decimals."""


class ErrorBody(BaseModel):
    """Every error answer of the API."""

    code: str = Field(examples=["PRODUCTO_NO_ENCONTRADO"])
    message: str = Field(examples=["No encontramos el producto solicitado."])
    details: Any = None


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "Sesión inválida o expirada"},
    403: {"model": ErrorBody, "description": "Cambio de clave requerido o acceso denegado"},
    404: {"model": ErrorBody, "description": "Producto no encontrado"},
    422: {"model": ErrorBody, "description": "Datos inválidos"},
}
"""The error answers shared by every authenticated route, for the OpenAPI document."""


class JsonBytes(JSONResponse):
    """A JSON response rendered with orjson from plain dicts (no model validation on the way out).

    Routes on hot paths build their payload as dicts and return this; tests validate the same
    payloads against the pydantic models declared as ``response_model`` for the OpenAPI document.
    A ``JSONResponse`` so that FastAPI documents that model (of any other response class it
    documents a bare string: the fuzzer's schema check caught it).
    """

    media_type = "application/json"

    def render(self, content: Any) -> bytes:
        """Serialize ``content`` (dicts, lists, str, int, None, date) to JSON bytes."""
        return orjson.dumps(content)


def money(cents: int) -> str:
    """Cents as a string with two decimals and no thousands separator: 1375000 → "13750.00"."""
    sign = "-" if cents < 0 else ""
    whole, frac = divmod(abs(cents), 100)
    return f"{sign}{whole}.{frac:02d}"
