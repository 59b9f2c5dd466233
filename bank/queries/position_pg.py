"""The consolidated position on PostgreSQL: session check and the whole JSON in one statement.

``GET /api/v1/position`` is the API's hot path. On PostgreSQL a plain psycopg connection
runs one prepared statement for a *batch* of requests (see :mod:`bank.queries.coalesce`):
for each bearer token's session id it returns the session's columns (validated in Python by
:func:`bank.access.auth.check_session` before anything is released) beside the member's position
already rendered as JSON by PostgreSQL, so the API process neither builds objects nor
serializes. The document is the same as :func:`api.schemas.present.position` renders from
:func:`bank.queries.position.fetch_position` (the portable path, used on SQLite); a test
holds the two to the same output.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from bank.queries.coalesce import Coalescer


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
        WHEN n.due_date < s.today THEN 'Vencido' ELSE 'Vigente' END)
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

_POSITION_SQL = f"""
WITH r AS (
    SELECT * FROM unnest(%(sids)s::text[], %(days)s::date[]) WITH ORDINALITY AS r(sid, today, n)
), s AS (
    SELECT r.n, r.today, us.token_digest, us.last_seen_at, us.expires_at, us.revoked_at,
           u.id AS user_id, u.username, u.role, u.member_id, u.must_change_password, u.locked_at
    FROM r JOIN user_sessions us ON us.id = r.sid JOIN users u ON u.id = us.user_id
)
SELECT s.*, json_build_object(
    'cuentas', COALESCE(({_ACCOUNTS}), '[]'::json),
    'prestamos', COALESCE(({_LOANS}), '[]'::json),
    'inversiones', COALESCE(({_INVESTMENTS}), '[]'::json),
    'tarjetas', COALESCE(({_CARDS}), '[]'::json)
)::text
FROM s
"""
POSITION_SQL = " ".join(_POSITION_SQL.split())
"""Per requested session: its position in the batch (``n``, from 1), the day, the session
columns in the order of ``bank.access.auth.SESSION_COLUMNS``, then the position JSON.

Whitespace is collapsed (no literal in it has two spaces in a row) to stay under psycopg's
4,096-character limit for caching a statement's parsed form; above it, psycopg parses the
query text again on every execution."""

TOUCH_SQL = "UPDATE user_sessions SET last_seen_at = %(now)s WHERE id = %(sid)s"


SessionPosition = tuple[Any, ...]
"""The session columns (``bank.access.auth.SESSION_COLUMNS`` order) and, last, the position JSON."""


class PositionReader:
    """Reads positions for bearer-token sessions, coalescing concurrent requests.

    Args:
        pool: autocommit psycopg connections (prepared statements recommended).
        max_in_flight: batches running at once; keep it below the pool size so the pool
            still has a connection for the occasional ``last_seen_at`` update.
    """

    def __init__(self, pool: AsyncConnectionPool[AsyncConnection[Any]], max_in_flight: int) -> None:
        self._pool = pool
        self._coalescer: Coalescer[tuple[str, date], SessionPosition | None] = Coalescer(
            self._fetch, max_in_flight=max_in_flight
        )

    async def get(self, session_id: str, today: date) -> SessionPosition | None:
        """The session row and position JSON for ``session_id``, or None for no such session.

        The caller must validate the session columns before using the JSON.
        """
        return await self._coalescer.get((session_id, today))

    async def touch(self, session_id: str, now: datetime) -> None:
        """Record activity on the session (called at most once a minute per session)."""
        async with self._pool.connection() as conn:
            await conn.execute(TOUCH_SQL, {"sid": session_id, "now": now})

    async def _fetch(self, keys: list[tuple[str, date]]) -> list[SessionPosition | None]:
        params = {"sids": [sid for sid, _ in keys], "days": [day for _, day in keys]}
        async with self._pool.connection() as conn:
            rows = await (await conn.execute(POSITION_SQL, params)).fetchall()
        by_n = {row[0]: row[2:] for row in rows}
        return [by_n.get(n) for n in range(1, len(keys) + 1)]
