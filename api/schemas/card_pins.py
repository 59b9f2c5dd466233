"""Requests and answers of "Cambiar clave" and "Recuperar clave" of a card (Spanish fields).

PIN fields accept any short text: the rules and their Spanish messages are the domain's
(``bank.cards.pins``), so a wrong PIN never reaches a generic validation answer that might
echo it back.
"""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

from workflows.card_pin.contract import PinChangeState, Status

Pin = Annotated[str, StringConstraints(max_length=12)]


class CambioClaveIn(BaseModel):
    """Clave anterior, nueva clave y su confirmación (4 dígitos)."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    clave_anterior: Pin
    clave_nueva: Pin
    confirmacion: Pin


class EstadoClaveOut(BaseModel):
    """How the card's PIN stands: ACTIVA, TEMPORAL (must be changed), BLOQUEADA, SIN_CLAVE."""

    tarjeta_id: int
    estado: str
    intentos_restantes: int
    mensaje: str


class CambioClaveOut(BaseModel):
    """One PIN change: waiting for its code, done, or refused (with the reason)."""

    tarjeta_id: int
    estado: str
    codigo_enviado_a: str | None = None
    codigo_vence: datetime | None = None
    intentos_codigo: int
    codigo: str | None = None
    mensaje: str | None = None


class RecuperacionClaveOut(BaseModel):
    enviado_a: str
    mensaje: str


_MESSAGES = {
    Status.AWAITING_OTP: "Enviamos un código a tu celular por SMS. ¡Ingrésalo!",
    Status.CHANGED: "La clave de tu tarjeta se cambió con éxito.",
    Status.EXPIRED: "El código expiró. Vuelve a cambiar tu clave.",
    Status.CANCELLED: "Cancelaste el cambio de clave. Tu clave no cambió.",
    Status.FAILED: "Superaste el número de intentos del código. Tu clave no cambió.",
}

PIN_STATES = {
    "ACTIVA": "Tu tarjeta tiene una clave activa.",
    "TEMPORAL": "Tu tarjeta tiene una clave temporal: cámbiala antes de usar tu tarjeta.",
    "BLOQUEADA": "La clave está bloqueada por intentos fallidos: usa «Recuperar clave».",
    "SIN_CLAVE": "Tu tarjeta aún no tiene clave: usa «Recuperar clave».",
}


def change_out(state: PinChangeState) -> CambioClaveOut:
    """The member's view of a change (never a PIN or its digest)."""
    refusal = state.refusal
    return CambioClaveOut(
        tarjeta_id=state.card_id,
        estado=state.status.value,
        codigo_enviado_a=state.otp_sent_to or None,
        codigo_vence=state.otp_expires_at,
        intentos_codigo=state.otp_attempts_left,
        codigo=refusal.code if refusal else None,
        mensaje=refusal.message if refusal else _MESSAGES.get(state.status),
    )
