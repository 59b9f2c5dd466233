"""The ledger's value types: what callers ask for and what they get back."""

from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import date

from bank.ledger.movement_codes import Movement, movement_label


class EntryKind(enum.StrEnum):
    """Well-known entry kinds (``EntryRequest.kind`` accepts any short string)."""

    TRANSFER = "TRANSFER"
    DEPOSIT = "DEPOSIT"
    WITHDRAWAL = "WITHDRAWAL"
    DISBURSEMENT = "DISBURSEMENT"
    LOAN_PAYMENT = "LOAN_PAYMENT"
    SERVICE_PAYMENT = "SERVICE_PAYMENT"
    CARD_PAYMENT = "CARD_PAYMENT"
    CARD_PURCHASE = "CARD_PURCHASE"
    CARD_DEFERRAL = "CARD_DEFERRAL"
    CARD_BILLING = "CARD_BILLING"
    """A statement's close: installments billed and interest charged."""
    CARD_PREPAYMENT = "CARD_PREPAYMENT"
    INTERBANK_TRANSFER = "INTERBANK_TRANSFER"
    REVERSAL = "REVERSAL"
    INTEREST = "INTEREST"
    SEED = "SEED"
    CERTIFICATE_LIQUIDATION = "CERTIFICATE_LIQUIDATION"
    """The one kind that may debit contribution certificates (a member leaving the
    cooperative gets them refunded at a branch; never an online movement)."""


CERTIFICATE_DEBIT_KINDS: frozenset[str] = frozenset({EntryKind.CERTIFICATE_LIQUIDATION})
"""Entry kinds allowed to debit a CERTIFICADOS DE APORTACION account. Any other kind that
debits one is refused with ``InsufficientFunds``: their available balance is always $0.00."""


@dataclass(frozen=True)
class Leg:
    """One line of an entry: a signed amount on one account.

    Attributes:
        account_id: the account moved.
        amount_cents: > 0 credits (raises the account's balance), < 0 debits; never 0.
        code: the movement code shown to the member, e.g. 22050.
        description: the movement's description, e.g. "ND TRANSFERENCIA PAGO DIRECTO".
    """

    account_id: int
    amount_cents: int
    code: int
    description: str

    @classmethod
    def of(cls, movement: Movement, account_id: int, amount_cents: int) -> Leg:
        """A leg for a catalogued movement (``bank.ledger.movement_codes``)."""
        return cls(account_id, amount_cents, movement.code, movement.description)


@dataclass(frozen=True)
class EntryRequest:
    """A journal entry to post: balanced legs under one idempotency key.

    The order of ``legs`` is the order of the postings (and of each posting's balance after),
    so list the principal first, then its fee, then the fee's IVA, as the manual shows them.
    """

    idempotency_key: str
    kind: str
    description: str
    legs: tuple[Leg, ...]
    value_date: date | None = None
    """Default: today in America/Guayaquil (then not part of the content digest)."""


@dataclass(frozen=True)
class PostedLeg:
    """A written posting; ``balance_after_cents`` is the manual's "Saldo" column."""

    account_id: int
    amount_cents: int
    balance_after_cents: int
    code: int
    description: str

    @property
    def label(self) -> str:
        """``"22050 - ND TRANSFERENCIA PAGO DIRECTO"``."""
        return movement_label(self.code, self.description)


@dataclass(frozen=True)
class PostedEntry:
    """The result of :func:`bank.ledger.post`; ``replayed`` is True for an idempotent repeat."""

    entry_id: int
    idempotency_key: str
    replayed: bool
    legs: tuple[PostedLeg, ...]


@dataclass(frozen=True)
class Discrepancy:
    """One way the books are wrong, found by :func:`bank.ledger.reconcile`.

    Attributes:
        check: which rule failed: ``ACCOUNT_BALANCE`` (balance ≠ sum of its postings),
            ``ACCOUNT_HELD`` (held ≠ sum of its active holds), ``ENTRY_UNBALANCED``
            (postings of an entry do not sum to zero), ``ENTRY_LEGS`` (an entry with fewer
            than two postings), ``POSTING_BALANCE_AFTER`` (a posting's balance after ≠ the
            running sum of its account's postings), ``LEDGER_TOTAL`` (balances do not sum
            to zero).
        subject_id: the account, entry or posting id (None for ``LEDGER_TOTAL``).
        expected_cents: what the postings (or holds) say.
        actual_cents: what is stored (for ``ENTRY_LEGS``: the number of postings).
    """

    check: str
    subject_id: int | None
    expected_cents: int
    actual_cents: int
