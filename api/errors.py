"""One error shape for the whole API: ``{"code", "message", "details"}`` with Spanish messages.

Every failure a client can cause is a 4xx with a stable machine ``code``; anything unexpected
is a 500 ``ERROR_INTERNO`` whose body reveals nothing (the traceback goes to the log).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from typing import Any

import psycopg
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from psycopg_pool import PoolTimeout
from sqlalchemy import exc as sa_exc
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from api.error_docs import document_common_errors
from bank.access import auth
from bank.core.errors import DomainError
from bank.notifications.spanish import attempts_left

log = logging.getLogger(__name__)


class ApiError(Exception):
    """An error answered to the client as JSON; raise it anywhere in a route or dependency."""

    def __init__(
        self,
        status_code: int,
        code: str,
        message: str,
        details: Any = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(code)
        self.status_code = status_code
        self.code = code
        self.message = message
        self.details = details
        self.headers = dict(headers) if headers else None


def product_not_found() -> ApiError:
    """The one answer for an unknown product and for another member's product alike."""
    return ApiError(404, "PRODUCTO_NO_ENCONTRADO", "No encontramos el producto solicitado.")


def wrong_code(left: int) -> ApiError:
    """A wrong SMS code while the operation still waits for the right one."""
    return ApiError(
        422,
        "CODIGO_INCORRECTO",
        f"El código ingresado es incorrecto. {attempts_left(left)}",
        details={"intentos_restantes": left},
    )


def not_authenticated() -> ApiError:
    """No bearer token, or one that is unknown, revoked or expired."""
    return ApiError(
        401,
        "SESION_INVALIDA",
        "Tu sesión no es válida o ha expirado. Inicia sesión nuevamente.",
        headers={"WWW-Authenticate": "Bearer"},
    )


def error_response(
    status_code: int,
    code: str,
    message: str,
    details: Any = None,
    headers: Mapping[str, str] | None = None,
) -> JSONResponse:
    """The JSON body every error of the API uses."""
    body = {"code": code, "message": message, "details": details}
    return JSONResponse(body, status_code=status_code, headers=headers)


# --- validation messages in Spanish -------------------------------------------------------

CUSTOM_ERROR_TYPES = frozenset({"monto_invalido", "texto_invalido"})
"""Error types raised by our own validators: their message is already Spanish."""

_MESSAGES: dict[str, str] = {
    "missing": "Este campo es obligatorio.",
    "extra_forbidden": "Este campo no está permitido.",
    "string_type": "Debe ser un texto.",
    "string_too_short": "Debe tener al menos {min_length} caracteres.",
    "string_too_long": "Debe tener como máximo {max_length} caracteres.",
    "string_pattern_mismatch": "El formato no es válido.",
    "int_type": "Debe ser un número entero.",
    "int_parsing": "Debe ser un número entero.",
    "int_from_float": "Debe ser un número entero.",
    "decimal_type": "Debe ser un número.",
    "decimal_parsing": "Debe ser un número.",
    "float_type": "Debe ser un número.",
    "float_parsing": "Debe ser un número.",
    "bool_type": "Debe ser verdadero o falso.",
    "bool_parsing": "Debe ser verdadero o falso.",
    "greater_than": "Debe ser mayor que {gt}.",
    "greater_than_equal": "Debe ser mayor o igual a {ge}.",
    "less_than": "Debe ser menor que {lt}.",
    "less_than_equal": "Debe ser menor o igual a {le}.",
    "date_type": "Debe ser una fecha con formato AAAA-MM-DD.",
    "date_parsing": "Debe ser una fecha con formato AAAA-MM-DD.",
    "date_from_datetime_parsing": "Debe ser una fecha con formato AAAA-MM-DD.",
    "date_from_datetime_inexact": "Debe ser una fecha con formato AAAA-MM-DD.",
    "dict_type": "Debe ser un objeto JSON.",
    "model_type": "Debe ser un objeto JSON.",
    "model_attributes_type": "Debe ser un objeto JSON.",
    "list_type": "Debe ser una lista.",
    "enum": "Valor no permitido.",
    "literal_error": "Valor no permitido.",
    "uuid_parsing": "Debe ser un identificador válido.",
}


def spanish_message(error: Mapping[str, Any]) -> str:
    """A Spanish message for one pydantic error (never echoes the rejected input)."""
    kind = str(error.get("type", ""))
    if kind in CUSTOM_ERROR_TYPES:
        return str(error.get("msg", "Valor no válido."))
    template = _MESSAGES.get(kind)
    if template is None:
        return "Valor no válido."
    try:
        return template.format(**(error.get("ctx") or {}))
    except (KeyError, IndexError, ValueError):
        return "Valor no válido."


def field_details(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """Field-level details of a validation error: where, which field, what is wrong."""
    details = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        location = loc[0] if loc else ""
        details.append(
            {
                "location": location,
                "field": ".".join(loc[1:]) or location,
                "message": spanish_message(error),
                "type": str(error.get("type", "")),
            }
        )
    return details


# --- handlers -----------------------------------------------------------------------------

_HTTP_CODES: dict[int, tuple[str, str]] = {
    400: ("SOLICITUD_INVALIDA", "La solicitud no es válida."),
    401: ("SESION_INVALIDA", "Tu sesión no es válida o ha expirado. Inicia sesión nuevamente."),
    403: ("ACCESO_DENEGADO", "No tienes permiso para realizar esta operación."),
    404: ("RECURSO_NO_ENCONTRADO", "El recurso solicitado no existe."),
    405: ("METODO_NO_PERMITIDO", "Método no permitido para este recurso."),
    413: ("SOLICITUD_DEMASIADO_GRANDE", "La solicitud excede el tamaño permitido."),
    415: ("TIPO_DE_CONTENIDO_NO_SOPORTADO", "El tipo de contenido no es compatible."),
}


async def _api_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, ApiError)
    return error_response(exc.status_code, exc.code, exc.message, exc.details, exc.headers)


async def _business_refusal(_: Request, exc: Exception) -> JSONResponse:
    # Any refusal of the domain that no route mapped more precisely: the member's input was
    # understood but the operation cannot be done (funds, OTP, limits...).
    assert isinstance(exc, DomainError)
    return error_response(422, exc.code, exc.message)


async def _validation_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, RequestValidationError)
    errors = list(exc.errors())
    if any(e.get("type") == "json_invalid" for e in errors):
        return error_response(
            400, "JSON_INVALIDO", "El cuerpo de la solicitud no es un JSON válido."
        )
    return error_response(
        422,
        "DATOS_INVALIDOS",
        "Los datos enviados no son válidos.",
        field_details(errors),
    )


async def _http_error(_: Request, exc: Exception) -> JSONResponse:
    assert isinstance(exc, StarletteHTTPException)
    code, message = _HTTP_CODES.get(
        exc.status_code, ("ERROR_HTTP", "No se pudo atender la solicitud.")
    )
    return error_response(exc.status_code, code, message, headers=exc.headers)


async def _unhandled(request: Request, exc: Exception) -> JSONResponse:
    log.exception("unhandled error on %s %s", request.method, request.url.path, exc_info=exc)
    return error_response(
        500, "ERROR_INTERNO", "Ocurrió un error inesperado. Intenta nuevamente más tarde."
    )


def _domain_error(status_code: int, code: str, message: str, **headers: str) -> Any:
    async def handler(_: Request, exc: Exception) -> JSONResponse:
        details = getattr(exc, "details", None)
        return error_response(status_code, code, message, details, headers or None)

    return handler


class BodyLimitMiddleware:
    """Refuse request bodies above ``max_bytes`` with a JSON 413, before any parsing.

    Starlette's own limiter answers in plain text, outside our exception handlers; this one
    speaks the API's error format. Methods without a body pass straight through (no cost on
    the read endpoints). File uploads (``multipart/form-data``: documents, camera frames)
    get ``upload_max_bytes``; the routes then apply their per-file limits.
    """

    def __init__(self, app: ASGIApp, max_bytes: int, upload_max_bytes: int | None = None) -> None:
        self.app = app
        self.max_bytes = max_bytes
        self.upload_max_bytes = upload_max_bytes or max_bytes

    def _limit(self, scope: Scope) -> int:
        content_type = next((v for k, v in scope["headers"] if k == b"content-type"), b"")
        if content_type.startswith(b"multipart/form-data"):
            return self.upload_max_bytes
        return self.max_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Check the declared length, then count the bytes actually received."""
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        limit = self._limit(scope)
        declared = next((v for k, v in scope["headers"] if k == b"content-length"), None)
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            status = 413 if declared.isdigit() else 400
            code, message = _HTTP_CODES[status]
            await error_response(status, code, message)(scope, receive, send)
            return
        received = 0

        async def limited() -> Message:
            nonlocal received
            message = await receive()
            received += len(message.get("body", b""))
            if received > limit:
                raise StarletteHTTPException(413)
            return message

        await self.app(scope, limited, send)


async def _unavailable(request: Request, exc: Exception) -> JSONResponse:
    log.error("database unavailable on %s %s: %s", request.method, request.url.path, exc)
    return error_response(
        503,
        "SERVICIO_NO_DISPONIBLE",
        "El servicio no está disponible en este momento. Intenta más tarde.",
    )


_DOMAIN_ERRORS: tuple[tuple[type[Exception], int, str, str, dict[str, str]], ...] = (
    (
        auth.InvalidCredentials,
        401,
        "CREDENCIALES_INVALIDAS",
        "Usuario o contraseña incorrectos.",
        {},
    ),
    (
        auth.UserLocked,
        423,
        "USUARIO_BLOQUEADO",
        "Tu usuario está bloqueado por intentos fallidos. Recupera tu clave o acércate a una "
        "agencia.",
        {},
    ),
    (
        auth.InvalidSession,
        401,
        "SESION_INVALIDA",
        "Tu sesión no es válida o ha expirado. Inicia sesión nuevamente.",
        {"WWW-Authenticate": "Bearer"},
    ),
    (
        auth.PasswordChangeRequired,
        403,
        "CAMBIO_CLAVE_REQUERIDO",
        "Debes cambiar tu contraseña temporal antes de continuar.",
        {},
    ),
    (
        auth.WrongCurrentPassword,
        400,
        "CLAVE_ACTUAL_INCORRECTA",
        "La contraseña actual no es correcta.",
        {},
    ),
    (
        auth.PasswordPolicyViolation,
        422,
        "CLAVE_NO_CUMPLE_POLITICA",
        "La nueva contraseña no cumple la política de claves.",
        {},
    ),
)
"""Service errors of ``bank.access.auth`` and how the API answers them."""


TEMPORAL_CONNECT_FAILED = "Failed client connect"
"""How the SDK's lazy client says it could not reach the server (a RuntimeError)."""


def is_connect_failure(exc: BaseException) -> bool:
    """The lazy Temporal client could not reach the server."""
    return isinstance(exc, RuntimeError) and str(exc).startswith(TEMPORAL_CONNECT_FAILED)


async def _temporal_connect(request: Request, exc: Exception) -> JSONResponse:
    """Temporal unreachable where no wrapper of ``api.temporal`` caught it: 503."""
    if not is_connect_failure(exc):
        return await _unhandled(request, exc)
    log.warning("cannot reach Temporal: %s", exc)
    return error_response(
        503,
        "SERVICIO_NO_DISPONIBLE",
        "El servicio no está disponible en este momento. Intenta más tarde.",
    )


def install(app: FastAPI) -> None:
    """Register every error handler on ``app``, and list the app-wide errors in its OpenAPI."""
    document_common_errors(app)
    app.add_exception_handler(ApiError, _api_error)
    for unavailable in (psycopg.OperationalError, PoolTimeout, sa_exc.OperationalError):
        app.add_exception_handler(unavailable, _unavailable)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(StarletteHTTPException, _http_error)
    app.add_exception_handler(Exception, _unhandled)
    app.add_exception_handler(RuntimeError, _temporal_connect)
    app.add_exception_handler(DomainError, _business_refusal)
    for error, status, code, message, headers in _DOMAIN_ERRORS:
        app.add_exception_handler(error, _domain_error(status, code, message, **headers))
