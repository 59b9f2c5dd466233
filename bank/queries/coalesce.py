"""Coalesce concurrent lookups into batched queries (group commit, for reads).

On a small machine the cost of a database read is dominated by the round trip (waking the
server process, the driver's socket waits), not by the query. When many requests want the
same kind of read at once, :class:`Coalescer` sends them as one query: the first requests go
out immediately (up to ``max_in_flight`` queries at a time), and whatever arrives while those
are running is queued and sent together as the next batch. An idle system therefore adds no
latency, and a saturated one pays one round trip per batch instead of per request.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Sequence
from typing import Generic, TypeVar

K = TypeVar("K")
R = TypeVar("R")


class Coalescer(Generic[K, R]):
    """Run ``fetch(keys) -> results`` (one result per key, same order) for concurrent callers.

    Args:
        fetch: the batched query; a failure is raised to every caller of that batch.
        max_in_flight: how many batches may run at once (keep it below the pool size).
        max_batch: the most keys in one batch.
    """

    def __init__(
        self,
        fetch: Callable[[list[K]], Awaitable[Sequence[R]]],
        *,
        max_in_flight: int = 2,
        max_batch: int = 64,
    ) -> None:
        self._fetch = fetch
        self._max_in_flight = max_in_flight
        self._max_batch = max_batch
        self._pending: list[tuple[K, asyncio.Future[R]]] = []
        self._in_flight = 0
        self._tasks: set[asyncio.Task[None]] = set()

    async def get(self, key: K) -> R:
        """The result for ``key``, fetched alone or together with concurrent callers."""
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._pending.append((key, future))
        self._start_batches()
        return await future

    def _start_batches(self) -> None:
        while self._pending and self._in_flight < self._max_in_flight:
            batch = self._pending[: self._max_batch]
            del self._pending[: self._max_batch]
            self._in_flight += 1
            task = asyncio.get_running_loop().create_task(self._run(batch))
            self._tasks.add(task)  # keep a reference until it finishes
            task.add_done_callback(self._tasks.discard)

    async def _run(self, batch: list[tuple[K, asyncio.Future[R]]]) -> None:
        try:
            results = await self._fetch([key for key, _ in batch])
        except Exception as exc:  # every waiter of the batch hears about it
            for _, future in batch:
                if not future.done():
                    future.set_exception(exc)
        except BaseException:  # cancelled (shutdown): cancel the waiters too
            for _, future in batch:
                future.cancel()
            raise
        else:
            for (_, future), result in zip(batch, results, strict=True):
                if not future.done():  # the caller may have gone (client disconnected)
                    future.set_result(result)
        finally:
            self._in_flight -= 1
            self._start_batches()
