"""Reconciliation: prove the stored balances and holds agree with the journal.

Each check is one aggregate statement, so each sees one consistent snapshot (a concurrent
post commits its balance updates and postings atomically) and the work stays in the
database rather than in per-account Python loops.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from bank.ledger.types import Discrepancy

_CHECKS = {
    "ACCOUNT_BALANCE": """
        SELECT a.id, COALESCE(p.total, 0), a.balance_cents
        FROM accounts a
        LEFT JOIN (SELECT account_id, SUM(amount_cents) AS total
                   FROM postings GROUP BY account_id) p ON p.account_id = a.id
        WHERE a.balance_cents <> COALESCE(p.total, 0)
        ORDER BY a.id LIMIT :limit""",
    "ACCOUNT_HELD": """
        SELECT a.id, COALESCE(h.total, 0), a.held_cents
        FROM accounts a
        LEFT JOIN (SELECT account_id, SUM(amount_cents) AS total
                   FROM holds WHERE status = 'ACTIVE' GROUP BY account_id) h
               ON h.account_id = a.id
        WHERE a.held_cents <> COALESCE(h.total, 0)
        ORDER BY a.id LIMIT :limit""",
    "ENTRY_UNBALANCED": """
        SELECT entry_id, 0, SUM(amount_cents) FROM postings
        GROUP BY entry_id HAVING SUM(amount_cents) <> 0
        ORDER BY entry_id LIMIT :limit""",
    "ENTRY_LEGS": """
        SELECT e.id, 2, COUNT(p.id) FROM journal_entries e
        LEFT JOIN postings p ON p.entry_id = e.id
        GROUP BY e.id HAVING COUNT(p.id) < 2
        ORDER BY e.id LIMIT :limit""",
    # Postings of one account are written while its row is locked, so ids follow the order
    # of the balance changes and the running sum by id must equal each balance after.
    "POSTING_BALANCE_AFTER": """
        SELECT id, running, balance_after_cents FROM (
            SELECT id, balance_after_cents,
                   SUM(amount_cents) OVER (PARTITION BY account_id ORDER BY id) AS running
            FROM postings) t
        WHERE running <> balance_after_cents
        ORDER BY id LIMIT :limit""",
    "LEDGER_TOTAL": """
        SELECT NULL, 0, total FROM (SELECT COALESCE(SUM(balance_cents), 0) AS total
                                    FROM accounts) t
        WHERE total <> 0""",
}
_STATEMENTS = {check: text(sql) for check, sql in _CHECKS.items()}


def reconcile(session: Session, *, limit: int = 1000) -> list[Discrepancy]:
    """Check the whole ledger; an empty list means the books are right.

    Checks: every account's balance equals the sum of its postings and its held amount the
    sum of its active holds; every entry has at least two postings summing to zero; every
    posting's balance after is its account's running total; all balances sum to zero.

    Args:
        session: any session; reconcile only reads.
        limit: at most this many discrepancies per check.

    Returns:
        The discrepancies found, grouped by check in the order above.
    """
    session.flush()
    conn = session.connection()
    found: list[Discrepancy] = []
    for check, statement in _STATEMENTS.items():
        for subject, expected, actual in conn.execute(statement, {"limit": limit}):
            found.append(
                Discrepancy(
                    check, None if subject is None else int(subject), int(expected), int(actual)
                )
            )
    return found
