"""Requests and answers of beneficiaries, registered services and other banks' cards.

Field names are the manual's, in Spanish; shape only is checked here, the rules (cédula,
institutions, accounts, company references, Luhn) live in ``bank.payments``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.schemas.common import AccountNumber, PlainText
from bank.models import BeneficiaryService

Name = Annotated[PlainText, StringConstraints(strip_whitespace=True, min_length=1, max_length=80)]
IdType = Literal["CEDULA", "RUC", "PASAPORTE"]
AccountType = Literal["AHORROS", "CORRIENTE"]
Brand = Literal["VISA", "MASTERCARD", "DINERS", "AMEX", "DISCOVER"]
Email = Annotated[
    str,
    StringConstraints(strip_whitespace=True, max_length=120, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$"),
]


class _In(BaseModel):
    model_config = ConfigDict(extra="forbid")


class BeneficiarioIn(_In):
    """A new beneficiary, or every field of an edited one."""

    servicio: BeneficiaryService
    nombre: Name = Field(examples=["ANDRES IBARRA"])
    tipo_identificacion: IdType
    identificacion: Annotated[
        PlainText, StringConstraints(strip_whitespace=True, min_length=1, max_length=20)
    ] = Field(examples=["1759219700"])
    cuenta: AccountNumber = Field(examples=["410112060750"])
    institucion: Annotated[str, StringConstraints(pattern=r"^[0-9A-Z]{1,20}$")] | None = Field(
        default=None,
        description="Código SPI; obligatorio para INTERBANCARIA, ausente para COOPROGRESO.",
        examples=["0010"],
    )
    tipo_cuenta: AccountType = "AHORROS"
    email: Email | None = None


class BeneficiarioOut(BaseModel):
    id: int
    servicio: BeneficiaryService
    nombre: str
    tipo_identificacion: str
    identificacion: str
    cuenta: str
    institucion: str = Field(examples=["0010"])
    institucion_nombre: str = Field(examples=["BANCO PICHINCHA"])
    tipo_cuenta: str
    email: str | None


class EliminarIn(_In):
    ids: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] = Field(min_length=1, max_length=100)


class EliminadosOut(BaseModel):
    eliminados: int


class CategoriaOut(BaseModel):
    codigo: str = Field(examples=["AGUA"])
    nombre: str = Field(examples=["Agua Potable"])


class EmpresaOut(BaseModel):
    codigo: str = Field(examples=["EPMAPS"])
    nombre: str
    categoria: str
    etiqueta_referencia: str = Field(examples=["Número de cuenta"])


class ServicioIn(_In):
    cuenta: AccountNumber
    empresa: Annotated[str, StringConstraints(min_length=1, max_length=20)]
    suministro: Annotated[
        PlainText, StringConstraints(strip_whitespace=True, min_length=1, max_length=30)
    ]
    alias: Annotated[PlainText, StringConstraints(max_length=60)] = ""


class ServicioOut(BaseModel):
    id: int
    cuenta: str
    categoria: str
    categoria_nombre: str
    empresa: str
    empresa_nombre: str
    etiqueta_referencia: str
    suministro: str
    alias: str


class TarjetaOtroBancoIn(_In):
    institucion: Annotated[str, StringConstraints(min_length=1, max_length=20)]
    numero: Annotated[str, StringConstraints(pattern=r"^[0-9 -]{13,23}$")] = Field(
        description="Número completo de la tarjeta (13 a 19 dígitos); nunca se devuelve."
    )
    titular: Name
    marca: Brand | None = None


class TarjetaOtroBancoOut(BaseModel):
    id: int
    institucion: str
    institucion_nombre: str
    marca: str
    titular: str
    numero: str = Field(examples=["**** **** **** 1111"])
