"""The card network and the monthly close, simulated for the embedded run (``/dev``).

Mounted only with ``COOP_DEV_OUTBOX`` (like the dev mailbox): a purchase at a merchant on
the member's own credit card, as the card network would post it, and the monthly close run
now by an officer, as its Schedule would (the same ``CardBillingWorkflow``).
"""

from __future__ import annotations

import asyncio
from typing import Annotated

from fastapi import APIRouter, Path, Request
from sqlalchemy.orm import Session
from temporalio.client import WorkflowFailureError
from temporalio.service import RPCError

from api import temporal
from api.deps import CurrentMember, CurrentOfficer, DbSession, Now, TemporalClient, app_state
from api.domain_calls import run
from api.errors import ApiError
from api.schemas.card_credit import CierreOut, CompraIn, ConsumoOut
from api.schemas.common import ERROR_RESPONSES, money
from bank.cards import books, purchases
from bank.core.money import to_cents
from workflows.card_billing.contract import WORKFLOW_ID_PREFIX, BillingInput
from workflows.card_billing.workflow import CardBillingWorkflow

network_router = APIRouter(prefix="/dev/cards/{card_id}", tags=["dev"])
billing_router = APIRouter(prefix="/dev/card-billing", tags=["dev"])
CardId = Annotated[int, Path(ge=1, le=2**63 - 1)]
RESPONSES = ERROR_RESPONSES
CLOSE_WAIT_S = 60.0


@network_router.post("/purchases", response_model=ConsumoOut, status_code=201, responses=RESPONSES)
async def simulate_purchase(
    card_id: CardId, body: CompraIn, member: CurrentMember, db: DbSession, now: Now
) -> ConsumoOut:
    """The card network simulator: a purchase at a merchant (embedded run only)."""

    def buy(session: Session) -> ConsumoOut:
        card = books.credit_card(session, member.member_id, card_id, lock=True)
        key = f"sim:{card.id}:{now.isoformat()}"
        row = purchases.record_purchase(
            session, card, key, body.comercio, to_cents(body.monto), now
        )
        return ConsumoOut(
            id=row.id,
            fecha=row.posted_at,
            comercio=row.merchant,
            monto=money(row.amount_cents),
            diferido=False,
            diferible=True,
            plazo_meses=None,
        )

    return await run(db, buy, commit=True)


@billing_router.post("/close", response_model=CierreOut, responses=RESPONSES)
async def close_cycle(
    officer: CurrentOfficer, client: TemporalClient, request: Request, now: Now
) -> CierreOut:
    """Run the monthly close now, as its Schedule would (embedded run, an officer only).

    The same ``CardBillingWorkflow`` the Schedule starts: it closes the cycle that ``now``
    belongs to (the last cycle day before today) for every card still open for it.
    """
    del officer  # the dependency is the check
    run_id = f"{WORKFLOW_ID_PREFIX}dev-{now.strftime('%Y%m%dT%H%M%S%f')}"
    await temporal.start(
        client,
        CardBillingWorkflow.run,
        BillingInput(),
        id=run_id,
        task_queue=app_state(request).settings.task_queue,
    )
    handle = client.get_workflow_handle_for(CardBillingWorkflow.run, run_id)
    try:
        state = await asyncio.wait_for(handle.result(), timeout=CLOSE_WAIT_S)
    except (TimeoutError, WorkflowFailureError, RPCError) as exc:
        raise ApiError(
            503, "CIERRE_EN_CURSO", "El cierre sigue en curso: revísalo en Temporal."
        ) from exc
    return CierreOut(corte=state.cycle_end, estados_cerrados=state.closed)
