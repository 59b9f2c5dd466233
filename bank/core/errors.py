"""The base of every business refusal raised by the domain: a stable code, a Spanish message.

The API answers a :class:`DomainError` as ``{"code": error.code, "message": error.message}``;
activities turn it into a non-retryable application error. Codes never change once published.
"""

from __future__ import annotations

from typing import ClassVar


class DomainError(Exception):
    """A refusal a member can understand: ``code`` for machines, ``message`` in Spanish."""

    code: ClassVar[str] = "OPERACION_RECHAZADA"
    default_message: ClassVar[str] = "No se pudo completar la operación."

    def __init__(self, message: str | None = None) -> None:
        """Use the class's Spanish message unless a more specific one is given."""
        self.message = message or self.default_message
        super().__init__(self.message)
