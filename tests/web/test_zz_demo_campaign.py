"""The run command's demo campaign (named to run last: it gives the demo members offers)."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from playwright.sync_api import Page, expect

from bank.demo.data import DEMO_CAMPAIGN_ID
from tests.web.conftest import login
from tests.web.stack import Stack
from workers.demo_campaign import load_demo_campaign


def test_demo_campaign_loads_once_through_the_officer_api(stack: Stack) -> None:
    today = datetime.now(ZoneInfo("America/Guayaquil")).date()
    first = load_demo_campaign(stack.base_url, today)
    again = load_demo_campaign(stack.base_url, today)
    assert re.fullmatch(r"\d offers started, \d already there", first), first
    assert again == "0 offers started, 2 already there"


def test_demo_member_sees_the_campaign_menu_entry(page: Page, stack: Stack) -> None:
    login(page, "nortiz", "Cooprogreso2025")
    expect(page.get_by_role("link", name="Campañas de créditos preaprobados")).to_be_visible()
    page.goto("/banca/campanas")
    expect(page.get_by_text(DEMO_CAMPAIGN_ID).first).to_be_visible()
