"""Refusals of a money movement: each a stable code and a Spanish message."""

from __future__ import annotations

from bank.core.errors import DomainError


class MovementRefused(DomainError):
    """A movement that cannot go ahead; ``code`` names why (see :data:`MESSAGES`)."""

    def __init__(self, code: str, message: str | None = None) -> None:
        """``message`` defaults to the catalogued Spanish text of ``code``."""
        super().__init__(message or MESSAGES.get(code, DomainError.default_message))
        self.refusal_code = code

    @property
    def code(self) -> str:  # type: ignore[override]
        return self.refusal_code


MESSAGES: dict[str, str] = {
    "CUENTA_ORIGEN_NO_ENCONTRADA": "No encontramos la cuenta de origen.",
    "CUENTA_ORIGEN_NO_DISPONIBLE": "La cuenta de origen no permite débitos en línea.",
    "CUENTA_DESTINO_NO_ENCONTRADA": "No encontramos la cuenta de destino.",
    "CUENTA_DESTINO_INVALIDA": "La cuenta de destino no puede recibir esta transferencia.",
    "MISMA_CUENTA": "La cuenta de destino debe ser distinta de la cuenta de origen.",
    "BENEFICIARIO_NO_ENCONTRADO": "No encontramos el beneficiario.",
    "INSTITUCION_INVALIDA": "La institución financiera seleccionada no es válida.",
    "DATOS_INCOMPLETOS": "Faltan datos para realizar la operación.",
    "FONDOS_INSUFICIENTES": "No tienes saldo disponible suficiente para esta operación.",
    "LIMITE_TRANSACCION": "El monto supera el límite por transacción de tu canal.",
    "LIMITE_DIARIO": "El monto supera tu límite diario de transacciones.",
    "EMPRESA_INVALIDA": "La empresa seleccionada no es válida.",
    "SUMINISTRO_INEXISTENTE": "El número ingresado no está registrado en la empresa.",
    "SIN_FACTURA_PENDIENTE": "No tienes valores pendientes de pago para este servicio.",
    "RECIBO_NO_PENDIENTE": "Uno de los recibos seleccionados ya no está pendiente de pago.",
    "FACTURA_YA_PAGADA": "Este recibo ya fue pagado. No se realizó ningún débito.",
    "TARJETA_NO_ENCONTRADA": "No encontramos la tarjeta.",
    "TARJETA_SIN_DEUDA": "La tarjeta no tiene valores pendientes de pago.",
    "MONTO_SUPERA_DEUDA": "El monto supera el saldo adeudado de la tarjeta.",
    "SERVICIO_NO_DISPONIBLE": "El servicio no está disponible en este momento. Intenta más tarde.",
}
