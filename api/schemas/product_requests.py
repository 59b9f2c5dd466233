"""Requests and answers of "Solicita tus productos" (``bank.service_desk.product_requests``)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StringConstraints

from api.schemas.common import Money, MoneyAmount, reject_control_characters
from bank.models import ContactChannel, ProductRequestStatus, RequestedProduct
from bank.service_desk.product_requests import MAX_COMMENT_CHARS

# The length is checked before the control characters: a constraint placed after an
# ``AfterValidator`` (``Annotated[PlainText, StringConstraints(...)]``) answers pydantic's
# generic ``too_long`` instead of the Spanish "Debe tener como máximo N caracteres.".
Comment = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=MAX_COMMENT_CHARS),
    AfterValidator(reject_control_characters),
]
Note = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=300),
    AfterValidator(reject_control_characters),
]


class SolicitudIn(BaseModel):
    """A member's request for a product."""

    model_config = ConfigDict(extra="forbid")

    tipo_producto: RequestedProduct
    canal_contacto: ContactChannel = Field(description="Cómo prefiere el socio ser contactado")
    monto: MoneyAmount | None = Field(
        default=None,
        description="Monto o cupo deseado; solo para los productos que lo admiten",
    )
    comentario: Comment | None = Field(default=None, examples=["Para remodelar mi cocina"])


class TipoProductoOut(BaseModel):
    """A product type the member may request."""

    codigo: RequestedProduct
    nombre: str = Field(examples=["Crédito de consumo"])
    categoria: str = Field(examples=["Créditos"])
    descripcion: str
    etiqueta_monto: str | None = Field(
        description="Etiqueta del campo de monto; null si el producto no admite monto"
    )


class CanalContactoOut(BaseModel):
    codigo: ContactChannel
    nombre: str = Field(examples=["WhatsApp"])


class ContactoSocioOut(BaseModel):
    """The member's registered contact data, masked (where the cooperative will reach them)."""

    celular: str | None = Field(examples=["09******65"])
    correo: str | None = Field(examples=["ga***@example.com"])


class TiposOut(BaseModel):
    """What "Solicita tus productos" offers."""

    tipos: list[TipoProductoOut]
    canales: list[CanalContactoOut]
    contacto: ContactoSocioOut
    maximo_abiertas_por_tipo: int = Field(
        description="Solicitudes en atención que el socio puede tener por tipo de producto"
    )


class SolicitudOut(BaseModel):
    """A request as its member sees it."""

    id: int
    tipo_producto: RequestedProduct
    producto: str = Field(examples=["Crédito de consumo"])
    monto: Money | None
    comentario: str | None
    canal_contacto: ContactChannel
    canal: str = Field(examples=["WhatsApp"])
    estado: ProductRequestStatus
    estado_texto: str = Field(examples=["Recibida"])
    fecha: datetime
    atendida_en: datetime | None


class SolicitudesOut(BaseModel):
    solicitudes: list[SolicitudOut]


class SocioSolicitanteOut(BaseModel):
    """Who asked, and how to reach them (officers only)."""

    id: int
    nombre: str
    identificacion: str
    celular: str | None
    correo: str | None


class SolicitudOficialOut(SolicitudOut):
    """A request as an officer sees it."""

    socio: SocioSolicitanteOut
    atendida_por: str | None


class SolicitudesOficialOut(BaseModel):
    solicitudes: list[SolicitudOficialOut]


class AtenderIn(BaseModel):
    """ "Marcar como atendida": an optional note for the audit trail."""

    model_config = ConfigDict(extra="forbid")

    nota: Note | None = None
