"""Every mapped table, importable from one place (Alembic's target metadata lives here)."""

from bank.models.accounts import PRODUCT_LABELS, Account, AccountStatus, ProductType
from bank.models.base import Base, utcnow
from bank.models.credit import CreditConsent, SigningLink
from bank.models.ledger import Hold, HoldStatus, JournalEntry, Posting
from bank.models.members import (
    AuditEvent,
    CivilStatus,
    IdentificationType,
    Member,
    Role,
    User,
    UserSession,
)
from bank.models.messaging import (
    Channel,
    MessageStatus,
    OtpChallenge,
    OtpStatus,
    OutboundMessage,
)
from bank.models.products import (
    AmortizationMethod,
    Card,
    CardKind,
    CardStatus,
    Installment,
    Investment,
    Loan,
    LoanStatus,
)

__all__ = [
    "PRODUCT_LABELS",
    "Account",
    "AccountStatus",
    "AmortizationMethod",
    "AuditEvent",
    "Base",
    "Card",
    "CardKind",
    "CardStatus",
    "Channel",
    "CivilStatus",
    "CreditConsent",
    "Hold",
    "HoldStatus",
    "IdentificationType",
    "Installment",
    "Investment",
    "JournalEntry",
    "Loan",
    "LoanStatus",
    "Member",
    "MessageStatus",
    "OtpChallenge",
    "OtpStatus",
    "OutboundMessage",
    "Posting",
    "ProductType",
    "Role",
    "SigningLink",
    "User",
    "UserSession",
    "utcnow",
]
