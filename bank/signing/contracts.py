"""What the credit workflow and the signing activities exchange: names and dataclasses.

Only keys, hashes, sizes, names and small numbers travel through Temporal, never PDF bytes.
Temporal's JSON converter does not know ``date`` or ``Decimal``: dates travel as ISO
strings (``"2025-03-14"``), rates as decimal strings (``"0.1583"``), money as integer cents.

This module imports nothing heavy, so a workflow can import it inside
``workflow.unsafe.imports_passed_through()``.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import datetime

RENDER_CREDIT_DOCUMENTS = "signing.render_credit_documents"
SIGN_DOCUMENTS = "signing.sign_documents"
SEAL_DOCUMENTS = "signing.seal_documents"
VALIDATE_DOCUMENTS = "signing.validate_documents"

DOCUMENT_CHANGED = "SigningDocumentChanged"
"""ApplicationError type: a document's SHA-256 is not the one reviewed (never retried)."""
DOCUMENT_UNAVAILABLE = "SigningDocumentUnavailable"
"""ApplicationError type: a document is missing or corrupted in the store (never retried)."""
INVALID_INPUT = "SigningInvalidInput"
"""ApplicationError type: the input cannot produce documents (never retried)."""
NON_RETRYABLE = (DOCUMENT_CHANGED, DOCUMENT_UNAVAILABLE, INVALID_INPUT)


class DocumentKind(enum.StrEnum):
    """The documents of a credit operation (also the last segment of their keys)."""

    CONTRACT = "contrato-credito"
    PROMISSORY_NOTE = "pagare"
    AMORTIZATION_TABLE = "tabla-amortizacion"
    DEBIT_AUTHORIZATION = "autorizacion-debito"


DOCUMENT_NAMES: dict[str, str] = {
    DocumentKind.CONTRACT: "Contrato de crédito",
    DocumentKind.PROMISSORY_NOTE: "Pagaré",
    DocumentKind.AMORTIZATION_TABLE: "Tabla de amortización",
    DocumentKind.DEBIT_AUTHORIZATION: "Autorización de débito",
}
"""How the member reads each document's name (signing page, emails)."""


class SignatoryRole(enum.StrEnum):
    """Who signs; each role has its own signature field in every document."""

    MEMBER = "SOCIO"
    SPOUSE = "CONYUGE"


SIGNATURE_FIELDS = {SignatoryRole.MEMBER: "FirmaSocio", SignatoryRole.SPOUSE: "FirmaConyuge"}
SEAL_FIELD = "SelloCooprogreso"


@dataclass
class Party:
    """A person named in the documents."""

    full_name: str
    identification: str
    """Cédula (10 digits) or passport."""
    email: str = ""
    address: str = ""


@dataclass
class Charge:
    """One item ("rubro") deducted from the amount requested at disbursement."""

    description: str
    amount_cents: int


@dataclass
class ScheduleLine:
    """One row of the amortization table (see ``bank.credit.amortization.Row``), in cents."""

    number: int
    due_date: str
    """ISO date."""
    installment_cents: int
    principal_cents: int
    interest_cents: int
    insurance_cents: int
    balance_after_cents: int
    late_fee_cents: int = 0


@dataclass
class CreditDocumentsInput:
    """Everything the four documents of a credit operation show."""

    operation_reference: str
    """Número de operación, printed on every page."""
    issued_on: str
    """ISO date of the documents (America/Guayaquil)."""
    member: Party
    spouse: Party | None
    product_name: str
    amount_cents: int
    term_months: int
    annual_rate: str
    """Nominal annual rate as a decimal fraction string: ``"0.1583"`` is 15.83%."""
    method: str
    """``FRENCH`` or ``GERMAN``."""
    installment_cents: int
    """The first installment (cuota), as shown in the simulation."""
    charges: list[Charge]
    net_amount_cents: int
    """What reaches the account: ``amount_cents`` minus every charge."""
    account_number: str
    """Savings account credited with the loan and debited for the installments."""
    schedule: list[ScheduleLine]
    insurance_monthly_rate: str = "0"
    city: str = "Quito"


@dataclass
class SignatureSlot:
    """Where a signature field's visible stamp goes: 0-based page and box in PDF points."""

    field_name: str
    page: int
    x1: int
    y1: int
    x2: int
    y2: int


@dataclass
class DocumentRef:
    """A stored PDF: its kind, key in the document store and SHA-256 (lowercase hex)."""

    kind: str
    key: str
    sha256: str
    size: int
    slots: list[SignatureSlot] = field(default_factory=list)


@dataclass
class RenderDocumentsInput:
    """Render the documents of one generation of a credit request."""

    workflow_id: str
    generation: int
    """1 for the first documents; an officer's regeneration increments it."""
    documents: CreditDocumentsInput


@dataclass
class Signatory:
    """The person signing now."""

    role: str
    """A :class:`SignatoryRole` value."""
    full_name: str
    identification: str
    email: str


@dataclass
class SignInput:
    """Sign each document (as reviewed: same SHA-256) for one signatory."""

    workflow_id: str
    generation: int
    step: str
    """Names the new revisions' keys (``"firma-socio"``); a retry overwrites the same keys."""
    signatory: Signatory
    documents: list[DocumentRef]


@dataclass
class SealInput:
    """Apply the institutional seal to each fully signed document."""

    workflow_id: str
    generation: int
    step: str
    documents: list[DocumentRef]


@dataclass
class ValidateInput:
    """Validate every signature of each document."""

    documents: list[DocumentRef]


@dataclass
class SignatureReport:
    """What pyHanko's validator says about one signature."""

    field_name: str
    signer_name: str
    identification: str
    intact: bool
    """The signed bytes are unchanged."""
    valid: bool
    """The cryptographic signature matches the signer's certificate."""
    trusted: bool
    """The certificate chains to the institution's CA and was valid at signing time."""
    coverage: str
    """``ENTIRE_FILE`` (last signature) or ``ENTIRE_REVISION`` (signed, then appended to)."""
    modification_level: str
    """What was appended after this signature (``NONE``, ``FORM_FILLING``, ...)."""
    docmdp_ok: bool
    signing_time: datetime | None
    """Claimed by the signer (PAdES B-B has no timestamp token)."""

    @property
    def ok(self) -> bool:
        """Intact, valid, trusted and no forbidden change after it."""
        return self.intact and self.valid and self.trusted and self.docmdp_ok


@dataclass
class DocumentValidation:
    """The signatures of one document, in signing order."""

    kind: str
    key: str
    signatures: list[SignatureReport]
    all_ok: bool
