"""The password rules of Cooprogreso en Línea, checked on every change.

A new password: 8 to 64 characters; an uppercase letter, a lowercase letter and a digit;
neither the username, the identification nor the birth date (as 17051988, 19880517,
170588 or 1988-05-17) inside it; not the current one (which is also the temporary one after
enrollment or recovery); not one of the last :data:`HISTORY` passwords. Each broken rule is
one Spanish sentence, all of them answered at once.

Earlier passwords are kept only as their Argon2id hashes (``password_history``).
"""

from __future__ import annotations

import asyncio
from datetime import date, datetime

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from bank.access.security import verify_password
from bank.models import PasswordHistory

MIN_LENGTH = 8
MAX_LENGTH = 64
"""Longer is refused before hashing (a megabyte password would cost the server, not help)."""
HISTORY = 5
"""How many earlier passwords may not be reused (the current one counts apart)."""


def birth_forms(day: date) -> tuple[str, ...]:
    """How a birth date is commonly typed into a password."""
    return (
        f"{day:%d%m%Y}",
        f"{day:%Y%m%d}",
        f"{day:%d%m%y}",
        f"{day:%Y-%m-%d}",
        f"{day:%d/%m/%Y}",
    )


def violations(
    new: str,
    *,
    username: str,
    current: str,
    identification: str | None,
    birth_date: date | None,
) -> list[str]:
    """The rules ``new`` breaks, as Spanish sentences (empty when it is acceptable)."""
    reasons = []
    if len(new) < MIN_LENGTH:
        reasons.append(f"Debe tener al menos {MIN_LENGTH} caracteres.")
    if len(new) > MAX_LENGTH:
        reasons.append(f"Debe tener como máximo {MAX_LENGTH} caracteres.")
    has = (any(c.isupper() for c in new), any(c.islower() for c in new))
    if not (all(has) and any(c.isdigit() for c in new)):
        reasons.append("Debe combinar mayúsculas, minúsculas y números.")
    folded = new.casefold()
    if username and username.casefold() in folded:
        reasons.append("No puede contener tu usuario.")
    if identification and identification.casefold() in folded:
        reasons.append("No puede contener tu número de identificación.")
    if birth_date and any(form in new for form in birth_forms(birth_date)):
        reasons.append("No puede contener tu fecha de nacimiento.")
    if new == current:
        reasons.append("No puede ser igual a tu contraseña actual ni a la temporal.")
    return reasons


async def used_before(session: AsyncSession, user_id: int, new: str) -> bool:
    """True when ``new`` is one of the user's last :data:`HISTORY` passwords."""
    async with session.begin():
        hashes = (
            await session.scalars(
                select(PasswordHistory.password_hash)
                .where(PasswordHistory.user_id == user_id)
                .order_by(PasswordHistory.id.desc())
                .limit(HISTORY)
            )
        ).all()
    for stored in hashes:  # Argon2 on a worker thread, one hash at a time
        if await asyncio.to_thread(verify_password, stored, new):
            return True
    return False


async def remember(session: AsyncSession, user_id: int, old_hash: str, now: datetime) -> None:
    """Keep the replaced hash and forget the ones beyond :data:`HISTORY` (in the caller's
    transaction)."""
    session.add(PasswordHistory(user_id=user_id, password_hash=old_hash, replaced_at=now))
    await session.flush()
    keep = (
        select(PasswordHistory.id)
        .where(PasswordHistory.user_id == user_id)
        .order_by(PasswordHistory.id.desc())
        .limit(HISTORY)
    )
    await session.execute(
        delete(PasswordHistory).where(
            PasswordHistory.user_id == user_id, PasswordHistory.id.not_in(keep)
        )
    )
