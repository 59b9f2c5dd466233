"""Request and response bodies of the preapproved credit journey (manual §8) and its signing.

Money is a string with two decimals (``"9900.00"``), rates are percentages as the manual
shows them (``"15.83%"``), dates and instants are ISO 8601.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from api.schemas.common import Money, MoneyAmount, money
from workflows.credit.contract import (
    CreditJourneyState,
    CreditOffer,
    OfferTerms,
    Reason,
    SignatoryView,
    Simulation,
    Status,
    StepResult,
    Summary,
)

Sha256 = Annotated[str, StringConstraints(pattern=r"^[0-9a-f]{64}$")]


class SimulacionIn(BaseModel):
    """ "Simular" / "Continuar": the amount and the term the member chose."""

    model_config = ConfigDict(extra="forbid")

    monto: MoneyAmount
    plazo: int = Field(ge=1, le=120, examples=[24], description="Meses")


class IdentidadIn(BaseModel):
    """Paso 8: cédula and código dactilar."""

    model_config = ConfigDict(extra="forbid")

    cedula: str = Field(min_length=1, max_length=20, examples=["1720364189"])
    codigo_dactilar: str = Field(min_length=1, max_length=20, examples=["V1234V5678"])


class TerminosIn(BaseModel):
    """Paso 10: the SHA-256 of every reviewed document (``hashes_a_aceptar``)."""

    model_config = ConfigDict(extra="forbid")

    document_hashes: list[Sha256] = Field(min_length=1, max_length=20)


class OtpIn(BaseModel):
    """Paso 11: the code received by SMS."""

    model_config = ConfigDict(extra="forbid")

    codigo: str = Field(min_length=1, max_length=12, examples=["123456"])


class MotivoOut(BaseModel):
    """Why something was refused: a stable code and a Spanish message."""

    codigo: str
    mensaje: str


class OfertaOut(BaseModel):
    """An offer as the member sees it; ``monto_maximo`` is null until accepted."""

    campana: str = Field(examples=["PRE2026"])
    estado: str = Field(examples=["OFFERED"])
    vigencia_hasta: datetime
    monto_minimo: Money
    monto_maximo: Money | None = Field(description="Visible solo después de aceptar la oferta")
    plazos: list[int] = Field(examples=[[12, 24, 36]])
    tasa_anual: str = Field(examples=["15.83%"])
    metodo: str = Field(examples=["FRENCH"])
    planilla_meses_maximo: int = Field(
        examples=[2], description="Antigüedad máxima (meses) de la planilla de servicio básico"
    )


class OfertasOut(BaseModel):
    """The member's open offers; the notification is shown only if one is still offered."""

    mostrar_notificacion: bool
    ofertas: list[OfertaOut]


class CondicionesOut(BaseModel):
    """The answer to "Aceptar y continuar": the maximum, or why the member must go to an agency."""

    estado: str
    monto_maximo: Money
    monto_minimo: Money
    plazos: list[int]
    tasa_anual: str
    metodo: str
    bloqueos: list[str]
    mensajes: list[str]


class FilaOut(BaseModel):
    """A row of the amortization table."""

    numero: int
    fecha: date
    cuota: Money
    capital: Money
    interes: Money
    seguro: Money
    rubros: Money
    saldo: Money


class SimulacionOut(BaseModel):
    """The installment and the whole table of one simulation."""

    monto: Money
    plazo: int
    tasa_anual: str
    metodo: str
    cuota: Money
    total_interes: Money
    total_seguro: Money
    total_rubros: Money
    total_a_pagar: Money
    tabla: list[FilaOut]


class RubroOut(BaseModel):
    """One item between the amount requested and the amount received."""

    codigo: str
    descripcion: str
    momento: str
    valor: Money
    iva: Money


class ResumenOut(BaseModel):
    """The summary of the chosen credit."""

    monto: Money
    plazo: int
    tasa_anual: str
    metodo: str
    cuota: Money
    primera_cuota: date
    ultima_cuota: date
    total_interes: Money
    total_seguro: Money
    rubros: list[RubroOut]
    total_descuentos: Money
    monto_a_recibir: Money


class EleccionOut(BaseModel):
    """ "Continuar": the summary and the documents to upload."""

    resumen: ResumenOut
    documentos_requeridos: list[str]


class CargaOut(BaseModel):
    """The verdict on an upload (``aceptado`` false: ``motivos`` say why, in Spanish)."""

    tipo: str
    aceptado: bool
    motivos: list[MotivoOut]
    faltantes: list[str] = Field(description="Documentos requeridos aún sin archivo aceptado")


class DocumentoCargadoOut(BaseModel):
    """An uploaded document in the journey."""

    tipo: str
    nombre_archivo: str
    aceptado: bool
    motivos: list[MotivoOut]


class FirmanteOut(BaseModel):
    """A signatory and where they stand."""

    rol: str
    nombre: str
    correo: str
    celular: str
    siguiente_paso: str
    firmado_en: datetime | None


class RequisitosOut(BaseModel):
    """The requirement checks made on accept."""

    bloqueos: list[str]
    mensajes: list[str]
    documentos_requeridos: list[str]


class JornadaOut(BaseModel):
    """The member's view of the journey (no keys, no audit trail, no consent origin)."""

    oferta: OfertaOut
    estado: str
    motivo: str | None
    requisitos: RequisitosOut | None
    resumen: ResumenOut | None
    documentos: list[DocumentoCargadoOut]
    firmantes: list[FirmanteOut]
    plazo_firma: datetime | None
    numero_credito: str | None
    monto_acreditado: Money | None


class FinalizarOut(BaseModel):
    """ "Finalizar": the request is sent; the spouse's contacts when married."""

    mensaje: str
    plazo_firma: datetime
    firmantes: list[FirmanteOut]
    correo_conyuge: str | None
    celular_conyuge: str | None


class PasoOut(BaseModel):
    """The outcome of one signing step."""

    rol: str
    paso: str
    aprobado: bool
    siguiente_paso: str
    intentos_restantes: int
    estado: str
    motivos: list[MotivoOut]
    enviado_a: str | None = Field(None, description="Celular (enmascarado) que recibió el código")


class DocumentoFirmaOut(BaseModel):
    """A document to review before signing."""

    tipo: str
    nombre: str = Field(examples=["Contrato de crédito"])
    sha256: str
    tamano: int
    url: str


class DocumentosFirmaOut(BaseModel):
    """The documents of the signing link and the hashes ``terms`` must echo."""

    rol: str
    siguiente_paso: str
    plazo_firma: datetime | None
    documentos: list[DocumentoFirmaOut]
    hashes_a_aceptar: list[str]


class EstadoFirmaOut(BaseModel):
    """Where one signatory's link stands: what the signing page draws when it opens."""

    rol: str = Field(examples=["SPOUSE"])
    nombre: str = Field(description="El firmante de este enlace", examples=["CHRISTIAN CAICEDO"])
    siguiente_paso: str = Field(examples=["FACE"])
    intentos_restantes: int = Field(description="Intentos que quedan en el paso actual")
    estado: str = Field(examples=["AWAITING_SIGNATURES"])
    plazo_firma: datetime | None
    firmado_en: datetime | None
    mensaje: str | None = Field(None, description="Por qué no puede continuar (LOCKED)")


# ---- presenters: workflow dataclasses → the bodies above ------------------------------------


STATUS_NOTES = {
    Status.CANCELLED: "La solicitud fue cancelada por tu Oficial de Crédito.",
    Status.OFFER_EXPIRED: "La oferta de crédito ya no está vigente.",
    Status.EXPIRED_AWAITING_REGENERATION: (
        "El plazo para firmar venció a las 19H00. Solicita a tu Oficial de Crédito que genere "
        "nuevamente el proceso de desembolso."
    ),
    Status.SIGNATURE_INVALID: (
        "No pudimos validar las firmas de tus documentos. Tu Oficial de Crédito generará "
        "nuevamente el proceso de firma."
    ),
    Status.DISBURSEMENT_FAILED: (
        "No pudimos acreditar tu crédito. Tu Oficial de Crédito te contactará."
    ),
}
"""What the member reads about a status that needs explaining (internal reasons stay hidden)."""


def percent(fraction: str) -> str:
    """A fraction as the manual shows rates: ``"0.1583"`` → ``"15.83%"``."""
    return f"{(Decimal(fraction) * 100).quantize(Decimal('0.01'))}%"


def reasons(items: Iterable[Reason]) -> list[MotivoOut]:
    """Refusal reasons of the workflow."""
    return [MotivoOut(codigo=r.code, mensaje=r.message) for r in items]


def offer_out(status: str, offer: CreditOffer, revealed: bool) -> OfertaOut:
    """An offer; the maximum only once the member has accepted (consent given)."""
    return OfertaOut(
        campana=offer.campaign_id,
        estado=status,
        vigencia_hasta=offer.valid_until,
        monto_minimo=money(offer.min_amount_cents),
        monto_maximo=money(offer.max_amount_cents) if revealed else None,
        plazos=list(offer.allowed_terms),
        tasa_anual=percent(offer.annual_rate),
        metodo=offer.method,
        planilla_meses_maximo=offer.utility_bill_max_age_months,
    )


def terms_out(terms: OfferTerms) -> CondicionesOut:
    """The answer to accept."""
    return CondicionesOut(
        estado=terms.status,
        monto_maximo=money(terms.max_amount_cents),
        monto_minimo=money(terms.min_amount_cents),
        plazos=list(terms.allowed_terms),
        tasa_anual=percent(terms.annual_rate),
        metodo=terms.method,
        bloqueos=list(terms.blockers),
        mensajes=list(terms.messages),
    )


def simulation_out(sim: Simulation) -> SimulacionOut:
    """A simulation and its table."""
    rows = [
        FilaOut(
            numero=r.number,
            fecha=r.due_date,
            cuota=money(r.installment_cents),
            capital=money(r.principal_cents),
            interes=money(r.interest_cents),
            seguro=money(r.insurance_cents),
            rubros=money(r.charges_cents),
            saldo=money(r.balance_after_cents),
        )
        for r in sim.rows
    ]
    return SimulacionOut(
        monto=money(sim.amount_cents),
        plazo=sim.term_months,
        tasa_anual=percent(sim.annual_rate),
        metodo=sim.method,
        cuota=money(sim.installment_cents),
        total_interes=money(sim.total_interest_cents),
        total_seguro=money(sim.total_insurance_cents),
        total_rubros=money(sim.total_charges_cents),
        total_a_pagar=money(sim.total_cents),
        tabla=rows,
    )


def summary_out(s: Summary) -> ResumenOut:
    """The summary of the chosen credit with its rubros."""
    return ResumenOut(
        monto=money(s.amount_cents),
        plazo=s.term_months,
        tasa_anual=percent(s.annual_rate),
        metodo=s.method,
        cuota=money(s.installment_cents),
        primera_cuota=s.first_due_date,
        ultima_cuota=s.last_due_date,
        total_interes=money(s.total_interest_cents),
        total_seguro=money(s.total_insurance_cents),
        rubros=[
            RubroOut(
                codigo=r.code,
                descripcion=r.label,
                momento=r.timing,
                valor=money(r.amount_cents),
                iva=money(r.iva_cents),
            )
            for r in s.rubros
        ],
        total_descuentos=money(s.deducted_cents),
        monto_a_recibir=money(s.net_amount_cents),
    )


def signatory_out(s: SignatoryView) -> FirmanteOut:
    """A signatory (contacts are the member's own or their spouse's)."""
    return FirmanteOut(
        rol=s.role,
        nombre=s.name,
        correo=s.email,
        celular=s.mobile,
        siguiente_paso=s.next_step,
        firmado_en=s.signed_at,
    )


def journey_out(state: CreditJourneyState) -> JornadaOut:
    """The member-safe view of the state Query."""
    req = state.requirements
    return JornadaOut(
        oferta=offer_out(state.status, state.offer, state.consent_at is not None),
        estado=state.status,
        motivo=STATUS_NOTES.get(state.status),
        requisitos=RequisitosOut(
            bloqueos=[str(b) for b in req.blockers],
            mensajes=list(req.messages),
            documentos_requeridos=[str(k) for k in req.required_documents],
        )
        if req
        else None,
        resumen=summary_out(state.summary) if state.summary else None,
        documentos=[
            DocumentoCargadoOut(
                tipo=d.kind,
                nombre_archivo=d.filename,
                aceptado=d.accepted,
                motivos=reasons(d.reasons),
            )
            for d in state.documents
        ],
        firmantes=[signatory_out(s) for s in state.signatories],
        plazo_firma=state.deadline,
        numero_credito=state.loan_number,
        monto_acreditado=money(state.net_amount_cents) if state.net_amount_cents else None,
    )


def step_out(result: StepResult) -> PasoOut:
    """The outcome of a signing step."""
    return PasoOut(
        rol=result.role,
        paso=result.step,
        aprobado=result.passed,
        siguiente_paso=result.next_step,
        intentos_restantes=result.attempts_left,
        estado=result.status,
        motivos=reasons(result.reasons),
        enviado_a=result.sent_to,
    )
