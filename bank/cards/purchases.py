"""Consumos: purchases the card network charges to a card's revolving balance."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from bank.cards import books
from bank.cards.errors import CardRefused, OverLimit
from bank.credit.deadline import local_date
from bank.ledger import EntryKind, EntryRequest, Leg, chart
from bank.ledger import movement_codes as mc
from bank.models import Card, CardDeferral, CardPurchase

MAX_MERCHANT = 80


def record_purchase(
    session: Session,
    card: Card,
    key: str,
    merchant: str,
    amount_cents: int,
    at: datetime,
) -> CardPurchase:
    """Charge one purchase (idempotent by the network's ``key``): revolving up, available down.

    The caller holds the card's row lock (``books.credit_card(..., lock=True)``).

    Raises:
        OverLimit: the purchase is larger than the available credit.
        CardRefused: no merchant or a non-positive amount.
    """
    found = session.scalar(select(CardPurchase).where(CardPurchase.key == key))
    if found is not None:
        return found
    merchant = " ".join(merchant.split()).upper()[:MAX_MERCHANT]
    if not merchant or amount_cents <= 0:
        raise CardRefused("El consumo necesita un comercio y un monto mayor a cero.")
    if amount_cents > card.available_credit_cents:
        raise OverLimit()
    card_books = books.open_books(session, card)
    gl = chart.ensure_chart(session)
    books.post(
        session,
        card,
        card_books,
        EntryRequest(
            idempotency_key=f"card-purchase:{key}",
            kind=EntryKind.CARD_PURCHASE,
            description=f"Consumo {merchant}",
            value_date=local_date(at),
            legs=(
                Leg.of(mc.CARD_PURCHASE, card_books.revolving_account_id, -amount_cents),
                Leg.of(mc.CARD_PURCHASE, gl[chart.CARD_SETTLEMENT], amount_cents),
            ),
        ),
    )
    purchase = CardPurchase(
        card_id=card.id, key=key, merchant=merchant, amount_cents=amount_cents, posted_at=at
    )
    session.add(purchase)
    session.flush()
    return purchase


def purchases_of(session: Session, card_id: int) -> list[tuple[CardPurchase, CardDeferral | None]]:
    """The card's purchases, newest first, each with its deferral when it has one."""
    rows = session.execute(
        select(CardPurchase, CardDeferral)
        .outerjoin(CardDeferral, CardDeferral.purchase_id == CardPurchase.id)
        .where(CardPurchase.card_id == card_id)
        .order_by(CardPurchase.posted_at.desc(), CardPurchase.id.desc())
    ).tuples()
    return list(rows)
