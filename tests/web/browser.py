"""Debian's Chromium under playwright: finding it, screenshots as artefacts, axe checks."""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, ViewportSize

from bank.core.settings import VAR

ARTIFACTS = VAR / "test-artifacts" / "screenshots"
PHONE: ViewportSize = {"width": 360, "height": 780}
DESKTOP: ViewportSize = {"width": 1280, "height": 900}
HOW_TO_GET_CHROMIUM = (
    "No Chromium found for the browser tests. Install Debian's package "
    "(`apt-get install chromium`) or point COOP_CHROMIUM at a Chromium binary."
)


def chromium_path() -> str | None:
    """The Chromium to drive: ``COOP_CHROMIUM``, else Debian's ``chromium``."""
    explicit = os.environ.get("COOP_CHROMIUM")
    if explicit:
        return explicit if Path(explicit).exists() else None
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    return None


def launch_args(video: Path | None = None) -> list[str]:
    """Flags of every launch; with ``video``, the fake camera plays that .y4m file."""
    args = ["--no-sandbox", "--disable-dev-shm-usage", "--lang=es-EC"]
    if video is not None:
        args += [
            "--use-fake-device-for-media-stream",
            "--use-fake-ui-for-media-stream",
            f"--use-file-for-fake-video-capture={video}",
        ]
    return args


def shot(page: Page, name: str) -> Path:
    """Save a full-page screenshot under var/test-artifacts/screenshots/."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    page.screenshot(path=str(path), full_page=True)
    return path


def serious_violations(page: Page) -> list[dict[str, Any]]:
    """axe-core's serious and critical violations on the page as it is now."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page)
    violations = results.response.get("violations", [])
    return [v for v in violations if v.get("impact") in {"serious", "critical"}]


def assert_accessible(page: Page) -> None:
    """No serious or critical axe violation (their ids and targets in the failure)."""
    found = serious_violations(page)
    summary = [
        (v["id"], v.get("help"), [n.get("target") for n in v.get("nodes", [])][:5]) for v in found
    ]
    assert not found, f"accessibility violations: {summary}"


def fits_phone_width(page: Page) -> None:
    """Nothing but scrolling tables sticks out sideways at 360 px."""
    overflow = page.evaluate(
        "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
    assert overflow <= 1, f"the page is {overflow}px wider than the phone's screen"
