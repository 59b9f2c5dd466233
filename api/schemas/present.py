"""Turn read-side dataclasses into the JSON payloads described in ``api.schemas.products``.

Plain dicts on purpose: the position endpoint is the API's hot path and building dicts and
dumping them with orjson is several times cheaper than validating pydantic models.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from api.schemas.common import money
from bank.core.masking import mask_identification
from bank.models import PRODUCT_LABELS
from bank.queries.accounts import AccountDetail, DebitCard, Movement
from bank.queries.loans import LoanDetail, loan_display_status
from bank.queries.position import (
    AccountSummary,
    CardSummary,
    InvestmentSummary,
    LoanSummary,
    Position,
)

INSTITUTION = "Cooprogreso Cooperativa de Ahorro y Crédito"
_CARD_STATUS = {"ACTIVA": "Activa", "BLOQUEADA": "Bloqueada", "INACTIVA": "Inactiva"}
_CARD_KIND = {"CREDIT": "CREDITO", "DEBIT": "DEBITO"}
_HUNDRED = Decimal(100)
_TWO_PLACES = Decimal("0.01")


def rate(annual_rate: Decimal) -> str:
    """A fractional rate as the manual shows it: Decimal("0.079") → "7.90%"."""
    return f"{(annual_rate * _HUNDRED).quantize(_TWO_PLACES)}%"


def _iso(value: date | None) -> str | None:
    return None if value is None else value.isoformat()


def account(row: AccountSummary | AccountDetail) -> dict[str, Any]:
    """A row of "Cuentas"."""
    return {
        "numero": row.number,
        "tipo_cuenta": PRODUCT_LABELS[row.product],
        "estado": row.status,
        "saldo_contable": money(row.balance_cents),
        "saldo_disponible": money(row.available_cents),
    }


def loan(row: LoanSummary, today: date) -> dict[str, Any]:
    """A row of "Préstamos"."""
    nxt = row.next_installment_cents
    return {
        "numero": row.number,
        "descripcion": row.product_name,
        "monto": money(row.amount_cents),
        "saldo_capital": money(row.principal_balance_cents),
        "valor_a_pagar": None if nxt is None else money(nxt),
        "proximo_pago": _iso(row.next_due_on),
        "fecha_emision": row.issued_on.isoformat(),
        "status": loan_display_status(row.status, row.next_due_on, today),
    }


def investment(row: InvestmentSummary) -> dict[str, Any]:
    """A row of "Inversiones"."""
    return {
        "numero": row.number,
        "monto": money(row.amount_cents),
        "fecha_emision": row.issued_on.isoformat(),
        "fecha_vencimiento": row.matures_on.isoformat(),
        "tasa_interes": rate(row.annual_rate),
        "dias": row.days,
        "interes_ganado": money(row.interest_earned_cents),
        "interes_pagado": money(row.interest_paid_cents),
        "estado": row.status,
    }


def card(row: CardSummary) -> dict[str, Any]:
    """A row of "Tarjetas"; credit-only columns are null for debit cards."""
    credit = row.kind == "CREDIT"
    return {
        "id": row.id,
        "tipo": _CARD_KIND.get(row.kind, row.kind),
        "marca": row.brand,
        "numero": row.masked_number,
        "estado": _CARD_STATUS.get(row.status, row.status),
        "cuenta": row.account_number,
        "cupo_total": money(row.credit_limit_cents) if credit else None,
        "utilizado_rotativo": money(row.revolving_used_cents) if credit else None,
        "pago_minimo": money(row.minimum_payment_cents) if credit else None,
        "fecha_max_pago": _iso(row.payment_due_date) if credit else None,
        "utilizado_diferido": money(row.deferred_used_cents) if credit else None,
        "cupo_disponible": money(row.available_credit_cents) if credit else None,
    }


def card_detail(row: CardSummary) -> dict[str, Any]:
    """One card; a credit card adds its consumption to date (revolving + deferred)."""
    used = row.revolving_used_cents + row.deferred_used_cents
    return {**card(row), "consumo_hasta_la_fecha": money(used) if row.kind == "CREDIT" else None}


def position(data: Position, today: date) -> dict[str, Any]:
    """Resumen de Productos."""
    return {
        "cuentas": [account(row) for row in data.accounts],
        "prestamos": [loan(row, today) for row in data.loans],
        "inversiones": [investment(row) for row in data.investments],
        "tarjetas": [card(row) for row in data.cards],
    }


def movement(row: Movement) -> dict[str, Any]:
    """A movement line: "22050 - ND TRANSFERENCIA PAGO DIRECTO", Débito, -6.00, saldo."""
    return {
        "fecha": row.value_date.isoformat(),
        "descripcion": f"{row.code} - {row.description}",
        "tipo": "Débito" if row.amount_cents < 0 else "Crédito",
        "monto": money(row.amount_cents),
        "saldo": money(row.balance_after_cents),
    }


def debit_card(row: DebitCard) -> dict[str, Any]:
    """A debit card under "Tarjeta débito"."""
    status = _CARD_STATUS.get(row.status, row.status)
    return {"id": row.id, "marca": row.brand, "numero": row.masked_number, "estado": status}


def account_title(row: AccountDetail) -> str:
    """ "410112060750 - CUENTA DE AHORROS - USD - COOPROGRESO"."""
    return f"{row.number} - {PRODUCT_LABELS[row.product]} - {row.currency} - COOPROGRESO"


def account_detail(
    row: AccountDetail, movements: list[Movement], cards: list[DebitCard]
) -> dict[str, Any]:
    """Detalle de cuenta."""
    return {
        **account(row),
        "titulo": account_title(row),
        "moneda": row.currency,
        "ultimos_movimientos": [movement(m) for m in movements],
        "tarjetas_debito": [debit_card(c) for c in cards],
    }


def share(row: AccountDetail) -> dict[str, Any]:
    """Compartir: holder, type, number, institution, masked identification."""
    label = PRODUCT_LABELS[row.product]
    masked = mask_identification(row.identification)
    text = (
        f"{INSTITUTION}\n{label} N.º {row.number} ({row.currency})\n"
        f"Titular: {row.holder_name}\nIdentificación: {masked}"
    )
    return {
        "titular": row.holder_name,
        "tipo_cuenta": label,
        "numero": row.number,
        "moneda": row.currency,
        "institucion": INSTITUTION,
        "identificacion": masked,
        "texto": text,
    }


def loan_detail(row: LoanDetail) -> dict[str, Any]:
    """Detalle de Préstamos with the amortization table and its totals."""
    nxt = row.next_installment
    table, totals = [], dict.fromkeys(("cuota", "capital", "interes", "mora", "seguro"), 0)
    for inst in row.installments:
        amounts = {
            "cuota": inst.total_cents,
            "capital": inst.principal_cents,
            "interes": inst.interest_cents,
            "mora": inst.late_fee_cents,
            "seguro": inst.insurance_cents,
        }
        for key, cents in amounts.items():
            totals[key] += cents
        table.append(
            {"n_cuota": inst.number}
            | {key: money(cents) for key, cents in amounts.items()}
            | {"fecha_pago": inst.due_date.isoformat(), "estado": str(inst.status)}
        )
    return {
        "numero": row.number,
        "descripcion": row.product_name,
        "monto": money(row.amount_cents),
        "saldo_capital": money(row.principal_balance_cents),
        "valor_a_pagar": None if nxt is None else money(nxt.total_cents),
        "proximo_pago": None if nxt is None else nxt.due_date.isoformat(),
        "fecha_emision": row.issued_on.isoformat(),
        "status": row.status,
        "tasa_interes": rate(row.annual_rate),
        "plazo_meses": row.term_months,
        "cuenta": row.account_number,
        "tabla_amortizacion": table,
        "totales": {key: money(cents) for key, cents in totals.items()},
    }
