"""Ledger errors: each carries a stable machine ``code`` and a Spanish, member-facing ``message``.

The API maps them to 4xx JSON errors and activities to non-retryable business failures; the
codes never change once published.
"""

from __future__ import annotations

from bank.core.errors import DomainError


class LedgerError(DomainError):
    """Base of every ledger refusal."""

    code = "ERROR_CONTABLE"
    default_message = "No se pudo registrar el movimiento."

    def __init__(self, message: str | None = None, *, account_id: int | None = None) -> None:
        self.account_id = account_id
        super().__init__(message)

    def __reduce__(self) -> tuple[object, ...]:
        # Keyword-only arguments do not survive the default pickling of exceptions.
        return (_rebuild, (type(self), self.message, self.account_id))


def _rebuild(cls: type[LedgerError], message: str, account_id: int | None) -> LedgerError:
    return cls(message, account_id=account_id)


class InvalidRequest(LedgerError):
    """A malformed entry or hold: too few legs, a zero or non-integer amount, an empty key..."""

    code = "SOLICITUD_INVALIDA"
    default_message = "La solicitud de movimiento no es válida."


class UnbalancedEntry(InvalidRequest):
    """The legs of an entry do not sum to zero."""

    code = "ASIENTO_DESCUADRADO"
    default_message = "El asiento contable no está cuadrado."


class InsufficientFunds(LedgerError):
    """A debit would take an account's available balance below zero (``account_id`` says which)."""

    code = "FONDOS_INSUFICIENTES"
    default_message = "Fondos insuficientes en la cuenta."


class IdempotencyConflict(LedgerError):
    """The idempotency key was already used for different content."""

    code = "CLAVE_IDEMPOTENCIA_REUTILIZADA"
    default_message = "La operación ya fue registrada con otros datos."


class UnknownAccount(LedgerError):
    """A leg or hold names an account that does not exist."""

    code = "CUENTA_NO_EXISTE"
    default_message = "La cuenta no existe."


class AccountNotActive(LedgerError):
    """The account exists but is not ACTIVO (inactive or blocked)."""

    code = "CUENTA_NO_ACTIVA"
    default_message = "La cuenta no está activa."


class HoldNotFound(LedgerError):
    """No hold has this idempotency key."""

    code = "RETENCION_NO_EXISTE"
    default_message = "La retención de fondos no existe."


class HoldNotActive(LedgerError):
    """The hold was already released or captured and cannot be captured again."""

    code = "RETENCION_NO_VIGENTE"
    default_message = "La retención de fondos ya no está vigente."
