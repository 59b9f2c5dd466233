"""Pure preparation of a post: validation, the content digest, and per-account net changes."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from bank.ledger.errors import InvalidRequest, UnbalancedEntry
from bank.ledger.types import CERTIFICATE_DEBIT_KINDS, EntryRequest, Leg, PostedLeg

BUSINESS_TIMEZONE = ZoneInfo("America/Guayaquil")
MAX_KEY = 200
MAX_KIND = 40
MAX_ENTRY_DESCRIPTION = 200
MAX_LEG_DESCRIPTION = 120


@dataclass(frozen=True)
class AccountChange:
    """What one entry does to one account.

    Attributes:
        account_id: the account.
        net_cents: the sum of its legs.
        low_cents: the lowest running total of its legs in leg order; the funds check asks
            that the available balance plus this stays ≥ 0, so no intermediate "Saldo" of a
            member account is ever negative either.
        has_debit: at least one of its legs is a debit.
    """

    account_id: int
    net_cents: int
    low_cents: int
    has_debit: bool


@dataclass(frozen=True)
class Plan:
    """A validated request ready to write."""

    digest: str
    value_date: date
    changes: tuple[AccountChange, ...]
    """One per account, in ascending account id: the order rows are locked in."""
    guard_certificates: bool
    """The kind may not debit contribution certificates (see CERTIFICATE_DEBIT_KINDS)."""


def business_today() -> date:
    """Today in America/Guayaquil, the default value date."""
    return datetime.now(BUSINESS_TIMEZONE).date()


def plan(request: EntryRequest) -> Plan:
    """Validate a request and compute what it changes.

    Raises:
        InvalidRequest: a malformed request (key, kind, legs, types, lengths).
        UnbalancedEntry: the legs do not sum to zero.
    """
    _check_header(request)
    legs = request.legs
    if not isinstance(legs, tuple) or len(legs) < 2:
        raise InvalidRequest("El asiento necesita al menos dos movimientos.")
    for leg in legs:
        _check_leg(leg)
    if sum(leg.amount_cents for leg in legs) != 0:
        raise UnbalancedEntry()
    return Plan(
        digest=content_digest(request),
        value_date=request.value_date or business_today(),
        changes=_changes(legs),
        guard_certificates=request.kind not in CERTIFICATE_DEBIT_KINDS,
    )


def _check_header(request: EntryRequest) -> None:
    if (
        not isinstance(request.idempotency_key, str)
        or not 0 < len(request.idempotency_key) <= MAX_KEY
    ):
        raise InvalidRequest("La clave de idempotencia no es válida.")
    if not isinstance(request.kind, str) or not 0 < len(request.kind) <= MAX_KIND:
        raise InvalidRequest("El tipo de asiento no es válido.")
    if not isinstance(request.description, str) or len(request.description) > MAX_ENTRY_DESCRIPTION:
        raise InvalidRequest("La descripción del asiento no es válida.")
    if request.value_date is not None and not isinstance(request.value_date, date):
        raise InvalidRequest("La fecha valor no es válida.")


def _is_int(value: object) -> bool:
    # bool is an int subclass and Decimal/float are not cents: accept plain integers only.
    return isinstance(value, int) and not isinstance(value, bool)


def _check_leg(leg: Leg) -> None:
    if not isinstance(leg, Leg) or not _is_int(leg.account_id) or not _is_int(leg.code):
        raise InvalidRequest()
    if not _is_int(leg.amount_cents) or leg.amount_cents == 0:
        raise InvalidRequest("Cada movimiento debe tener un monto distinto de cero.")
    if leg.code < 0 or not isinstance(leg.description, str):
        raise InvalidRequest()
    if not 0 < len(leg.description) <= MAX_LEG_DESCRIPTION:
        raise InvalidRequest("La descripción del movimiento no es válida.")


def _changes(legs: tuple[Leg, ...]) -> tuple[AccountChange, ...]:
    running: dict[int, int] = {}
    low: dict[int, int] = {}
    debits: set[int] = set()
    for leg in legs:
        total = running.get(leg.account_id, 0) + leg.amount_cents
        running[leg.account_id] = total
        low[leg.account_id] = min(low.get(leg.account_id, total), total)
        if leg.amount_cents < 0:
            debits.add(leg.account_id)
    return tuple(
        AccountChange(account_id, running[account_id], low[account_id], account_id in debits)
        for account_id in sorted(running)
    )


def content_digest(request: EntryRequest) -> str:
    """SHA-256 (hex) of a canonical serialization of what the entry does.

    Covers kind, description and the legs in order, plus the value date only when the caller
    set it: a retry on the next day of a request that relied on the default is the same
    request.
    """
    content: dict[str, object] = {
        "kind": str(request.kind),
        "description": request.description,
        "legs": [
            [leg.account_id, leg.amount_cents, leg.code, leg.description] for leg in request.legs
        ],
    }
    if request.value_date is not None:
        content["value_date"] = request.value_date.isoformat()
    canonical = json.dumps(content, ensure_ascii=False, separators=(",", ":"), sort_keys=True)
    return hashlib.sha256(canonical.encode()).hexdigest()


def posted_legs(legs: tuple[Leg, ...], finals: dict[int, int], plan: Plan) -> tuple[PostedLeg, ...]:
    """Each leg with the account's balance right after it, from the accounts' final balances."""
    balance = {
        change.account_id: finals[change.account_id] - change.net_cents for change in plan.changes
    }
    result = []
    for leg in legs:
        balance[leg.account_id] += leg.amount_cents
        result.append(
            PostedLeg(
                leg.account_id, leg.amount_cents, balance[leg.account_id], leg.code, leg.description
            )
        )
    return tuple(result)
