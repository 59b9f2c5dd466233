"""A credit card's two ledger accounts, and posting to them with the card's counters in step.

Every purchase, deferral, installment, interest charge and payment of a card is a balanced
journal entry (``bank.ledger.post``) on the card's revolving and deferred accounts, whose
balances are negative: what the member owes. ``Card.revolving_used_cents`` and
``deferred_used_cents`` are a projection of those balances, written in the same
transaction, so the position's queries stay single-table reads; ``reconcile_cards`` checks
they agree. The identity ``revolving + deferred + available = cupo total`` holds at every
moment while the card is within its limit; billed interest can take the balances past the
limit, and then the available credit shows zero (it is never negative), not the overdraft.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from bank import ledger
from bank.cards.errors import CardNotFound
from bank.ledger import EntryKind, EntryRequest, Leg, chart
from bank.ledger import movement_codes as mc
from bank.models import Account, Card, CardBooks, CardKind, CardStatus, ProductType


def credit_card(session: Session, member_id: int, card_id: int, *, lock: bool = False) -> Card:
    """The member's credit card (locked for update when asked), or "not found".

    Raises:
        CardNotFound: no such card, another member's, a debit card or an inactive one.
    """
    card = session.get(Card, card_id, with_for_update=lock)
    if (
        card is None
        or card.member_id != member_id
        or card.kind is not CardKind.CREDIT
        or card.status is CardStatus.INACTIVA
    ):
        raise CardNotFound()
    return card


def open_books(session: Session, card: Card) -> CardBooks:
    """The card's accounts, opened at its first operation (with its figures as the opening).

    A card created with balances already on it (imported from the card processor) gets them
    as an opening entry against the card settlement account, so the ledger and the counters
    agree from the first posting on. Idempotent; the caller holds the card's row lock.
    """
    books = session.get(CardBooks, card.id)
    if books is not None:
        return books
    revolving = _account(card, ProductType.CARD_REVOLVING, "R", "ROTATIVO")
    deferred = _account(card, ProductType.CARD_DEFERRED, "D", "DIFERIDO")
    session.add_all([revolving, deferred])
    session.flush()
    books = CardBooks(
        card_id=card.id, revolving_account_id=revolving.id, deferred_account_id=deferred.id
    )
    session.add(books)
    session.flush()
    opening = card.revolving_used_cents + card.deferred_used_cents
    if opening:
        gl = chart.ensure_chart(session)
        legs = [
            Leg.of(mc.OPENING_BALANCE, revolving.id, -card.revolving_used_cents),
            Leg.of(mc.OPENING_BALANCE, deferred.id, -card.deferred_used_cents),
            Leg.of(mc.OPENING_BALANCE, gl[chart.CARD_SETTLEMENT], opening),
        ]
        post(
            session,
            card,
            books,
            EntryRequest(
                idempotency_key=f"card:{card.id}:opening",
                kind=EntryKind.SEED,
                description="Saldo inicial de la tarjeta",
                legs=tuple(leg for leg in legs if leg.amount_cents),
            ),
        )
    return books


def _account(card: Card, product: ProductType, suffix: str, label: str) -> Account:
    return Account(
        number=f"TC{card.id:010d}{suffix}",
        member_id=None,
        product=product,
        name=f"TARJETA {card.masked_number[-4:]} {label}",
        allow_negative=True,
        balance_cents=0,
        held_cents=0,
    )


def post(session: Session, card: Card, books: CardBooks, request: EntryRequest) -> None:
    """Post ``request`` and bring the card's counters to its accounts' balances."""
    ledger.post(session, request)
    sync(session, card, books)


def sync(session: Session, card: Card, books: CardBooks) -> None:
    """Set the card's counters from its two accounts (after any posting on them)."""
    accounts = (books.revolving_account_id, books.deferred_account_id)
    balances = {
        row[0]: row[1]
        for row in session.execute(
            select(Account.id, Account.balance_cents).where(Account.id.in_(accounts))
        )
    }
    card.revolving_used_cents = -balances[books.revolving_account_id]
    card.deferred_used_cents = -balances[books.deferred_account_id]
    session.flush()


@dataclass(frozen=True)
class CardMismatch:
    """A card whose counters disagree with its ledger accounts."""

    card_id: int
    revolving_cents: int
    revolving_ledger_cents: int
    deferred_cents: int
    deferred_ledger_cents: int


def reconcile_cards(session: Session) -> list[CardMismatch]:
    """Every card whose counters are not its accounts' balances (empty when the books agree)."""
    revolving = Account.__table__.alias("revolving")
    deferred = Account.__table__.alias("deferred")
    rows = session.execute(
        select(
            Card.id,
            Card.revolving_used_cents,
            -revolving.c.balance_cents,
            Card.deferred_used_cents,
            -deferred.c.balance_cents,
        )
        .join(CardBooks, CardBooks.card_id == Card.id)
        .join(revolving, revolving.c.id == CardBooks.revolving_account_id)
        .join(deferred, deferred.c.id == CardBooks.deferred_account_id)
    ).tuples()
    return [CardMismatch(*row) for row in rows if row[1] != row[2] or row[3] != row[4]]
