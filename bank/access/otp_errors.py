"""Typed OTP refusals: a stable machine ``code`` and a Spanish ``message`` each.

Codes follow the API's convention (upper-case Spanish, see ``api/errors.py``) so the API can
answer ``{"code": error.code, "message": error.message}`` as they are.
"""

from __future__ import annotations

from bank.core.errors import DomainError
from bank.models import OtpStatus
from bank.notifications.spanish import attempts_left


class OtpError(DomainError):
    """Base of OTP refusals: a stable machine ``code`` and a Spanish ``message``."""

    code = "OTP_ERROR"
    default_message = "No pudimos validar el código de seguridad."


class OtpNotFound(OtpError):
    code = "OTP_NO_ENCONTRADO"
    default_message = "El código de seguridad no es válido. Solicita uno nuevo."


class OtpExpired(OtpError):
    code = "OTP_EXPIRADO"
    default_message = "El código de seguridad ha caducado. Solicita uno nuevo."


class OtpInvalid(OtpError):
    code = "OTP_INCORRECTO"

    def __init__(self, remaining_attempts: int) -> None:
        """Carry how many tries the member has left."""
        self.remaining_attempts = remaining_attempts
        left = attempts_left(remaining_attempts)
        super().__init__(f"El código de seguridad es incorrecto. {left}")


class OtpLocked(OtpError):
    code = "OTP_BLOQUEADO"
    default_message = (
        "Superaste el número de intentos permitidos. Solicita un nuevo código de seguridad."
    )


class OtpAlreadyUsed(OtpError):
    code = "OTP_YA_UTILIZADO"
    default_message = "Este código de seguridad ya fue utilizado. Solicita uno nuevo."


class OtpMismatch(OtpError):
    code = "OTP_NO_COINCIDE"
    default_message = (
        "Los datos de la operación cambiaron después de generar el código de seguridad. "
        "Solicita uno nuevo."
    )


class OtpVoided(OtpError):
    code = "OTP_ANULADO"
    default_message = "Este código de seguridad fue reemplazado por uno más reciente."


class OtpCannotSend(OtpError):
    """No code can be sent now (no mobile on file, or too many wrong codes lately): every
    journey refuses the step without retrying."""


class OtpNoMobile(OtpCannotSend):
    code = "OTP_SIN_CELULAR"
    default_message = (
        "No tienes un número celular registrado en Cooprogreso. Acércate a una agencia "
        "para actualizarlo."
    )


class OtpThrottled(OtpCannotSend):
    """Too many wrong codes in the last hour, over all the member's challenges."""

    code = "OTP_DEMASIADOS_INTENTOS"
    default_message = (
        "Ingresaste demasiados códigos de seguridad incorrectos. Por tu seguridad, podrás "
        "solicitar un nuevo código dentro de una hora."
    )


STATUS_ERRORS: dict[OtpStatus, type[OtpError]] = {
    OtpStatus.USED: OtpAlreadyUsed,
    OtpStatus.FAILED: OtpLocked,
    OtpStatus.EXPIRED: OtpExpired,
    OtpStatus.VOID: OtpVoided,
}
