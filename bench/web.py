"""Web banking: time to first render and to interactive of the portal's screens.

``.venv/bin/python -m bench.web [--rounds 15]``

Starts the whole engine with the run command (``tests/web/stack.py``: free ports, a private
PostgreSQL database, demo data), drives Debian's Chromium headless and, for each screen,
loads it ``--rounds`` times in a signed-in tab and reads in the page:

- **first render**: the First Contentful Paint of the navigation (Paint Timing API);
- **interactive**: the moment the screen's data is drawn — the shell is up, the screen's
  ``<h1>`` is there and nothing in ``<main>`` still says "Cargando…" (polled each frame).

Baseline, measured in the same run: ``/static/navegadores.html``, a static page of the same
server with the same stylesheet. Ratios are screen ÷ baseline (lower is better; 1.0 would be
as fast as a static page). Screens: the position, and each step of the credit journey
(offer, simulation, summary, the signing page of the emailed link).
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import tempfile
import urllib.request
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

from tests.web.browser import DESKTOP, chromium_path, launch_args
from tests.web.stack import Stack, running_stack

READY = """() => {
  const main = document.querySelector('main');
  if (!main || !main.querySelector('h1')) return false;
  if (main.querySelector('.cargando')) return false;
  return main.children.length > 1 ? performance.now() : false;
}"""
STATIC_READY = "() => document.querySelector('main h1') ? performance.now() : false"
FCP = """() => {
  const paint = performance.getEntriesByName('first-contentful-paint')[0];
  return paint ? paint.startTime : null;
}"""


def _post(stack: Stack, path: str, body: Any, token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        stack.url("/api/v1" + path), json.dumps(body).encode(), headers, method="POST"
    )
    with urllib.request.urlopen(request, timeout=120) as response:
        return json.load(response)


def _token(stack: Stack, username: str, password: str) -> str:
    return str(
        _post(stack, "/auth/login", {"username": username, "password": password})["access_token"]
    )


def _campaign(stack: Stack, campaign: str, identification: str) -> None:
    officer = _token(stack, "oficial.credito", "Oficial2025")
    row = {
        "campaign_id": campaign,
        "identificacion": identification,
        "monto_maximo": "8000.00",
        "monto_minimo": "500.00",
        "plazos": [12, 24, 36],
        "tasa": "15.83",
        "vigencia_hasta": (date.today() + timedelta(days=30)).isoformat(),
    }
    _post(stack, "/officer/campaigns", [row], officer)


def measure(page: Page, path: str, rounds: int, ready: str = READY) -> dict[str, float]:
    """Median and p95 of first render and interactive over ``rounds`` loads of ``path``."""
    fcp, tti = [], []
    for _ in range(rounds):
        page.goto(path, wait_until="commit")
        done = page.wait_for_function(ready, timeout=30_000, polling="raf").json_value()
        first = page.evaluate(FCP)
        tti.append(float(done))
        fcp.append(float(first) if first is not None else float(done))
    return {
        "fcp_ms": statistics.median(fcp),
        "tti_ms": statistics.median(tti),
        "tti_p95_ms": sorted(tti)[max(0, int(len(tti) * 0.95) - 1)],
    }


def _login(page: Page, username: str, password: str) -> None:
    page.goto("/banca/ingreso")
    page.get_by_label("Usuario").fill(username)
    page.get_by_label("Contraseña").fill(password)
    page.get_by_role("button", name="Ingresar").click()
    page.wait_for_url(re.compile(r"/banca/productos"))


def run(rounds: int) -> list[tuple[str, dict[str, float]]]:
    results: list[tuple[str, dict[str, float]]] = []
    with tempfile.TemporaryDirectory() as root, running_stack(Path(root)) as stack:
        chromium = chromium_path()
        if chromium is None:
            raise SystemExit("Chromium not found (apt-get install chromium)")
        _campaign(stack, "BENCHWEB", "1718452939")
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=launch_args())
            page = browser.new_context(base_url=stack.base_url, viewport=DESKTOP).new_page()
            results.append(
                (
                    "static page (baseline)",
                    measure(page, "/static/navegadores.html", rounds, STATIC_READY),
                )
            )
            _login(page, "gsilva", "Cooprogreso2025")
            results.append(("position", measure(page, "/banca/productos", rounds)))
            journey = "/banca/campanas/BENCHWEB"
            results.append(("credit: offer", measure(page, journey, rounds)))
            token = _token(stack, "gsilva", "Cooprogreso2025")
            base = "/credit/offers/BENCHWEB"
            _post(stack, f"{base}/accept", {}, token)
            results.append(("credit: simulation", measure(page, journey, rounds)))
            _post(stack, f"{base}/choose", {"monto": "5000.00", "plazo": 24}, token)
            results.append(("credit: summary", measure(page, journey, rounds)))
            _post(stack, f"{base}/finalize", {}, token)
            results.append(("credit: sent for signing", measure(page, journey, rounds)))
            link = stack.link_in_email(
                "gabriel.silva@example.com", r"http://127\.0\.0\.1:\d+/firma/[A-Za-z0-9_-]+"
            )
            results.append(("signing page (identity step)", measure(page, link, rounds)))
            browser.close()
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    results = run(args.rounds)
    base = results[0][1]
    print(f"{'screen':<32} {'first render':>13} {'interactive':>12} {'p95':>8} {'ratio':>6}")
    for name, figures in results:
        ratio = figures["tti_ms"] / base["tti_ms"]
        print(
            f"{name:<32} {figures['fcp_ms']:>10.0f} ms {figures['tti_ms']:>9.0f} ms "
            f"{figures['tti_p95_ms']:>5.0f} ms {ratio:>6.2f}"
        )


if __name__ == "__main__":
    main()
