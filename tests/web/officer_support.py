"""A second harness for the one officer test the dev-server stack cannot run: regenerating a
journey whose 19:00 signing deadline passed.

Expiry needs the clock past 19:00, so this runs on Temporal's time-skipping test server,
like ``tests/api/test_credit_signing.py``: the real app (``create_app`` through
``tests.api.credit_support.build_app``, its Temporal client the time-skipping server's) on a
real HTTP port served by uvicorn, the real ``CreditJourneyWorkflow`` on a worker with the fake
activities of ``tests/workflows/credit_fakes.py``, the test session's PostgreSQL database,
and Chromium driven with playwright's async API.

Everything runs on one event loop of its own, in a thread (:func:`run_in_thread`): the sync
playwright of the other browser tests marks its loop as the main thread's running loop
between calls, so no other loop can run there; and the app, the worker, the Temporal client
and the browser sharing one loop means no object is used from a loop it was not made on.
The time-skipping server has no visibility (list) API, so the officer opens the journey's
page directly instead of finding it in "Solicitudes de crédito preaprobado".
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import uuid
from collections.abc import AsyncIterator, Callable, Coroutine
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import httpx
import uvicorn
from playwright.async_api import Page
from sqlalchemy.orm import Session, sessionmaker
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from bank.adapters.local_documents import LocalDocumentStore
from bank.core.settings import ApiSettings
from tests.api.credit_support import Api, ApiFakes, build_app
from tests.support.net import free_port
from tests.support.temporal import terminate_all
from tests.web.browser import ARTIFACTS
from tests.workflows.credit_fakes import profile
from workflows.credit.journey import CreditJourneyWorkflow

T = TypeVar("T")
SCENARIO_TIMEOUT = 600.0


def run_in_thread(scenario: Callable[[], Coroutine[Any, Any, T]]) -> T:
    """Run ``scenario`` on a fresh event loop in a thread of its own; its result or error."""
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="officer-ts") as pool:
        return pool.submit(lambda: asyncio.run(scenario())).result(timeout=SCENARIO_TIMEOUT)


@dataclass
class Served:
    """The app on its port and what drives it."""

    api: Api
    base_url: str


@asynccontextmanager
async def served_app(
    settings: ApiSettings,
    env: WorkflowEnvironment,
    tmp_path: Path,
    sessions: sessionmaker[Session],
) -> AsyncIterator[Served]:
    """The app on a free port (uvicorn, this loop) and a worker on a fresh task queue."""
    task_queue = f"web-officer-{uuid.uuid4()}"
    fakes = ApiFakes(
        profile=profile(married=False), secret_key=settings.secret_key, sessions=sessions
    )
    store = LocalDocumentStore(tmp_path / "documents")
    app = build_app(settings, env, task_queue, store)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(
            app, host="127.0.0.1", port=port, log_level="warning", access_log=False, lifespan="on"
        )
    )
    base_url = f"http://127.0.0.1:{port}"
    async with Worker(
        env.client,
        task_queue=task_queue,
        workflows=[CreditJourneyWorkflow],
        activities=fakes.all(),
    ):
        serving = asyncio.create_task(server.serve())
        try:
            while not server.started:  # the port is bound once `started` is set
                if serving.done():
                    serving.result()
                    raise RuntimeError("uvicorn stopped before it started")
                await asyncio.sleep(0.05)
            async with httpx.AsyncClient(base_url=base_url, timeout=120) as http:
                api = Api(http, fakes, store, task_queue, env)
                try:
                    yield Served(api, base_url)
                finally:
                    await terminate_all(env, task_queue, api.journeys)
        finally:
            server.should_exit = True
            await serving


async def shot(page: Page, name: str) -> Path:
    """``tests.web.browser.shot`` for the async API."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=str(path), full_page=True)
    return path


async def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations (``tests.web.browser``'s, async)."""
    from axe_playwright_python.async_playwright import Axe

    results = await Axe().run(page)
    violations = results.response.get("violations", [])
    return [v for v in violations if v.get("impact") in {"serious", "critical"}]
