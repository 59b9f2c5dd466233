"""A credit card's consumos, Diferido de tarjetas and estados de cuenta (manual §1 and §5).

Reads run on the request's session; a deferral is ``CardDeferralWorkflow`` (one per card,
a new one replaces a pending one): ``POST /deferrals`` simulates, starts it and answers once
the SMS code is out; ``…/confirm`` and ``…/cancel`` are its updates; ``…/current`` its query.
Paying a deferral off is one transaction, no waiting: no workflow. Every route first checks
the card is the caller's credit card (another member's answers 404 like a missing one).
"""

from __future__ import annotations

import asyncio
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Path, Request, Response, status
from sqlalchemy import select
from sqlalchemy.orm import Session
from temporalio.client import Client, WorkflowHandle
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy

from api import temporal
from api.deps import CurrentMember, DbSession, Now, TemporalClient, app_state
from api.domain_calls import run
from api.errors import ApiError, wrong_code
from api.schemas.card_credit import (
    CodigoIn,
    ConceptoOut,
    ConsumoOut,
    ConsumosOut,
    DiferidoOut,
    DiferidosOut,
    DiferimientoOut,
    EstadoCuentaOut,
    EstadosCuentaOut,
    PlazoOut,
    PlazosOut,
    PrecancelacionOut,
    SimulacionIn,
    SimulacionOut,
    journey_out,
    plan_out,
    rate,
)
from api.schemas.common import ERROR_RESPONSES, money
from bank.cards import billing, books, deferrals, purchases
from bank.cards.config import CardRules
from bank.cards.deferrals import DeferralPlan
from bank.cards.statements import StatementDocument, statement_document
from bank.core.errors import DomainError
from bank.core.money import to_cents
from bank.credit.deadline import local_date
from bank.models import CardBooks, CardDeferral, CardPurchase, CardStatement
from bank.reports.card_statement_pdf import render_card_statement_pdf
from workflows.card_deferral.contract import (
    Confirmation,
    DeferralInput,
    DeferralState,
    Status,
    workflow_id,
)
from workflows.card_deferral.workflow import CardDeferralWorkflow

router = APIRouter(prefix="/cards/{card_id}", tags=["Tarjetas: diferidos y estados de cuenta"])
CardId = Annotated[int, Path(ge=1, le=2**63 - 1)]
ItemId = Annotated[int, Path(ge=1, le=2**63 - 1)]
RESPONSES = ERROR_RESPONSES


def _rules(request: Request) -> CardRules:
    return app_state(request).adapters.card_rules


def not_found() -> ApiError:
    return ApiError(404, "DIFERIMIENTO_NO_ENCONTRADO", "No hay un diferido en curso.")


@router.get("/purchases", response_model=ConsumosOut, responses=RESPONSES)
async def list_purchases(card_id: CardId, member: CurrentMember, db: DbSession) -> ConsumosOut:
    """Consumos de la tarjeta, newest first, each saying whether it is (or can be) deferred."""

    def read(session: Session) -> list[ConsumoOut]:
        card = books.credit_card(session, member.member_id, card_id)
        rows = purchases.purchases_of(session, card.id)
        return [
            ConsumoOut(
                id=purchase.id,
                fecha=purchase.posted_at,
                comercio=purchase.merchant,
                monto=money(purchase.amount_cents),
                diferido=deferral is not None,
                diferible=deferral is None and card.revolving_used_cents > 0,
                plazo_meses=deferral.term_months if deferral else None,
            )
            for purchase, deferral in rows
        ]

    return ConsumosOut(tarjeta_id=card_id, consumos=await run(db, read))


@router.get("/deferrals/terms", response_model=PlazosOut, responses=RESPONSES)
async def deferral_terms(
    card_id: CardId, member: CurrentMember, db: DbSession, request: Request
) -> PlazosOut:
    """The terms a purchase can be deferred to, and which of them are interest-free."""
    await run(db, lambda session: books.credit_card(session, member.member_id, card_id))
    rules = _rules(request)
    return PlazosOut(
        plazos=[
            PlazoOut(
                meses=term,
                sin_intereses=term in rules.interest_free_terms,
                tasa_anual=rate(rules.deferral_rate(term)),
            )
            for term in rules.deferral_terms
        ]
    )


async def _simulate(
    db: DbSession, member_id: int, card_id: int, body: SimulacionIn, rules: CardRules, now: datetime
) -> DeferralPlan:
    def simulate(session: Session) -> DeferralPlan:
        card = books.credit_card(session, member_id, card_id)
        return deferrals.simulate(
            session,
            card,
            body.consumo_id,
            to_cents(body.monto),
            body.plazo_meses,
            rules,
            local_date(now),
        )

    return await run(db, simulate)


@router.post("/deferrals/simulate", response_model=SimulacionOut, responses=RESPONSES)
async def simulate_deferral(
    card_id: CardId,
    body: SimulacionIn,
    member: CurrentMember,
    db: DbSession,
    request: Request,
    now: Now,
) -> SimulacionOut:
    """Simula el diferido en monto y plazo: the installment table, nothing written."""
    plan = await _simulate(db, member.member_id, card_id, body, _rules(request), now)
    return plan_out(plan)


@router.post(
    "/deferrals",
    response_model=DiferimientoOut,
    status_code=status.HTTP_201_CREATED,
    responses=RESPONSES,
)
async def start_deferral(
    card_id: CardId,
    body: SimulacionIn,
    member: CurrentMember,
    db: DbSession,
    client: TemporalClient,
    request: Request,
    now: Now,
) -> DiferimientoOut:
    """Confirmar: the simulated deferral waits for the SMS code bound to it (or why not)."""
    plan = await _simulate(db, member.member_id, card_id, body, _rules(request), now)
    journey = workflow_id(card_id)
    await temporal.start(
        client,
        CardDeferralWorkflow.run,
        DeferralInput(
            member.member_id, card_id, plan.purchase_id, plan.amount_cents, plan.term_months
        ),
        id=journey,
        task_queue=app_state(request).settings.task_queue,
        # A new deferral replaces one still waiting for its code (that code is voided too).
        id_conflict_policy=WorkflowIDConflictPolicy.TERMINATE_EXISTING,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
    )
    state = await temporal.update(
        _handle(client, card_id), CardDeferralWorkflow.prepared, not_found=not_found
    )
    return _answer(state, plan)


@router.get("/deferrals/current", response_model=DiferimientoOut, responses=RESPONSES)
async def current_deferral(
    card_id: CardId,
    member: CurrentMember,
    db: DbSession,
    client: TemporalClient,
    request: Request,
    now: Now,
) -> DiferimientoOut:
    """The card's latest deferral journey (to resume the code step)."""
    await _owned(db, member.member_id, card_id)
    handle = _handle(client, card_id)
    state = await temporal.query(handle, CardDeferralWorkflow.state, not_found=not_found)
    return journey_out(state, await _planned(db, member.member_id, state, request, now))


@router.post("/deferrals/confirm", response_model=DiferimientoOut, responses=RESPONSES)
async def confirm_deferral(
    card_id: CardId,
    body: CodigoIn,
    member: CurrentMember,
    db: DbSession,
    client: TemporalClient,
    request: Request,
    now: Now,
) -> DiferimientoOut:
    """The SMS code: right → the purchase is deferred (its shape is the workflow validator's)."""
    await _owned(db, member.member_id, card_id)
    state = await temporal.update(
        _handle(client, card_id),
        CardDeferralWorkflow.confirm,
        (Confirmation(body.codigo),),
        not_found=not_found,
    )
    if state.status is Status.AWAITING_OTP:
        raise wrong_code(state.otp_attempts_left)
    return _answer(state, await _planned(db, member.member_id, state, request, now))


@router.post("/deferrals/cancel", response_model=DiferimientoOut, responses=RESPONSES)
async def cancel_deferral(
    card_id: CardId,
    member: CurrentMember,
    db: DbSession,
    client: TemporalClient,
    request: Request,
    now: Now,
) -> DiferimientoOut:
    """ "Cancelar" on the code step: nothing is deferred."""
    await _owned(db, member.member_id, card_id)
    handle = _handle(client, card_id)
    state = await temporal.update(handle, CardDeferralWorkflow.cancel, not_found=not_found)
    return journey_out(state, await _planned(db, member.member_id, state, request, now))


def _deferral_out(
    deferral: CardDeferral, purchase: CardPurchase, billed: int, left: int
) -> DiferidoOut:
    return DiferidoOut(
        id=deferral.id,
        consumo_id=purchase.id,
        comercio=purchase.merchant,
        fecha=deferral.created_at,
        monto=money(deferral.principal_cents),
        plazo_meses=deferral.term_months,
        tasa_anual=rate(deferral.annual_rate),
        cuota=money(deferral.installment_cents),
        cuotas_facturadas=billed,
        capital_pendiente=money(left),
        estado=deferral.status.value,
    )


@router.get("/deferrals", response_model=DiferidosOut, responses=RESPONSES)
async def list_deferrals(card_id: CardId, member: CurrentMember, db: DbSession) -> DiferidosOut:
    """The card's deferrals, newest first, with installments billed and principal left."""

    def read(session: Session) -> list[DiferidoOut]:
        card = books.credit_card(session, member.member_id, card_id)
        return [_deferral_out(*row) for row in deferrals.deferrals_of(session, card.id)]

    return DiferidosOut(tarjeta_id=card_id, diferidos=await run(db, read))


@router.post(
    "/deferrals/{deferral_id}/payoff", response_model=PrecancelacionOut, responses=RESPONSES
)
async def pay_off_deferral(
    card_id: CardId, deferral_id: ItemId, member: CurrentMember, db: DbSession, now: Now
) -> PrecancelacionOut:
    """Precancelar: the principal left goes to the revolving balance, no future interest."""

    def pay_off(session: Session) -> tuple[DiferidoOut, int]:
        card = books.credit_card(session, member.member_id, card_id, lock=True)
        moved = deferrals.pay_off(session, card, deferral_id, now)
        [row] = deferrals.deferrals_of(session, card.id, deferral_id)
        return _deferral_out(*row), moved

    out, moved = await run(db, pay_off, commit=True)
    return PrecancelacionOut(
        diferido=out,
        capital_trasladado=money(moved),
        mensaje="Precancelaste tu diferido: el capital pendiente pasó a tu saldo rotativo y "
        "ya no pagarás intereses futuros.",
    )


@router.get("/statements", response_model=EstadosCuentaOut, responses=RESPONSES)
async def list_statements(
    card_id: CardId, member: CurrentMember, db: DbSession, request: Request, now: Now
) -> EstadosCuentaOut:
    """Estados de cuenta, the latest first; the latest with what is left of it to pay."""
    rules = _rules(request)

    def read(session: Session) -> tuple[list[CardStatement], billing.Outstanding | None]:
        card = books.credit_card(session, member.member_id, card_id)
        rows = list(
            session.scalars(
                select(CardStatement)
                .where(CardStatement.card_id == card.id)
                .order_by(CardStatement.cycle_end.desc())
            )
        )
        if not rows:
            return rows, None
        card_books = session.get(CardBooks, card.id)  # a closed statement opened them
        assert card_books is not None
        left = billing.outstanding(session, rows[0], card_books.revolving_account_id, rules, now)
        return rows, left

    rows, left = await run(db, read)
    return EstadosCuentaOut(
        tarjeta_id=card_id,
        estados=[
            _statement_out(card_id, row, left if n == 0 else None) for n, row in enumerate(rows)
        ],
    )


def _statement_out(
    card_id: int, row: CardStatement, left: billing.Outstanding | None
) -> EstadoCuentaOut:
    return EstadoCuentaOut(
        id=row.id,
        corte=row.cycle_end,
        desde=row.period_start,
        pagar_hasta_el=row.due_date,
        saldo_anterior=money(row.previous_balance_cents),
        consumos=money(row.purchases_cents),
        pagos=money(row.payments_cents),
        cuotas_diferidos=money(row.installments_cents),
        intereses=money(row.interest_cents),
        total_a_pagar=money(row.total_due_cents),
        pago_minimo=money(row.minimum_payment_cents),
        utilizado_diferido=money(row.deferred_balance_cents),
        por_pagar=money(left.total_cents) if left else None,
        minimo_por_pagar=money(left.minimum_left_cents) if left else None,
        por_pagar_detalle=(
            [ConceptoOut(concepto=name, monto=money(cents)) for name, cents in left.parts]
            if left
            else None
        ),
        pdf=f"/api/v1/cards/{card_id}/statements/{row.id}/pdf",
    )


@router.get(
    "/statements/{statement_id}/pdf",
    response_class=Response,
    responses={**RESPONSES, 200: {"content": {"application/pdf": {}}}},
)
async def statement_pdf(
    card_id: CardId, statement_id: ItemId, member: CurrentMember, db: DbSession
) -> Response:
    """The statement as a PDF, rendered on demand from its frozen figures."""

    def render(session: Session) -> tuple[StatementDocument, str]:
        card = books.credit_card(session, member.member_id, card_id)
        row = session.get(CardStatement, statement_id)
        if row is None or row.card_id != card.id:
            raise ApiError(404, "ESTADO_NO_ENCONTRADO", "No encontramos ese estado de cuenta.")
        return statement_document(session, card, row), row.cycle_end.isoformat()

    document, cycle = await run(db, render)
    pdf = await asyncio.to_thread(render_card_statement_pdf, document)
    return Response(
        pdf,
        media_type="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="estado-de-cuenta-{cycle}.pdf"'},
    )


async def _owned(db: DbSession, member_id: int, card_id: int) -> None:
    await run(db, lambda session: books.credit_card(session, member_id, card_id))


async def _planned(
    db: DbSession, member_id: int, state: DeferralState, request: Request, now: datetime
) -> DeferralPlan | None:
    """The table the member accepted for this journey (None when it cannot be drawn)."""
    rules = _rules(request)

    def draw(session: Session) -> DeferralPlan | None:
        card = books.credit_card(session, member_id, state.card_id)
        try:
            return deferrals.planned(
                session,
                card,
                state.purchase_id,
                state.amount_cents,
                state.term_months,
                rules,
                local_date(now),
            )
        except DomainError:  # a term or rate the journey was refused for
            return None

    return await run(db, draw)


def _handle(client: Client, card_id: int) -> WorkflowHandle[CardDeferralWorkflow, DeferralState]:
    """The card's deferral journey (its latest run)."""
    return client.get_workflow_handle_for(CardDeferralWorkflow.run, workflow_id(card_id))


def _answer(state: DeferralState, plan: DeferralPlan | None) -> DiferimientoOut:
    """A refused deferral is an error answer; waiting or done is the journey itself."""
    if state.status is Status.REFUSED and state.refusal is not None:
        raise ApiError(422, state.refusal.code, state.refusal.message)
    return journey_out(state, plan)
