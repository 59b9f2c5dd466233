"""Request and answer models of the privacy routes and of the signing link's biometric consent."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class ConsentimientoBiometricoOut(BaseModel):
    """The consent a signatory reads before the facial authentication, and whether given."""

    version: str = Field(description="Versión del texto vigente")
    texto: str
    finalidad: str
    otorgado_en: datetime | None = Field(None, description="Cuándo lo otorgó este firmante")
    version_otorgada: str | None = None


class ConsentimientoBiometricoIn(BaseModel):
    """ "Autorizo…": the version of the text the signatory accepted."""

    model_config = ConfigDict(extra="forbid")

    version: str = Field(min_length=1, max_length=20, examples=["BIO-2026-01"])
    acepto: bool = Field(description="Debe ser true: la casilla marcada por el firmante")


class SolicitudEliminacionIn(BaseModel):
    """A member's request to delete their personal data."""

    model_config = ConfigDict(extra="forbid")

    motivo: str | None = Field(None, max_length=500)


class SolicitudEliminacionOut(BaseModel):
    """The recorded request and what the law lets the cooperative delete or not."""

    id: int
    estado: str
    fecha: datetime
    mensaje: str
    se_elimina: list[str]
    se_conserva: list[str]


ExportOut = dict[str, Any]
