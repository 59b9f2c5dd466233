"""The journal entry of each kind of movement: principal, commission, IVA as separate legs.

The member's legs come first in the manual's order (principal, then its commission, then
the commission's IVA); the institution's side uses the same codes (``bank.movement_codes``).
"""

from __future__ import annotations

from bank import chart
from bank import movement_codes as mc
from bank.ledger import EntryRequest, Leg
from bank.movement_codes import Movement
from workflows.movement_types import Kind, Preview

_PRINCIPAL: dict[Kind, tuple[Movement, Movement, Movement]] = {
    # (member debit, fee, IVA)
    Kind.OWN_TRANSFER: (mc.TRANSFER_DEBIT, mc.TRANSFER_FEE, mc.TRANSFER_IVA),
    Kind.COOP_TRANSFER: (mc.TRANSFER_DEBIT, mc.TRANSFER_FEE, mc.TRANSFER_IVA),
    Kind.INTERBANK_TRANSFER: (mc.SPI_DEBIT, mc.SPI_FEE, mc.SPI_IVA),
    Kind.OTHER_CARD_PAYMENT: (mc.CARD_PAYMENT, mc.SPI_FEE, mc.SPI_IVA),
    Kind.COOP_CARD_PAYMENT: (mc.CARD_PAYMENT, mc.TRANSFER_FEE, mc.TRANSFER_IVA),
    Kind.SERVICE_PAYMENT: (mc.SERVICE_PAYMENT, mc.SERVICE_FEE, mc.SERVICE_IVA),
}

_REVERSAL: dict[Kind, Movement] = {
    Kind.INTERBANK_TRANSFER: mc.SPI_REVERSAL,
    Kind.OTHER_CARD_PAYMENT: mc.CARD_PAYMENT_REVERSAL,
    Kind.SERVICE_PAYMENT: mc.SERVICE_PAYMENT_REVERSAL,
}

_DESCRIPTIONS: dict[Kind, str] = {
    Kind.OWN_TRANSFER: "Transferencia entre cuentas propias",
    Kind.COOP_TRANSFER: "Transferencia Cooprogreso",
    Kind.INTERBANK_TRANSFER: "Transferencia interbancaria SPI",
    Kind.SERVICE_PAYMENT: "Pago de servicios",
    Kind.COOP_CARD_PAYMENT: "Pago tarjeta Cooprogreso",
    Kind.OTHER_CARD_PAYMENT: "Pago tarjeta otros bancos SPI",
}


def _counterpart(preview: Preview, gl: dict[str, int]) -> tuple[int, Movement]:
    """Where the principal goes and under which code."""
    kind = preview.kind
    if kind in (Kind.OWN_TRANSFER, Kind.COOP_TRANSFER):
        assert preview.destination.account_id is not None
        return preview.destination.account_id, mc.TRANSFER_CREDIT
    if kind is Kind.SERVICE_PAYMENT:
        return gl[chart.BILLER_SETTLEMENT], mc.SERVICE_PAYMENT
    if kind is Kind.COOP_CARD_PAYMENT:
        return gl[chart.CARD_SETTLEMENT], mc.CARD_PAYMENT
    return gl[chart.SPI_CLEARING], _PRINCIPAL[kind][0]


def entry_for(movement_id: str, preview: Preview, gl: dict[str, int]) -> EntryRequest:
    """The one balanced entry that moves the money of a confirmed preview."""
    debit, fee_code, iva_code = _PRINCIPAL[preview.kind]
    origin = preview.origin_account_id
    target, credit_code = _counterpart(preview, gl)
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
