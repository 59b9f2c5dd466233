"""Requirements to take a preapproved credit online (manual: "Requisitos" and "Cargar documentos").

Pure: the profile comes from the core system (an activity), the verdict is computed here so
the workflow can explain it. Decisions recorded in ``docs/credit-journey.md``:

* No email or mobile on file, an expired ID card, a civil status not up to date, or a
  married / unión de hecho member whose spouse is not registered with contact data: the
  journey stops (the member goes to an agency).
* ID card front and back are always uploaded: the front is the reference face for the
  facial authentication. The utility bill (at most ``utility_bill_max_age_months`` old) is
  required when the member's data or bill on file are older than 12 months. The spouse's
  ID card (front and back) is required when married or in unión de hecho.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from datetime import date

from bank.credit.amortization import add_months

DATA_CURRENT_MONTHS = 12
DEFAULT_UTILITY_BILL_MONTHS = 2
MARRIED = frozenset({"CASADO", "UNION_DE_HECHO"})


class DocumentKind(enum.StrEnum):
    """The files a member may upload."""

    ID_FRONT = "ID_FRONT"
    ID_BACK = "ID_BACK"
    UTILITY_BILL = "UTILITY_BILL"
    SPOUSE_ID_FRONT = "SPOUSE_ID_FRONT"
    SPOUSE_ID_BACK = "SPOUSE_ID_BACK"


DOCUMENT_LABELS = {
    DocumentKind.ID_FRONT: "Cédula de identidad (anverso)",
    DocumentKind.ID_BACK: "Cédula de identidad (reverso)",
    DocumentKind.UTILITY_BILL: "Planilla de servicio básico",
    DocumentKind.SPOUSE_ID_FRONT: "Cédula cónyuge (anverso)",
    DocumentKind.SPOUSE_ID_BACK: "Cédula cónyuge (reverso)",
}


class Blocker(enum.StrEnum):
    """Why the journey cannot go on online."""

    NO_EMAIL = "NO_EMAIL"
    NO_MOBILE = "NO_MOBILE"
    ID_EXPIRED = "ID_EXPIRED"
    CIVIL_STATUS_NOT_UPDATED = "CIVIL_STATUS_NOT_UPDATED"
    SPOUSE_NOT_REGISTERED = "SPOUSE_NOT_REGISTERED"
    NO_SAVINGS_ACCOUNT = "NO_SAVINGS_ACCOUNT"


BLOCKER_MESSAGES = {
    Blocker.NO_EMAIL: "Debes registrar tu correo electrónico en una de nuestras agencias.",
    Blocker.NO_MOBILE: "Debes registrar tu número celular en una de nuestras agencias.",
    Blocker.ID_EXPIRED: "Tu cédula de identidad está caducada: el trámite deberás realizarlo "
    "de manera presencial en una de nuestras agencias.",
    Blocker.CIVIL_STATUS_NOT_UPDATED: "Tu estado civil no se encuentra actualizado: acércate "
    "a una de nuestras agencias para continuar con el proceso.",
    Blocker.SPOUSE_NOT_REGISTERED: "Los datos de tu cónyuge (correo y celular) no están "
    "registrados: acércate a una de nuestras agencias para actualizarlos.",
    Blocker.NO_SAVINGS_ACCOUNT: "Necesitas una cuenta de ahorros activa para recibir el "
    "crédito: acércate a una de nuestras agencias.",
}


@dataclass(frozen=True)
class SpouseProfile:
    """The spouse as registered in the core system (co-signs the credit)."""

    member_id: int
    identification: str
    full_name: str
    first_names: str
    email: str | None
    mobile: str | None


@dataclass(frozen=True)
class MemberProfile:
    """What the requirement checks read from the member's file."""

    member_id: int
    identification: str
    full_name: str
    first_names: str
    email: str | None
    mobile: str | None
    civil_status: str
    civil_status_verified: bool
    id_card_expires_on: date | None
    data_updated_on: date | None
    utility_bill_on: date | None
    savings_account_number: str | None
    """The active savings account the loan is credited to (None: there is none)."""
    address: str = ""
    spouse: SpouseProfile | None = None

    @property
    def has_savings_account(self) -> bool:
        """True when the loan can be credited somewhere."""
        return self.savings_account_number is not None


@dataclass(frozen=True)
class Requirements:
    """The verdict: blockers (with Spanish messages) and the documents to upload."""

    blockers: tuple[Blocker, ...]
    messages: tuple[str, ...]
    required_documents: tuple[DocumentKind, ...]
    married: bool
    data_current: bool
    notes: tuple[str, ...] = field(default=())

    @property
    def blocked(self) -> bool:
        """True when the member must go to an agency."""
        return bool(self.blockers)


def is_married(civil_status: str) -> bool:
    """Married or in unión de hecho: the spouse co-signs."""
    return str(civil_status) in MARRIED


def within_months(day: date | None, today: date, months: int) -> bool:
    """True when ``day`` is known and not older than ``months`` calendar months."""
    return day is not None and day <= today and add_months(day, months) >= today


def _blockers(profile: MemberProfile, today: date) -> list[Blocker]:
    found = []
    if not profile.email:
        found.append(Blocker.NO_EMAIL)
    if not profile.mobile:
        found.append(Blocker.NO_MOBILE)
    if profile.id_card_expires_on is None or profile.id_card_expires_on < today:
        found.append(Blocker.ID_EXPIRED)
    if not profile.civil_status_verified:
        found.append(Blocker.CIVIL_STATUS_NOT_UPDATED)
    spouse = profile.spouse
    spouse_reachable = spouse is not None and bool(spouse.email) and bool(spouse.mobile)
    if is_married(profile.civil_status) and not spouse_reachable:
        found.append(Blocker.SPOUSE_NOT_REGISTERED)
    if not profile.has_savings_account:
        found.append(Blocker.NO_SAVINGS_ACCOUNT)
    return found


def evaluate(profile: MemberProfile, today: date) -> Requirements:
    """Check the member's file on ``today`` (Guayaquil) and list the required uploads."""
    blockers = _blockers(profile, today)
    data_current = within_months(profile.data_updated_on, today, DATA_CURRENT_MONTHS)
    bill_current = within_months(profile.utility_bill_on, today, DATA_CURRENT_MONTHS)
    married = is_married(profile.civil_status)
    documents = [DocumentKind.ID_FRONT, DocumentKind.ID_BACK]
    if not (data_current and bill_current):
        documents.append(DocumentKind.UTILITY_BILL)
    if married:
        documents += [DocumentKind.SPOUSE_ID_FRONT, DocumentKind.SPOUSE_ID_BACK]
    return Requirements(
        blockers=tuple(blockers),
        messages=tuple(BLOCKER_MESSAGES[b] for b in blockers),
        required_documents=tuple(documents),
        married=married,
        data_current=data_current,
    )


def utility_bill_message(issued_on: date | None, today: date, max_months: int) -> str | None:
    """Why a utility bill is refused (Spanish), or None when its issue date is acceptable."""
    if issued_on is None:
        return "Indica la fecha de emisión de la planilla."
    if issued_on > today:
        return "La fecha de emisión de la planilla no puede ser futura."
    if not within_months(issued_on, today, max_months):
        return f"La planilla debe tener una fecha de emisión no mayor a {max_months} meses."
    return None
