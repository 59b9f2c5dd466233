"""Request and response bodies of the authentication endpoints."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from api.schemas.common import PlainText


class LoginRequest(BaseModel):
    """Username and password as the member types them."""

    model_config = ConfigDict(extra="forbid")

    username: PlainText = Field(min_length=1, max_length=40, examples=["gsilva"])
    password: PlainText = Field(min_length=1, max_length=128, examples=["Clave2024x"])


class UltimaConexion(BaseModel):
    """The previous login, shown on the welcome screen as "Última conexión"."""

    texto: str = Field(examples=["20H25 / 14.12.2023"], description="Hora local de Ecuador")
    iso: datetime


class LoginResponse(BaseModel):
    """A bearer token and what the welcome screen shows."""

    access_token: str
    token_type: str = "bearer"
    expires_at: datetime
    nombre: str = Field(examples=["GABRIEL SILVA"])
    ultima_conexion: UltimaConexion | None = Field(description="Null en el primer ingreso")
    must_change_password: bool = Field(
        description="True con una clave temporal: solo se permite cambiar la clave o salir"
    )


class PasswordChangeRequest(BaseModel):
    """Current password and the new one."""

    model_config = ConfigDict(extra="forbid")

    current_password: PlainText = Field(min_length=1, max_length=128)
    new_password: PlainText = Field(min_length=1, max_length=128)
    cerrar_otras_sesiones: bool = Field(
        default=True, description="Cerrar la sesión en todos los demás dispositivos"
    )


class MessageOut(BaseModel):
    """A confirmation for the member."""

    message: str


class SessionOut(BaseModel):
    """The open session: the header's name and "Última conexión", and when it ends."""

    nombre: str
    rol: str = Field(examples=["MEMBER", "OFFICER"])
    ultima_conexion: UltimaConexion | None
    expira_por_inactividad: datetime = Field(
        description="Fin de la sesión si no hay más actividad (cada solicitud la extiende)"
    )
    expira_maximo: datetime = Field(description="Fin absoluto de la sesión")
    inactividad_segundos: int = Field(description="Minutos de inactividad permitidos, en segundos")
    must_change_password: bool


class SesionAbierta(BaseModel):
    """One open session, as the member recognises it ("Mis sesiones")."""

    referencia: str = Field(description="Opaca: distingue las sesiones en pantalla")
    dispositivo: str = Field(examples=["Chrome en Windows"])
    origen: str | None = Field(examples=["190.152.10.4"])
    abierta: datetime
    ultima_actividad: datetime
    actual: bool = Field(description="La sesión desde la que se consulta")


class SesionesOut(BaseModel):
    sesiones: list[SesionAbierta]


class SesionesCerradasOut(BaseModel):
    cerradas: int
    message: str
