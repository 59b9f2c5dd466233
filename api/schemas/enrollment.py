"""Request and response bodies of enrollment ("Regístrate aquí")."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field
from stdnum.ec import ci

PASSPORT = re.compile(r"[A-Z0-9]{6,20}")
ENROLLMENT_ID = re.compile(r"enroll-[A-Z0-9]{6,20}")


class EnrollmentRequest(BaseModel):
    """The identification the member types on "Regístrate aquí"."""

    model_config = ConfigDict(extra="forbid")

    tipo_identificacion: Literal["CEDULA", "PASAPORTE"] = Field(examples=["CEDULA"])
    identificacion: str = Field(min_length=1, max_length=30, examples=["1710034065"])

    def normalized(self) -> str | None:
        """The identification as stored (digits, or uppercase letters and digits), or None."""
        raw = re.sub(r"[\s-]", "", self.identificacion).upper()
        if self.tipo_identificacion == "CEDULA":
            return raw if raw.isdigit() and ci.is_valid(raw) else None
        return raw if PASSPORT.fullmatch(raw) else None


class EnrollmentStarted(BaseModel):
    """The same answer whether or not the identification belongs to a member."""

    id_registro: str = Field(examples=["enroll-1710034065"])
    mensaje: str


class CodeRequest(BaseModel):
    """The OTP the member received by SMS."""

    model_config = ConfigDict(extra="forbid")

    codigo: str = Field(min_length=1, max_length=12, examples=["123456"])


Estado = Literal[
    "COMPLETADO", "EN_PROCESO", "CODIGO_INCORRECTO", "INTENTOS_AGOTADOS", "CODIGO_EXPIRADO"
]


class CodeAnswer(BaseModel):
    """What happened with a code."""

    estado: Estado
    mensaje: str
    intentos_restantes: int = Field(ge=0)
