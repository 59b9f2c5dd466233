"""Request and response bodies of the credit officers' endpoints."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictFloat, StrictInt, StrictStr

from api.schemas.common import Money, PlainText

Number = StrictStr | StrictInt | StrictFloat


class RubroIn(BaseModel):
    """A charge rule of the campaign (rubro): flat dollars or a fraction of the amount."""

    model_config = ConfigDict(extra="forbid")

    codigo: str = Field(pattern=r"^[A-Z0-9_]{1,20}$", examples=["COMISION"])
    descripcion: PlainText = Field(min_length=1, max_length=60)
    tipo: Literal["FLAT", "PERCENT"]
    valor: str = Field(
        pattern=r"^[0-9]{1,7}(\.[0-9]{1,6})?$",
        description="FLAT: dólares (25.00); PERCENT: fracción del monto (0.01 = 1%)",
    )
    momento: Literal["DISBURSEMENT", "INSTALLMENT"] = "DISBURSEMENT"
    iva: bool = False


class OfertaCampanaIn(BaseModel):
    """One offer of a campaign (the same columns as the CSV import)."""

    model_config = ConfigDict(extra="forbid")

    campaign_id: Annotated[str, Field(max_length=40, examples=["PRE2026"])]
    identificacion: Annotated[str, Field(max_length=20, examples=["1720364189"])]
    monto_maximo: Number = Field(examples=["10000.00"])
    monto_minimo: Number = Field(examples=["500.00"])
    plazos: list[StrictInt] | StrictStr = Field(examples=[[12, 24, 36]])
    tasa: Number = Field(examples=["15.83"], description="Tasa nominal anual en porcentaje")
    vigencia_hasta: date
    metodo: Literal["FRANCES", "ALEMAN", "FRENCH", "GERMAN"] = "FRANCES"
    seguro_desgravamen: Number = Field(
        default="0", description="Porcentaje mensual sobre el saldo (0.05 = 0,05%)"
    )
    rubros: list[RubroIn] = Field(default_factory=list, max_length=10)


class OfertaCargadaOut(BaseModel):
    """What loading did with one offer."""

    workflow_id: str = Field(examples=["credit-PRE2026-7"])
    campana: str
    identificacion: str
    socio: int
    resultado: Literal["INICIADA", "EXISTENTE"]


class CargaCampanaOut(BaseModel):
    """A campaign load: how many journeys started and how many already existed."""

    iniciadas: int
    existentes: int
    ofertas: list[OfertaCargadaOut]


class JornadaResumenOut(BaseModel):
    """A journey as listed from Temporal's visibility (search attributes)."""

    workflow_id: str
    estado: str | None = Field(description="CreditStatus")
    socio: str | None = Field(description="MemberId")
    campana: str | None = Field(description="CampaignId")
    monto: Money | None = Field(description="AmountRequested")
    plazo_firma: datetime | None = Field(description="SigningDeadline")
    inicio: datetime
    ejecucion: str = Field(examples=["RUNNING"])
    enlace_temporal: str = Field(
        description="The journey in the Temporal Web UI: "
        "{COOP_TEMPORAL_UI_URL}/namespaces/{namespace}/workflows/{workflow_id}",
        examples=["http://127.0.0.1:8233/namespaces/default/workflows/credit-PRE2026-7"],
    )


class JornadasOut(BaseModel):
    """A page of journeys matching the filters."""

    consulta: str = Field(description="The visibility query used (also for the Temporal UI)")
    enlace_consulta: str = Field(description="The Temporal Web UI's list filtered by `consulta`")
    jornadas: list[JornadaResumenOut]


class AccionIn(BaseModel):
    """Regenerate or cancel: the officer's reason, kept in the audit trail."""

    model_config = ConfigDict(extra="forbid")

    motivo: PlainText = Field(min_length=3, max_length=300)


class AccionOut(BaseModel):
    """The journey after the officer's action."""

    workflow_id: str
    estado: str
    generacion: int
    plazo_firma: datetime | None
