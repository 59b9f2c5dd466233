"""Preapproved credit (manual §8): the member's side of ``CreditJourneyWorkflow``.

A member only ever reaches the journey ``credit-<campaign>-<own member id>``: the ID is
built from the caller's session, never taken from the request, so another member's offer
is answered exactly like one that does not exist (404 ``OFERTA_NO_ENCONTRADA``). Every
step is an Update of the workflow; its validators' refusals come back as 4xx with the
workflow's stable code and Spanish message. The helpers here (Temporal calls, error
mapping, document store) are shared with ``credit_signing`` and ``officer``.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import date, timedelta
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Path, Request, UploadFile
from temporalio.client import Client, WorkflowHandle

from api import credit_calls as common
from api import temporal
from api.credit_calls import Documents, offer_not_found
from api.deps import CurrentMember, TemporalClient, request_origin
from api.errors import ApiError
from api.schemas import credit as out
from api.schemas.common import ERROR_RESPONSES
from bank.credit.campaigns import CAMPAIGN_ID
from bank.credit.deadline import cutoff_text, local
from bank.kyc.contracts import DOCUMENT_KINDS
from workflows.credit.contract import (
    AcceptRequest,
    CreditJourneyState,
    DocumentRemoval,
    DocumentUpload,
    SimulationRequest,
    Status,
    workflow_id,
)
from workflows.credit.journey import CreditJourneyWorkflow

log = logging.getLogger(__name__)

router = APIRouter(prefix="/credit", tags=["Crédito preaprobado"], responses=ERROR_RESPONSES)

WF = CreditJourneyWorkflow
Handle = WorkflowHandle[CreditJourneyWorkflow, CreditJourneyState]
CampaignPath = Annotated[str, Path(max_length=40, description="Código de la campaña")]
FINALIZE_MESSAGE = (
    "Tu solicitud fue enviada. Revisa tu correo electrónico: te enviamos los documentos y el "
    "enlace para firmarlos hasta las {hora} de hoy."
)
"""``hora``: the journey's own deadline (the cut-off in force when its campaign was loaded)."""


def member_handle(client: Client, campaign: str, member_id: int) -> Handle:
    """The caller's own journey for ``campaign`` (404 for a malformed campaign code)."""
    if not CAMPAIGN_ID.fullmatch(campaign):
        raise offer_not_found()
    return client.get_workflow_handle_for(WF.run, workflow_id(campaign, member_id))


async def own_state(handle: Handle, member_id: int) -> CreditJourneyState:
    """The state Query, checked once more to belong to the caller."""
    state = await common.query_state(handle, offer_not_found)
    if state.offer.member_id != member_id:
        raise offer_not_found()
    return state


@router.get("/offers", response_model=out.OfertasOut)
async def list_offers(caller: CurrentMember, client: TemporalClient) -> out.OfertasOut:
    """The member's open offers (the maximum amount stays hidden until accepted)."""
    query = (
        f'WorkflowType="{common.WORKFLOW_TYPE}" AND MemberId="{caller.member_id}" '
        'AND ExecutionStatus="Running"'
    )
    executions = await common.list_executions(client, query, limit=20)
    handles = [client.get_workflow_handle_for(WF.run, e.id) for e in executions]
    states = await asyncio.gather(
        *(own_state(h, caller.member_id) for h in handles), return_exceptions=True
    )
    for failure in (s for s in states if isinstance(s, BaseException)):
        if not isinstance(failure, ApiError):
            raise failure
        log.warning("offer skipped from the list: %s", failure.code)  # closed meanwhile, or stuck
    found = [s for s in states if isinstance(s, CreditJourneyState)]
    if (
        states
        and not found
        and any(isinstance(s, ApiError) and s.status_code == 503 for s in states)
    ):
        raise temporal.unavailable()
    offers = [out.offer_out(s.status, s.offer, s.consent_at is not None) for s in found]
    notify = any(o.estado == Status.OFFERED for o in offers)
    return out.OfertasOut(mostrar_notificacion=notify, ofertas=offers)


@router.get("/offers/{campaign}", response_model=out.JornadaOut)
async def journey(
    campaign: CampaignPath, caller: CurrentMember, client: TemporalClient
) -> out.JornadaOut:
    """Where the member's journey stands (no keys, no audit trail)."""
    handle = member_handle(client, campaign, caller.member_id)
    return out.journey_out(await own_state(handle, caller.member_id))


@router.post("/offers/{campaign}/accept", response_model=out.CondicionesOut)
async def accept(
    campaign: CampaignPath, request: Request, caller: CurrentMember, client: TemporalClient
) -> out.CondicionesOut:
    """ "Aceptar y continuar": consent (time and origin recorded); reveals the maximum."""
    handle = member_handle(client, campaign, caller.member_id)
    terms = await common.update(handle, WF.accept, AcceptRequest(request_origin(request)))
    return out.terms_out(terms)


@router.post("/offers/{campaign}/decline", response_model=out.JornadaOut)
async def decline(
    campaign: CampaignPath, caller: CurrentMember, client: TemporalClient
) -> out.JornadaOut:
    """ "No mostrar nuevamente": the offer is withdrawn for good."""
    handle = member_handle(client, campaign, caller.member_id)
    return out.journey_out(await common.update(handle, WF.decline))


@router.post("/offers/{campaign}/dismiss", response_model=out.JornadaOut)
async def dismiss(
    campaign: CampaignPath, caller: CurrentMember, client: TemporalClient
) -> out.JornadaOut:
    """The X: nothing changes; the offer is shown again at the next login."""
    handle = member_handle(client, campaign, caller.member_id)
    return out.journey_out(await common.update(handle, WF.dismiss))


@router.post("/offers/{campaign}/simulate", response_model=out.SimulacionOut)
async def simulate(
    campaign: CampaignPath, body: out.SimulacionIn, caller: CurrentMember, client: TemporalClient
) -> out.SimulacionOut:
    """ "Simular": the installment and the whole amortization table."""
    handle = member_handle(client, campaign, caller.member_id)
    request = SimulationRequest(int(body.monto * 100), body.plazo)
    return out.simulation_out(await common.update(handle, WF.simulate, request))


@router.post("/offers/{campaign}/choose", response_model=out.EleccionOut)
async def choose(
    campaign: CampaignPath, body: out.SimulacionIn, caller: CurrentMember, client: TemporalClient
) -> out.EleccionOut:
    """ "Continuar": fixes amount and term; the summary and the documents to upload."""
    handle = member_handle(client, campaign, caller.member_id)
    request = SimulationRequest(int(body.monto * 100), body.plazo)
    choice = await common.update(handle, WF.choose, request)
    return out.EleccionOut(
        resumen=out.summary_out(choice.summary),
        documentos_requeridos=list(choice.required_documents),
    )


@router.post("/offers/{campaign}/back", response_model=out.JornadaOut)
async def back(
    campaign: CampaignPath, caller: CurrentMember, client: TemporalClient
) -> out.JornadaOut:
    """ "Cancelar" on the summary: back to simulation (uploads are kept)."""
    handle = member_handle(client, campaign, caller.member_id)
    return out.journey_out(await common.update(handle, WF.back_to_simulation))


def _kind(kind: str) -> str:
    if kind not in DOCUMENT_KINDS:
        raise ApiError(404, "DOCUMENTO_NO_REQUERIDO", "Este documento no es requerido.")
    return kind


@router.post("/offers/{campaign}/documents/{kind}", response_model=out.CargaOut)
async def upload_document(
    campaign: CampaignPath,
    kind: Annotated[str, Depends(_kind)],
    caller: CurrentMember,
    client: TemporalClient,
    store: Documents,
    archivo: Annotated[UploadFile, File(description="PDF, PNG o JPG; un archivo")],
    fecha_emision: Annotated[date | None, Form(description="Solo planillas")] = None,
) -> out.CargaOut:
    """ "Cargar documentos": stored under a random key, then checked by the workflow."""
    handle = member_handle(client, campaign, caller.member_id)
    data, media_type = await common.read_upload(archivo, common.MAX_DOCUMENT_BYTES)
    key = await common.store_upload(store, "credit/uploads", data, media_type)
    filename = common.safe_filename(archivo.filename, media_type)
    upload = DocumentUpload(kind, key, filename, media_type, fecha_emision)
    try:
        outcome = await common.update(handle, WF.attach_document, upload)
    except ApiError:
        await common.discard_uploads(store, [key])  # never entered the journey
        raise
    return out.CargaOut(
        tipo=outcome.kind,
        aceptado=outcome.accepted,
        motivos=out.reasons(outcome.reasons),
        faltantes=list(outcome.missing),
    )


@router.delete("/offers/{campaign}/documents/{kind}", response_model=out.JornadaOut)
async def remove_document(
    campaign: CampaignPath,
    kind: Annotated[str, Depends(_kind)],
    caller: CurrentMember,
    client: TemporalClient,
) -> out.JornadaOut:
    """ "Eliminar" an uploaded file."""
    handle = member_handle(client, campaign, caller.member_id)
    return out.journey_out(await common.update(handle, WF.remove_document, DocumentRemoval(kind)))


@router.post("/offers/{campaign}/finalize", response_model=out.FinalizarOut)
async def finalize(
    campaign: CampaignPath, caller: CurrentMember, client: TemporalClient
) -> out.FinalizarOut:
    """ "Finalizar": the documents and signing links are emailed; shows the spouse's contacts."""
    handle = member_handle(client, campaign, caller.member_id)
    result = await common.update(handle, WF.finalize, rpc_timeout=timedelta(minutes=2))
    return out.FinalizarOut(
        mensaje=FINALIZE_MESSAGE.format(hora=cutoff_text(local(result.deadline).time())),
        plazo_firma=result.deadline,
        firmantes=[
            out.FirmanteOut(
                rol=s.role,
                nombre=s.name,
                correo=s.email,
                celular=s.mobile,
                siguiente_paso="IDENTITY",
                firmado_en=None,
            )
            for s in result.signatories
        ],
        correo_conyuge=result.spouse_email,
        celular_conyuge=result.spouse_mobile,
    )
