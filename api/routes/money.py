"""Starting transfers, bill payments and card payments; bill look-ups; payable cards.

Each POST needs an ``Idempotency-Key`` header and answers with the preview (amount,
commission, IVA, total, destination) and where the SMS code went; the member confirms
with ``POST /movements/{key}/confirm`` (``api/routes/movements.py``). Starting is
``api.movements_service.start_movement``.
"""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Request, status
from sqlalchemy import select
from starlette.concurrency import run_in_threadpool

from api.deps import CurrentMember, DbSession, TemporalClient, app_state
from api.errors import ApiError
from api.movements_service import (
    RESPONSES,
    IdempotencyKey,
    checked_key,
    require_origin,
    start_movement,
)
from api.schemas.common import money
from api.schemas.movements import (
    ConsultaServicioIn,
    ConsultaServicioOut,
    InstitucionOut,
    MovimientoOut,
    PagoServicioIn,
    PagoTarjetaIn,
    ReciboConsultaOut,
    TarjetaPagableOut,
    TransferenciaIn,
    ValoresAPagarOut,
)
from api.temporal import unavailable
from bank.adapters import spi_institutions
from bank.adapters.biller_catalog import COMPANY_BY_CODE
from bank.adapters.biller_types import BillerNetwork, BillerUnavailable, LookupState
from bank.core.money import iva_cents, to_cents
from bank.models import Card, CardKind, CardStatus, RegisteredCard
from bank.notifications import spanish
from bank.payments.identification import validate_identification
from bank.payments.orders import CardOption, MovementKind, NewBeneficiary, Order

router = APIRouter(tags=["Transferencias y pagos"], responses=RESPONSES)

_TRANSFER_KINDS = {
    "PROPIAS": MovementKind.OWN_TRANSFER,
    "COOPROGRESO": MovementKind.COOP_TRANSFER,
    "INTERBANCARIA": MovementKind.INTERBANK_TRANSFER,
}


def _service_fee(request: Request) -> tuple[int, int]:
    """Commission per receipt and its IVA (``COOP_PAY_FEE_SERVICE_PAYMENT``)."""
    fee = app_state(request).adapters.payment_rules.fee(MovementKind.SERVICE_PAYMENT)
    return fee, iva_cents(fee)


@router.get("/transfers/institutions", response_model=list[InstitucionOut])
async def institutions(member: CurrentMember) -> list[InstitucionOut]:
    """Institutions reachable by interbank transfer; which credit immediately."""
    return [
        InstitucionOut(codigo=i.code, nombre=i.name, acreditacion_inmediata=i.immediate)
        for i in sorted(spi_institutions.INSTITUTIONS, key=lambda i: i.name)
    ]


@router.post("/transfers", response_model=MovimientoOut, status_code=status.HTTP_201_CREATED)
async def start_transfer(
    body: TransferenciaIn,
    request: Request,
    member: CurrentMember,
    client: TemporalClient,
    idempotency_key: IdempotencyKey = None,
) -> MovimientoOut:
    """Preview a transfer (own accounts, another Cooprogreso member, another institution)."""
    key = checked_key(idempotency_key)
    await require_origin(request, member.member_id, body.cuenta_origen)
    kind = _TRANSFER_KINDS[body.tipo]
    new = body.nuevo_beneficiario
    payee = None
    if new is not None:
        if kind is MovementKind.OWN_TRANSFER:
            raise ApiError(
                422, "DATOS_INVALIDOS", "Las transferencias propias no usan beneficiario."
            )
        if kind is MovementKind.INTERBANK_TRANSFER and new.institucion is None:
            raise ApiError(422, "INSTITUCION_REQUERIDA", "Selecciona la institución financiera.")
        payee = NewBeneficiary(
            name=new.nombre,
            identification_type=new.tipo_identificacion,
            identification=validate_identification(new.tipo_identificacion, new.identificacion),
            account_number=new.cuenta,
            institution_code=new.institucion or "",
            account_type=new.tipo_cuenta,
            save=new.guardar,
        )
    given = sum(x is not None for x in (body.cuenta_destino, body.beneficiario_id, new))
    if given != 1 or (kind is MovementKind.OWN_TRANSFER and body.cuenta_destino is None):
        raise ApiError(
            422,
            "DESTINO_INVALIDO",
            "Indica un solo destino: una cuenta, un beneficiario o un nuevo beneficiario.",
        )
    if kind is MovementKind.INTERBANK_TRANSFER and body.cuenta_destino is not None:
        raise ApiError(
            422, "DESTINO_INVALIDO", "Para otra institución elige o ingresa un beneficiario."
        )
    order = Order(
        kind=kind,
        member_id=member.member_id,
        origin_account=body.cuenta_origen,
        channel=body.canal,
        amount_cents=to_cents(body.monto),
        reference=body.referencia,
        destination_account=body.cuenta_destino or "",
        beneficiary_id=body.beneficiario_id,
        new_beneficiary=payee,
    )
    return await start_movement(request, client, key, order)


def billers(request: Request) -> BillerNetwork:
    """The biller network of this process (``bank.adapters.wiring``)."""
    return app_state(request).adapters.billers


@router.post("/services/lookup", response_model=ConsultaServicioOut)
async def lookup_bill(
    body: ConsultaServicioIn, request: Request, member: CurrentMember
) -> ConsultaServicioOut:
    """Pending receipts of a supply / account / contract number, with commission and IVA.

    ``valores_a_pagar`` totals the receipts in ``recibos`` (all pending ones when omitted),
    as the payment's preview will; a receipt that is not pending is 422
    ``RECIBO_NO_PENDIENTE``.
    """
    company = COMPANY_BY_CODE.get(body.empresa)
    if company is None:
        raise ApiError(422, "EMPRESA_INVALIDA", "La empresa seleccionada no es válida.")
    try:
        found = await run_in_threadpool(
            partial(billers(request).lookup, company.code, body.suministro)
        )
    except BillerUnavailable as exc:
        raise unavailable() from exc
    if found.state is LookupState.UNKNOWN_REFERENCE:
        raise ApiError(
            422,
            "SUMINISTRO_INEXISTENTE",
            spanish.not_registered(company.reference_label, company.name),
        )
    if found.state is LookupState.NO_PENDING_BILL:
        raise ApiError(
            422, "SIN_FACTURA_PENDIENTE", "No tienes valores pendientes de pago para este servicio."
        )
    fee, iva = _service_fee(request)
    chosen = list(found.receipts)
    if body.recibos is not None:
        wanted = set(body.recibos)
        chosen = [r for r in found.receipts if r.number in wanted]
        if len(wanted) != len(body.recibos) or len(chosen) != len(wanted):
            raise ApiError(
                422,
                "RECIBO_NO_PENDIENTE",
                "Uno de los recibos seleccionados ya no está pendiente de pago.",
            )
    amount = sum(r.amount_cents for r in chosen)
    return ConsultaServicioOut(
        empresa=company.code,
        nombre_empresa=company.name,
        suministro=body.suministro,
        titular=found.holder_name,
        recibos=[
            ReciboConsultaOut(
                numero=r.number,
                periodo=r.period,
                vencimiento=r.due_on.isoformat(),
                monto=money(r.amount_cents),
                comision=money(fee),
                iva=money(iva),
                total=money(r.amount_cents + fee + iva),
            )
            for r in found.receipts
        ],
        # The preview charges the same: the receipts' sum plus commission and IVA per receipt.
        valores_a_pagar=ValoresAPagarOut(
            recibos=[r.number for r in chosen],
            monto=money(amount),
            comision=money(fee * len(chosen)),
            iva=money(iva * len(chosen)),
            total=money(amount + (fee + iva) * len(chosen)),
        ),
    )


@router.post(
    "/services/payments", response_model=MovimientoOut, status_code=status.HTTP_201_CREATED
)
async def start_service_payment(
    body: PagoServicioIn,
    request: Request,
    member: CurrentMember,
    client: TemporalClient,
    idempotency_key: IdempotencyKey = None,
) -> MovimientoOut:
    """Preview the payment of the selected receipts (amounts come from the biller)."""
    key = checked_key(idempotency_key)
    await require_origin(request, member.member_id, body.cuenta_origen)
    order = Order(
        kind=MovementKind.SERVICE_PAYMENT,
        member_id=member.member_id,
        origin_account=body.cuenta_origen,
        channel=body.canal,
        company_code=body.empresa,
        supply_number=body.suministro,
        receipts=tuple(body.recibos),
    )
    return await start_movement(request, client, key, order)


@router.get("/cards/payable", response_model=list[TarjetaPagableOut])
async def payable_cards(member: CurrentMember, db: DbSession) -> list[TarjetaPagableOut]:
    """Cards the member can pay: Cooprogreso credit cards and registered other banks' cards."""
    own = await db.scalars(
        select(Card)
        .where(
            Card.member_id == member.member_id,
            Card.kind == CardKind.CREDIT,
            Card.status != CardStatus.INACTIVA,
        )
        .order_by(Card.id)
    )
    others = await db.scalars(
        select(RegisteredCard)
        .where(RegisteredCard.member_id == member.member_id)
        .order_by(RegisteredCard.id)
    )
    result = [
        TarjetaPagableOut(
            id=card.id,
            tipo="COOPROGRESO",
            marca=card.brand,
            numero=card.masked_number,
            institucion="COOPROGRESO",
            pago_minimo=money(min(card.minimum_payment_cents, card.revolving_used_cents)),
            pago_total=money(card.revolving_used_cents),
            fecha_maxima_pago=card.payment_due_date.isoformat() if card.payment_due_date else None,
        )
        for card in own
    ]
    for other in others:
        found = spi_institutions.institution(other.institution_code)
        result.append(
            TarjetaPagableOut(
                id=other.id,
                tipo="OTRO_BANCO",
                marca=other.brand,
                numero=other.masked_number,
                institucion=found.name if found else other.institution_code,
            )
        )
    return result


@router.post("/card-payments", response_model=MovimientoOut, status_code=status.HTTP_201_CREATED)
async def start_card_payment(
    body: PagoTarjetaIn,
    request: Request,
    member: CurrentMember,
    client: TemporalClient,
    idempotency_key: IdempotencyKey = None,
) -> MovimientoOut:
    """Preview a card payment: minimum, total or another amount."""
    key = checked_key(idempotency_key)
    await require_origin(request, member.member_id, body.cuenta_origen)
    if (body.tarjeta_id is None) == (body.tarjeta_registrada_id is None):
        raise ApiError(422, "TARJETA_REQUERIDA", "Selecciona una sola tarjeta a pagar.")
    if body.opcion == "OTRO" and body.monto is None:
        raise ApiError(422, "MONTO_REQUERIDO", "Ingresa el monto a pagar.")
    if body.opcion != "OTRO" and body.monto is not None:
        raise ApiError(422, "MONTO_NO_PERMITIDO", "El monto solo se ingresa con la opción OTRO.")
    order = Order(
        kind=MovementKind.COOP_CARD_PAYMENT if body.tarjeta_id else MovementKind.OTHER_CARD_PAYMENT,
        member_id=member.member_id,
        origin_account=body.cuenta_origen,
        channel=body.canal,
        amount_cents=to_cents(body.monto) if body.monto is not None else 0,
        card_id=body.tarjeta_id,
        registered_card_id=body.tarjeta_registrada_id,
        card_option=CardOption(body.opcion),
    )
    return await start_movement(request, client, key, order)
