"""The portal answers: login screen, a member's first look at the position."""

from __future__ import annotations

from playwright.sync_api import Page, expect

from tests.web.browser import assert_accessible, shot
from tests.web.conftest import login
from tests.web.stack import Stack


def test_login_shows_name_last_connection_and_position(page: Page, stack: Stack) -> None:
    page.goto("/")
    expect(page.get_by_role("heading", name="Ingresa a Cooprogreso en Línea")).to_be_visible()
    assert_accessible(page)
    login(page, "gsilva", "Cooprogreso2025")
    expect(page.get_by_role("heading", name="Resumen de Productos")).to_be_visible()
    expect(page.get_by_text("GABRIEL")).to_be_visible()
    shot(page, "smoke-position")
    assert not page.errors  # type: ignore[attr-defined]
