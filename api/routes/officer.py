"""Credit officers: load campaigns, find journeys, regenerate or cancel them (officer role only).

Loading is all-or-nothing on validation: every row is checked (``bank.credit.campaigns``) and its
member resolved before any workflow starts; a bad row answers 422 with every row's reasons
and starts nothing. Then one ``CreditJourneyWorkflow`` per offer starts with ID
``credit-<campaign>-<member>``, refusing duplicates even of a finished journey
(``REJECT_DUPLICATE``: a declined offer is never offered again), so loading twice is a
no-op reported as ``EXISTENTE``. Every officer action is written to ``audit_events`` with
the officer's username; the workflow keeps its own trail too.
"""

from __future__ import annotations

import asyncio
import logging
import re
from datetime import UTC, datetime, timedelta
from typing import Annotated, Any, NamedTuple
from urllib.parse import quote, urlencode

from fastapi import APIRouter, Body, Depends, File, Path, Query, Request, UploadFile
from pydantic import TypeAdapter
from sqlalchemy import select
from temporalio.client import Client, WorkflowHandle
from temporalio.common import (
    SearchAttributePair,
    TypedSearchAttributes,
    WorkflowIDConflictPolicy,
    WorkflowIDReusePolicy,
)
from temporalio.exceptions import WorkflowAlreadyStartedError

from api import credit_calls as common
from api import temporal
from api.deps import CurrentOfficer, DbSession, Now, TemporalClient, Today, app_state
from api.domain_calls import run
from api.errors import ApiError
from api.schemas import officer as schemas
from api.schemas.common import ERROR_RESPONSES, money
from api.schemas.credit import journey_out, offer_out
from bank.credit.campaigns import (
    CAMPAIGN_ID,
    MAX_ROWS,
    CampaignFileError,
    CampaignOffer,
    RowError,
    Validation,
    read_csv,
    validate_rows,
)
from bank.credit.charges import ChargeBasis, ChargeRule, ChargeTiming
from bank.models import Member
from bank.privacy import audit
from bank.privacy.audit import PERSONAL_DATA_READ, member_subject
from workflows.credit.contract import (
    CreditJourneyState,
    CreditOffer,
    OfficerAction,
    Status,
    workflow_id,
)
from workflows.credit.journey import CreditJourneyWorkflow
from workflows.search_attributes import (
    AMOUNT_REQUESTED,
    CREDIT_STATUS,
    MEMBER_ID,
    SIGNING_DEADLINE,
)
from workflows.search_attributes import (
    CAMPAIGN_ID as CAMPAIGN_KEY,
)

log = logging.getLogger(__name__)

router = APIRouter(prefix="/officer", tags=["Oficiales de crédito"], responses=ERROR_RESPONSES)

WF = CreditJourneyWorkflow
MAX_CSV_BYTES = 1024 * 1024
STARTS_IN_FLIGHT = 8
ACTION_TIMEOUT = timedelta(minutes=2)
JOURNEY_ID = r"^credit-[A-Za-z0-9][A-Za-z0-9_.]{0,39}-[0-9]{1,18}$"
JourneyPath = Annotated[str, Path(max_length=80, description="ID del workflow")]
_STATE = TypeAdapter(CreditJourneyState)


class JourneyStart(NamedTuple):
    """Where journeys start and the institution's rules they carry."""

    task_queue: str
    kyc_task_queue: str
    """CPU-heavy activities (KYC, PDF signing)."""
    signing_cutoff: str
    """``COOP_CREDIT_SIGNING_CUTOFF`` (19:00)."""
    biometric_retention_hours: int = 24
    """``COOP_BIOMETRIC_RETENTION_HOURS``: frames and face encodings at the latest."""


async def credit_queues(request: Request) -> JourneyStart:
    """The task queues journeys start on and the signing cut-off they carry."""
    settings = app_state(request).settings
    return JourneyStart(
        settings.task_queue,
        settings.kyc_task_queue,
        settings.credit_signing_cutoff,
        settings.biometric_retention_hours,
    )


Queues = Annotated[JourneyStart, Depends(credit_queues)]


# ---- campaigns ----------------------------------------------------------------------------


def _as_row(offer: schemas.OfertaCampanaIn) -> dict[str, str]:
    """A JSON offer as the text cells of a CSV row (one validation for both)."""
    terms = offer.plazos if isinstance(offer.plazos, str) else ";".join(map(str, offer.plazos))
    return {
        "campaign_id": offer.campaign_id,
        "identificacion": offer.identificacion,
        "monto_maximo": str(offer.monto_maximo),
        "monto_minimo": str(offer.monto_minimo),
        "plazos": terms,
        "tasa": str(offer.tasa),
        "vigencia_hasta": offer.vigencia_hasta.isoformat(),
        "metodo": offer.metodo,
        "seguro_desgravamen": str(offer.seguro_desgravamen),
    }


def _charges(offer: schemas.OfertaCampanaIn) -> tuple[ChargeRule, ...]:
    return tuple(
        ChargeRule(
            r.codigo, r.descripcion, ChargeBasis(r.tipo), r.valor, ChargeTiming(r.momento), r.iva
        )
        for r in offer.rubros
    )


@router.post("/campaigns", response_model=schemas.CargaCampanaOut)
async def load_campaign(
    body: Annotated[list[schemas.OfertaCampanaIn], Body(min_length=1, max_length=MAX_ROWS)],
    officer: CurrentOfficer,
    session: DbSession,
    client: TemporalClient,
    queues: Queues,
    today: Today,
) -> schemas.CargaCampanaOut:
    """Load offers given as JSON (rows numbered from 1); one journey per offer."""
    validation = validate_rows([_as_row(o) for o in body], today, first_line=1)
    charges = {line: _charges(o) for line, o in enumerate(body, start=1)}
    return await _load(validation, charges, officer.username, session, client, queues)


@router.post("/campaigns/import", response_model=schemas.CargaCampanaOut)
async def import_campaign(
    archivo: Annotated[UploadFile, File(description="CSV UTF-8 con encabezado")],
    officer: CurrentOfficer,
    session: DbSession,
    client: TemporalClient,
    queues: Queues,
    today: Today,
) -> schemas.CargaCampanaOut:
    """Load a campaign CSV (rows numbered as lines, the header is line 1)."""
    data = await archivo.read(MAX_CSV_BYTES + 1)
    if len(data) > MAX_CSV_BYTES:
        raise ApiError(413, "ARCHIVO_DEMASIADO_GRANDE", "El archivo supera el tamaño permitido.")
    try:
        rows = read_csv(data)
    except CampaignFileError as exc:
        raise ApiError(422, "ARCHIVO_INVALIDO", str(exc)) from exc
    return await _load(validate_rows(rows, today), {}, officer.username, session, client, queues)


async def _load(
    validation: Validation,
    charges: dict[int, tuple[ChargeRule, ...]],
    officer: str,
    session: DbSession,
    client: Client,
    queues: JourneyStart,
) -> schemas.CargaCampanaOut:
    """Resolve members, refuse the whole load on any bad row, else start every journey."""
    wanted = {o.identification for o in validation.offers}
    rows = await session.execute(
        select(Member.identification, Member.id).where(Member.identification.in_(wanted))
    )
    members: dict[str, int] = {ident: member_id for ident, member_id in rows.tuples()}
    errors = list(validation.errors) + [
        RowError(o.line, o.identification, ("identificacion: no corresponde a ningún socio.",))
        for o in validation.offers
        if o.identification not in members
    ]
    if errors:
        raise ApiError(
            422,
            "CAMPANA_INVALIDA",
            "La campaña tiene filas con errores; no se cargó ninguna oferta.",
            [
                {"fila": e.line, "identificacion": e.identification, "motivos": list(e.reasons)}
                for e in sorted(errors, key=lambda e: e.line)
            ],
        )
    offers = [(o, _offer(o, members[o.identification], charges, queues)) for o in validation.offers]
    started = await _start_all(client, [offer for _, offer in offers], queues[0])
    loaded = [
        schemas.OfertaCargadaOut(
            workflow_id=workflow_id(offer.campaign_id, offer.member_id),
            campana=offer.campaign_id,
            identificacion=row.identification,
            socio=offer.member_id,
            resultado="INICIADA" if new else "EXISTENTE",
        )
        for (row, offer), new in zip(offers, started, strict=True)
    ]
    result = schemas.CargaCampanaOut(
        iniciadas=sum(started), existentes=len(started) - sum(started), ofertas=loaded
    )
    campaigns = sorted({o.campaign_id for _, o in offers})
    details = {"iniciadas": result.iniciadas, "existentes": result.existentes}
    await _audit(session, officer, "credito.campana.cargada", ",".join(campaigns), details)
    return result


def _offer(
    row: CampaignOffer,
    member_id: int,
    charges: dict[int, tuple[ChargeRule, ...]],
    queues: JourneyStart,
) -> CreditOffer:
    return CreditOffer(
        campaign_id=row.campaign_id,
        member_id=member_id,
        max_amount_cents=row.max_amount_cents,
        min_amount_cents=row.min_amount_cents,
        allowed_terms=row.allowed_terms,
        annual_rate=row.annual_rate,
        valid_until=row.valid_until,
        method=row.method,
        insurance_monthly_rate=row.insurance_monthly_rate,
        charges=charges.get(row.line, ()),
        kyc_task_queue=queues.kyc_task_queue,
        signing_cutoff=queues.signing_cutoff,
        biometric_retention_hours=queues.biometric_retention_hours,
    )


async def _start_all(client: Client, offers: list[CreditOffer], task_queue: str) -> list[bool]:
    """Start every journey (a few at a time); True where started, False where it existed.

    Raises:
        ApiError: 503 ``CARGA_INCOMPLETA`` if Temporal failed for some offer (loading again
            is safe: the ones started are reported as existing).
    """
    gate = asyncio.Semaphore(STARTS_IN_FLIGHT)

    async def start(offer: CreditOffer) -> bool:
        async with gate:
            try:
                await temporal.start(
                    client,
                    WF.run,
                    offer,
                    id=workflow_id(offer.campaign_id, offer.member_id),
                    task_queue=task_queue,
                    id_reuse_policy=WorkflowIDReusePolicy.REJECT_DUPLICATE,
                    id_conflict_policy=WorkflowIDConflictPolicy.FAIL,
                    search_attributes=TypedSearchAttributes(
                        [
                            SearchAttributePair(CREDIT_STATUS, Status.OFFERED.value),
                            SearchAttributePair(MEMBER_ID, str(offer.member_id)),
                            SearchAttributePair(CAMPAIGN_KEY, offer.campaign_id),
                        ]
                    ),
                )
            except WorkflowAlreadyStartedError:
                return False
            return True

    outcomes = await asyncio.gather(*(start(o) for o in offers), return_exceptions=True)
    failures = [o for o in outcomes if isinstance(o, BaseException)]
    if failures:
        log.warning("campaign load: %d starts failed, first: %r", len(failures), failures[0])
        raise ApiError(
            503,
            "CARGA_INCOMPLETA",
            "No se pudieron iniciar todas las ofertas. Vuelve a cargar la campaña: las ofertas "
            "ya iniciadas no se duplican.",
            {"fallidas": len(failures), "total": len(offers)},
        )
    return [bool(o) for o in outcomes]


async def _audit(
    session: DbSession, officer: str, action: str, subject: str, details: dict[str, Any]
) -> None:
    """One audit event by ``officer``, committed (``bank.privacy.audit.record``)."""
    await run(session, lambda s: audit.record(s, officer, action, subject, details), commit=True)


# ---- journeys -------------------------------------------------------------------------------


def visibility_query(
    status: Status | None,
    campaign: str | None,
    member: str | None,
    expiring_within: timedelta | None,
    now: datetime,
) -> str:
    """The list filter over the journey's search attributes (inputs already validated)."""
    parts = [f'WorkflowType="{common.WORKFLOW_TYPE}"']
    if status is not None:
        parts.append(f'CreditStatus="{status.value}"')
    if campaign is not None:
        parts.append(f'CampaignId="{campaign}"')
    if member is not None:
        parts.append(f'MemberId="{member}"')
    if expiring_within is not None:
        start, end = (
            t.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ") for t in (now, now + expiring_within)
        )
        parts.append(f'SigningDeadline >= "{start}" AND SigningDeadline <= "{end}"')
    return " AND ".join(parts)


def temporal_ui(request: Request) -> str:
    """``COOP_TEMPORAL_UI_URL`` without its trailing slash."""
    return app_state(request).settings.temporal_ui_url.rstrip("/")


def workflow_link(ui: str, namespace: str, journey_id: str) -> str:
    """The journey's page in the Temporal Web UI (history, pending activities, queries)."""
    return f"{ui}/namespaces/{quote(namespace, safe='')}/workflows/{quote(journey_id, safe='')}"


def query_link(ui: str, namespace: str, query: str) -> str:
    """The Temporal Web UI's workflow list filtered by ``query``."""
    return f"{ui}/namespaces/{quote(namespace, safe='')}/workflows?{urlencode({'query': query})}"


@router.get("/journeys", response_model=schemas.JornadasOut)
async def journeys(
    request: Request,
    officer: CurrentOfficer,
    client: TemporalClient,
    session: DbSession,
    now: Now,
    status: Annotated[Status | None, Query(description="CreditStatus")] = None,
    campaign: Annotated[str | None, Query(pattern=CAMPAIGN_ID.pattern, max_length=40)] = None,
    member: Annotated[str | None, Query(pattern=r"^[0-9]{1,18}$")] = None,
    expiring_within_minutes: Annotated[int | None, Query(ge=1, le=10080)] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> schemas.JornadasOut:
    """Journeys by status, campaign, member, or signing deadline within N minutes."""
    within = timedelta(minutes=expiring_within_minutes) if expiring_within_minutes else None
    query = visibility_query(status, campaign, member, within, now)
    executions = await common.list_executions(client, query, limit)
    ui = temporal_ui(request)
    items = []
    for e in executions:
        attrs = e.typed_search_attributes
        amount = attrs.get(AMOUNT_REQUESTED)
        items.append(
            schemas.JornadaResumenOut(
                workflow_id=e.id,
                estado=attrs.get(CREDIT_STATUS),
                socio=attrs.get(MEMBER_ID),
                campana=attrs.get(CAMPAIGN_KEY),
                monto=money(round(amount * 100)) if amount is not None else None,
                plazo_firma=attrs.get(SIGNING_DEADLINE),
                inicio=e.start_time,
                ejecucion=e.status.name if e.status else "UNKNOWN",
                enlace_temporal=workflow_link(ui, client.namespace, e.id),
            )
        )
    members = sorted({str(i.socio) for i in items if i.socio})
    details = {"consulta": query[:200], "socios": members[:100], "jornadas": len(items)}
    await _audit(session, officer.username, PERSONAL_DATA_READ, "credit-journeys", details)
    return schemas.JornadasOut(
        consulta=query,
        enlace_consulta=query_link(ui, client.namespace, query),
        jornadas=items,
    )


def journey_handle(client: Client, journey_id: str) -> WorkflowHandle[Any, CreditJourneyState]:
    """A credit journey's handle; 404 for anything that is not a credit journey ID."""
    if not re.fullmatch(JOURNEY_ID, journey_id):
        raise common.journey_not_found()
    return client.get_workflow_handle_for(WF.run, journey_id)


@router.get("/journeys/{journey_id}", response_model=dict[str, Any])
async def journey(
    request: Request,
    journey_id: JourneyPath,
    officer: CurrentOfficer,
    client: TemporalClient,
    session: DbSession,
) -> Any:
    """The full state Query (offer, consent, documents, signatories, audit trail).

    Plus ``enlace_temporal`` (the journey in the Temporal Web UI), ``socio`` (the member's
    name and identification, from the database) and ``presentacion``: the member's view of
    the same state with money as strings (``api.schemas.credit.JornadaOut``), the offer's
    maximum always shown.
    """
    state = await common.query_state(journey_handle(client, journey_id), common.journey_not_found)
    member = (
        await session.execute(
            select(Member.first_names, Member.last_names, Member.identification).where(
                Member.id == state.offer.member_id
            )
        )
    ).first()
    view = journey_out(state)
    view.oferta = offer_out(state.status, state.offer, revealed=True)
    body: dict[str, Any] = _STATE.dump_python(state, mode="json")
    body["workflow_id"] = journey_id
    body["enlace_temporal"] = workflow_link(temporal_ui(request), client.namespace, journey_id)
    body["socio"] = (
        {
            "id": state.offer.member_id,
            "nombre": f"{member.first_names} {member.last_names}",
            "identificacion": member.identification,
        }
        if member
        else None
    )
    body["presentacion"] = view.model_dump(mode="json")
    subject = member_subject(state.offer.member_id)
    await _audit(session, officer.username, PERSONAL_DATA_READ, subject, {"jornada": journey_id})
    return body


async def _officer_update(
    journey_id: str,
    action: str,
    body: schemas.AccionIn,
    officer: str,
    session: DbSession,
    client: Client,
) -> schemas.AccionOut:
    """Regenerate or cancel, audited with its outcome (refusals too)."""
    handle = journey_handle(client, journey_id)
    method = WF.regenerate if action == "regenerar" else WF.cancel
    details: dict[str, Any] = {"motivo": body.motivo}
    try:
        state = await common.update(
            handle,
            method,
            OfficerAction(officer, body.motivo),
            not_found=common.journey_not_found,
            rpc_timeout=ACTION_TIMEOUT,
        )
    except ApiError as exc:
        details["resultado"] = exc.code
        await _audit(session, officer, f"credito.{action}", journey_id, details)
        raise
    details["resultado"] = "OK"
    await _audit(session, officer, f"credito.{action}", journey_id, details)
    return schemas.AccionOut(
        workflow_id=journey_id,
        estado=state.status,
        generacion=state.generation,
        plazo_firma=state.deadline,
    )


@router.post("/journeys/{journey_id}/regenerate", response_model=schemas.AccionOut)
async def regenerate(
    journey_id: JourneyPath,
    body: schemas.AccionIn,
    officer: CurrentOfficer,
    session: DbSession,
    client: TemporalClient,
) -> schemas.AccionOut:
    """New documents, new signing links and a new 19:00 deadline."""
    return await _officer_update(journey_id, "regenerar", body, officer.username, session, client)


@router.post("/journeys/{journey_id}/cancel", response_model=schemas.AccionOut)
async def cancel(
    journey_id: JourneyPath,
    body: schemas.AccionIn,
    officer: CurrentOfficer,
    session: DbSession,
    client: TemporalClient,
) -> schemas.AccionOut:
    """End the journey (any status before the disbursement starts)."""
    return await _officer_update(journey_id, "cancelar", body, officer.username, session, client)
