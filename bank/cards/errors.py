"""Refusals of credit card operations, each with a stable code and a Spanish message."""

from __future__ import annotations

from bank.core.errors import DomainError


class CardRefused(DomainError):
    """A card operation the member must be told about (422 unless said otherwise)."""

    code = "OPERACION_TARJETA_RECHAZADA"
    default_message = "No pudimos completar la operación con tu tarjeta."


class CardNotFound(CardRefused):
    code = "TARJETA_NO_ENCONTRADA"
    default_message = "No encontramos esa tarjeta de crédito entre tus productos."
    status_code = 404


class PurchaseNotFound(CardRefused):
    code = "CONSUMO_NO_ENCONTRADO"
    default_message = "No encontramos ese consumo en tu tarjeta."
    status_code = 404


class DeferralNotFound(CardRefused):
    code = "DIFERIDO_NO_ENCONTRADO"
    default_message = "No encontramos ese diferido en tu tarjeta."
    status_code = 404


class AlreadyDeferred(CardRefused):
    code = "CONSUMO_YA_DIFERIDO"
    default_message = "Este consumo ya fue diferido; un consumo se difiere una sola vez."


class InvalidAmount(CardRefused):
    code = "MONTO_INVALIDO"
    default_message = "El monto a diferir debe ser mayor a cero y no superar el consumo."


class InvalidTerm(CardRefused):
    code = "PLAZO_INVALIDO"
    default_message = "El plazo elegido no está disponible para diferir."


class NotEnoughRevolving(CardRefused):
    code = "SALDO_ROTATIVO_INSUFICIENTE"
    default_message = (
        "El monto a diferir supera tu saldo rotativo: ya pagaste parte de este consumo."
    )


class OverLimit(CardRefused):
    code = "CUPO_INSUFICIENTE"
    default_message = "El consumo supera el cupo disponible de la tarjeta."


class DeferralClosed(CardRefused):
    code = "DIFERIDO_NO_VIGENTE"
    default_message = "Este diferido ya no tiene cuotas por pagar."
    status_code = 409
