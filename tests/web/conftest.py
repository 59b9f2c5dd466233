"""Browser tests: the engine from the run command, Debian's Chromium, a member's path."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, Playwright, expect, sync_playwright

from tests.web.browser import DESKTOP, HOW_TO_GET_CHROMIUM, chromium_path, launch_args
from tests.web.stack import Stack, running_stack

expect.set_options(timeout=20_000)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """The whole engine, once for every browser test of the session."""
    with running_stack(tmp_path_factory.mktemp("stack")) as running:
        yield running


@pytest.fixture(scope="session")
def playwright_session() -> Iterator[Playwright]:
    with sync_playwright() as pw:
        yield pw


@pytest.fixture(scope="session")
def chromium() -> str:
    path = chromium_path()
    if path is None:
        pytest.fail(HOW_TO_GET_CHROMIUM)
    return path


@pytest.fixture(scope="session")
def browser(playwright_session: Playwright, chromium: str) -> Iterator[Browser]:
    browser = playwright_session.chromium.launch(executable_path=chromium, args=launch_args())
    yield browser
    browser.close()


@pytest.fixture
def context(browser: Browser, stack: Stack) -> Iterator[BrowserContext]:
    context = browser.new_context(base_url=stack.base_url, viewport=DESKTOP, locale="es-EC")
    yield context
    context.close()


@pytest.fixture
def page(context: BrowserContext) -> Page:
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.errors = errors  # type: ignore[attr-defined]
    return page


def login(page: Page, username: str, password: str) -> None:
    """Sign in through the login screen and wait for the position (or the password change)."""
    page.goto("/banca/ingreso")
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Ingresar").click()
    expect(page).to_have_url(re.compile(r"/banca/(productos|cambiar-clave)"))


def officer_login(page: Page) -> None:
    page.goto("/oficial/ingreso")
    page.get_by_label("Usuario").fill("oficial.credito")
    page.get_by_label("Contraseña").fill("Oficial2025")
    page.get_by_role("button", name="Ingresar").click()
    expect(page).to_have_url(re.compile(r"/oficial/?$"))


@pytest.fixture
def fixtures_dir() -> Path:
    return Path(__file__).resolve().parent.parent / "fixtures"
