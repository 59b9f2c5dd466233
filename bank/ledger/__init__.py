"""The double-entry ledger: post balanced entries, hold funds, reconcile the books.

Sign convention: every account's balance is the sum of its postings; a posting > 0 is a
credit (raises the balance), < 0 a debit. A member's savings balance is then positive, and
the institution's internal accounts (``bank.ledger.chart``) carry the other side, so the sum of all
balances is always zero. See ``docs/ledger.md``.
"""

from bank.ledger.errors import (
    AccountNotActive,
    HoldNotActive,
    HoldNotFound,
    IdempotencyConflict,
    InsufficientFunds,
    InvalidRequest,
    LedgerError,
    UnbalancedEntry,
    UnknownAccount,
)
from bank.ledger.holds import place_hold, release_hold
from bank.ledger.plan import business_today, content_digest
from bank.ledger.posting import post
from bank.ledger.reconcile import reconcile
from bank.ledger.types import (
    CERTIFICATE_DEBIT_KINDS,
    Discrepancy,
    EntryKind,
    EntryRequest,
    Leg,
    PostedEntry,
    PostedLeg,
)

__all__ = [
    "CERTIFICATE_DEBIT_KINDS",
    "AccountNotActive",
    "Discrepancy",
    "EntryKind",
    "EntryRequest",
    "HoldNotActive",
    "HoldNotFound",
    "IdempotencyConflict",
    "InsufficientFunds",
    "InvalidRequest",
    "LedgerError",
    "Leg",
    "PostedEntry",
    "PostedLeg",
    "UnbalancedEntry",
    "UnknownAccount",
    "business_today",
    "content_digest",
    "place_hold",
    "post",
    "reconcile",
    "release_hold",
]
