"""The consolidated position on PostgreSQL: session check and the whole JSON in one statement.

``GET /api/v1/position`` is the API's hot path. On PostgreSQL it costs one round trip on a
plain psycopg connection: the statement returns the session's columns (validated in Python
by :func:`bank.auth.check_session` before anything is released) beside the member's
position already rendered as JSON by PostgreSQL, so the API process neither builds objects
nor serializes. The document is the same as :func:`api.schemas.present.position` renders
from :func:`bank.queries.position.fetch_position` (the portable path, used on SQLite); a
test holds the two to the same output.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from psycopg import AsyncConnection


def _money(expr: str) -> str:
    # Exact: numeric division, two decimals, no thousands separator ("13750.00", "-5.50").
    return f"(({expr})::numeric / 100)::numeric(20, 2)::text"


def _day(expr: str) -> str:
    return f"to_char({expr}, 'YYYY-MM-DD')"


_ACCOUNTS = f"""
SELECT json_agg(json_build_object(
    'numero', a.number,
    'tipo_cuenta', CASE a.product WHEN 'SAVINGS' THEN 'CUENTA DE AHORROS'
        WHEN 'CERTIFICATES' THEN 'CERTIFICADOS DE APORTACION' ELSE 'CUENTA INTERNA' END,
    'estado', a.status,
    'saldo_contable', {_money("a.balance_cents")},
    'saldo_disponible', CASE WHEN a.product = 'CERTIFICATES' THEN '0.00'
        ELSE {_money("a.balance_cents - a.held_cents")} END)
  ORDER BY CASE a.product WHEN 'SAVINGS' THEN 0 WHEN 'CERTIFICATES' THEN 1 ELSE 9 END,
           a.number COLLATE "C")
FROM accounts a WHERE a.member_id = s.member_id
"""

_LOANS = f"""
SELECT json_agg(json_build_object(
    'numero', l.number,
    'descripcion', l.product_name,
    'monto', {_money("l.amount_cents")},
    'saldo_capital', {_money("l.principal_balance_cents")},
    'valor_a_pagar', {_money("n.total")},
    'proximo_pago', {_day("n.due_date")},
    'fecha_emision', {_day("l.issued_on")},
    'status', CASE WHEN l.status = 'CANCELADO' OR n.due_date IS NULL THEN 'Cancelado'
        WHEN n.due_date < %(today)s THEN 'Vencido' ELSE 'Vigente' END)
  ORDER BY l.number COLLATE "C")
FROM loans l
LEFT JOIN LATERAL (
    SELECT i.principal_cents + i.interest_cents + i.late_fee_cents + i.insurance_cents AS total,
           i.due_date
    FROM loan_installments i
    WHERE i.loan_id = l.id AND i.paid_on IS NULL
    ORDER BY i.number LIMIT 1
) n ON true
WHERE l.member_id = s.member_id
"""

_INVESTMENTS = f"""
SELECT json_agg(json_build_object(
    'numero', v.number,
    'monto', {_money("v.amount_cents")},
    'fecha_emision', {_day("v.issued_on")},
    'fecha_vencimiento', {_day("v.matures_on")},
    'tasa_interes', (v.annual_rate * 100)::numeric(9, 2)::text || '%%',
    'dias', v.days,
    'interes_ganado', {_money("v.interest_earned_cents")},
    'interes_pagado', {_money("v.interest_paid_cents")},
    'estado', v.status)
  ORDER BY v.number COLLATE "C")
FROM investments v WHERE v.member_id = s.member_id
"""


def _credit(expr: str) -> str:
    return f"CASE WHEN c.kind = 'CREDIT' THEN {expr} END"


_CARDS = f"""
SELECT json_agg(json_build_object(
    'id', c.id,
    'tipo', CASE c.kind WHEN 'CREDIT' THEN 'CREDITO' WHEN 'DEBIT' THEN 'DEBITO' ELSE c.kind END,
    'marca', c.brand,
    'numero', c.masked_number,
    'estado', CASE c.status WHEN 'ACTIVA' THEN 'Activa' WHEN 'BLOQUEADA' THEN 'Bloqueada'
        WHEN 'INACTIVA' THEN 'Inactiva' ELSE c.status END,
    'cuenta', ca.number,
    'cupo_total', {_credit(_money("c.credit_limit_cents"))},
    'utilizado_rotativo', {_credit(_money("c.revolving_used_cents"))},
    'pago_minimo', {_credit(_money("c.minimum_payment_cents"))},
    'fecha_max_pago', {_credit(_day("c.payment_due_date"))},
    'utilizado_diferido', {_credit(_money("c.deferred_used_cents"))},
    'cupo_disponible', {
    _credit(
        _money("GREATEST(0, c.credit_limit_cents - c.revolving_used_cents - c.deferred_used_cents)")
    )
})
  ORDER BY c.kind <> 'CREDIT', c.id)
FROM cards c LEFT JOIN accounts ca ON ca.id = c.account_id
WHERE c.member_id = s.member_id
"""

POSITION_SQL = f"""
WITH s AS (
    SELECT us.token_digest, us.last_seen_at, us.expires_at, us.revoked_at, u.id AS user_id,
           u.username, u.role, u.member_id, u.must_change_password, u.locked_at
    FROM user_sessions us JOIN users u ON u.id = us.user_id
    WHERE us.id = %(sid)s
)
SELECT s.*, json_build_object(
    'cuentas', COALESCE(({_ACCOUNTS}), '[]'::json),
    'prestamos', COALESCE(({_LOANS}), '[]'::json),
    'inversiones', COALESCE(({_INVESTMENTS}), '[]'::json),
    'tarjetas', COALESCE(({_CARDS}), '[]'::json)
)::text
FROM s
"""
"""Session columns in the order of ``bank.auth.SESSION_COLUMNS``, then the position JSON."""

TOUCH_SQL = "UPDATE user_sessions SET last_seen_at = %(now)s WHERE id = %(sid)s"


async def fetch_session_and_position(
    conn: AsyncConnection[Any], session_id: str, today: date
) -> tuple[Any, ...] | None:
    """The session row with the position JSON as its last column, or None for no session.

    The caller must validate the session columns before using the JSON.
    """
    cursor = await conn.execute(POSITION_SQL, {"sid": session_id, "today": today})
    return await cursor.fetchone()
