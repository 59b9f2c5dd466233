"""Running domain work (``bank``) on the request's database session, refusals as answers.

Not a route module: the beneficiary, registration and scheduled-payment routes use it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from api.errors import ApiError
from bank.core.errors import DomainError

T = TypeVar("T")


async def run(session: AsyncSession, work: Callable[[Session], T], *, commit: bool = False) -> T:
    """Run domain ``work`` on the request's session; a refusal becomes its JSON answer.

    Raises:
        ApiError: the refusal's ``status_code`` (404, 409; 422 by default), code and message.
    """
    try:
        result = await session.run_sync(work)
        if commit:
            await session.commit()
    except DomainError as exc:
        await session.rollback()
        raise ApiError(getattr(exc, "status_code", 422), exc.code, exc.message) from exc
    return result
