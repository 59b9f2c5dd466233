"""The journal entry of each kind of movement: principal, commission, IVA as separate legs.

The member's legs come first in the manual's order (principal, then its commission, then
the commission's IVA); the institution's side uses the same codes (``bank.ledger.movement_codes``).
"""

from __future__ import annotations

from bank.ledger import EntryRequest, Leg, chart
from bank.ledger import movement_codes as mc
from bank.ledger.movement_codes import Movement
from bank.payments.orders import MovementKind, Preview

_PRINCIPAL: dict[MovementKind, tuple[Movement, Movement, Movement]] = {
    # (member debit, fee, IVA)
    MovementKind.OWN_TRANSFER: (mc.TRANSFER_DEBIT, mc.TRANSFER_FEE, mc.TRANSFER_IVA),
    MovementKind.COOP_TRANSFER: (mc.TRANSFER_DEBIT, mc.TRANSFER_FEE, mc.TRANSFER_IVA),
    MovementKind.INTERBANK_TRANSFER: (mc.SPI_DEBIT, mc.SPI_FEE, mc.SPI_IVA),
    MovementKind.OTHER_CARD_PAYMENT: (mc.CARD_PAYMENT, mc.SPI_FEE, mc.SPI_IVA),
    MovementKind.COOP_CARD_PAYMENT: (mc.CARD_PAYMENT, mc.TRANSFER_FEE, mc.TRANSFER_IVA),
    MovementKind.SERVICE_PAYMENT: (mc.SERVICE_PAYMENT, mc.SERVICE_FEE, mc.SERVICE_IVA),
}

_REVERSAL: dict[MovementKind, Movement] = {
    MovementKind.INTERBANK_TRANSFER: mc.SPI_REVERSAL,
    MovementKind.OTHER_CARD_PAYMENT: mc.CARD_PAYMENT_REVERSAL,
    MovementKind.SERVICE_PAYMENT: mc.SERVICE_PAYMENT_REVERSAL,
}

_DESCRIPTIONS: dict[MovementKind, str] = {
    MovementKind.OWN_TRANSFER: "Transferencia entre cuentas propias",
    MovementKind.COOP_TRANSFER: "Transferencia Cooprogreso",
    MovementKind.INTERBANK_TRANSFER: "Transferencia interbancaria SPI",
    MovementKind.SERVICE_PAYMENT: "Pago de servicios",
    MovementKind.COOP_CARD_PAYMENT: "Pago tarjeta Cooprogreso",
    MovementKind.OTHER_CARD_PAYMENT: "Pago tarjeta otros bancos SPI",
}


def _counterpart(
    preview: Preview, gl: dict[str, int], card_account: int | None
) -> tuple[int, Movement]:
    """Where the principal goes and under which code."""
    kind = preview.kind
    if kind in (MovementKind.OWN_TRANSFER, MovementKind.COOP_TRANSFER):
        assert preview.destination.account_id is not None
        return preview.destination.account_id, mc.TRANSFER_CREDIT
    if kind is MovementKind.SERVICE_PAYMENT:
        return gl[chart.BILLER_SETTLEMENT], mc.SERVICE_PAYMENT
    if kind is MovementKind.COOP_CARD_PAYMENT:
        assert card_account is not None, "a Cooprogreso card payment credits the card's account"
        return card_account, mc.CARD_PAYMENT_CREDIT
    return gl[chart.SPI_CLEARING], _PRINCIPAL[kind][0]


def entry_for(
    movement_id: str, preview: Preview, gl: dict[str, int], card_account: int | None = None
) -> EntryRequest:
    """The one balanced entry that moves the money of a confirmed preview.

    ``card_account``: a Cooprogreso card payment credits the card's revolving account.
    """
    debit, fee_code, iva_code = _PRINCIPAL[preview.kind]
    origin = preview.origin_account_id
    target, credit_code = _counterpart(preview, gl, card_account)
    legs = [Leg.of(debit, origin, -preview.amount_cents)]
    if preview.fee_cents:
        legs.append(Leg.of(fee_code, origin, -preview.fee_cents))
    if preview.iva_cents:
        legs.append(Leg.of(iva_code, origin, -preview.iva_cents))
    legs.append(Leg.of(credit_code, target, preview.amount_cents))
    if preview.fee_cents:
        legs.append(Leg.of(fee_code, gl[chart.FEE_INCOME], preview.fee_cents))
    if preview.iva_cents:
        legs.append(Leg.of(iva_code, gl[chart.IVA_PAYABLE], preview.iva_cents))
    return EntryRequest(
        idempotency_key=f"{movement_id}:post",
        kind=str(preview.kind),
        description=_DESCRIPTIONS[preview.kind],
        legs=tuple(legs),
    )


def reversal_for(movement_id: str, preview: Preview, gl: dict[str, int]) -> EntryRequest:
    """Everything the member paid comes back (amount, commission, IVA), in one entry."""
    code = _REVERSAL[preview.kind]
    original = entry_for(movement_id, preview, gl)
    legs = tuple(Leg.of(code, leg.account_id, -leg.amount_cents) for leg in original.legs)
    # Credits to the member first: the member's "Saldo" column never dips on a reversal.
    ordered = tuple(sorted(legs, key=lambda leg: leg.account_id != preview.origin_account_id))
    return EntryRequest(
        idempotency_key=f"{movement_id}:reversal",
        kind="REVERSAL",
        description=f"Reverso: {_DESCRIPTIONS[preview.kind]}",
        legs=ordered,
    )
