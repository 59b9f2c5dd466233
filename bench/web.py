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
(offer, simulation, summary with the documents, sent for signing, the signing page of
the emailed link), for a member of its own with a campaign loaded through the officer API.
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import tempfile
from pathlib import Path
from typing import Any

from playwright.sync_api import Page, sync_playwright

from bench import report
from bench.processes import peak_rss_mib
from tests.web.browser import DESKTOP, chromium_path, launch_args
from tests.web.credit_support import (
    api_login,
    document_files,
    journey,
    load_campaign,
    new_applicant,
    upload,
)
from tests.web.service_payments_support import call
from tests.web.stack import running_stack

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


STACK_PROCESSES = {"api": "api.main:app", "worker": "workers.main", "temporal": "start-dev"}


def stack_peaks() -> dict[str, float]:
    """Peak RSS (MiB) of the run command's API, worker and dev server: this process's
    descendants, told apart by their command lines."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            ppid = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        children.setdefault(ppid, []).append(int(entry.name))
    peaks: dict[str, float] = {}
    pending = list(children.get(os.getpid(), []))
    while pending:
        pid = pending.pop()
        pending += children.get(pid, [])
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
        except OSError:
            continue
        for name, marker in STACK_PROCESSES.items():
            if marker in command:
                peaks[name] = max(peaks.get(name, 0.0), peak_rss_mib(pid))
    return peaks


def run(rounds: int) -> tuple[list[tuple[str, dict[str, float]]], dict[str, float]]:
    results: list[tuple[str, dict[str, float]]] = []
    with tempfile.TemporaryDirectory() as root, running_stack(Path(root)) as stack:
        chromium = chromium_path()
        if chromium is None:
            raise SystemExit("Chromium not found (apt-get install chromium)")
        member = new_applicant(stack, "bench.web", "ANA LUCIA/BENCH MORA")
        load_campaign(stack, "BENCHWEB", member.identification)
        files = document_files(Path(root))
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=chromium, args=launch_args())
            page = browser.new_context(base_url=stack.base_url, viewport=DESKTOP).new_page()
            results.append(
                (
                    "static page (baseline)",
                    measure(page, "/static/navegadores.html", rounds, STATIC_READY),
                )
            )
            _login(page, member.username, member.password)
            results.append(("position", measure(page, "/banca/productos", rounds)))
            screen = "/banca/campanas/BENCHWEB"
            results.append(("credit: offer", measure(page, screen, rounds)))
            token = api_login(stack, member.username, member.password)
            offer = "/credit/offers/BENCHWEB"
            _ok(call(stack, token, "POST", f"{offer}/accept", {}))
            results.append(("credit: simulation", measure(page, screen, rounds)))
            _ok(call(stack, token, "POST", f"{offer}/choose", {"monto": "5000.00", "plazo": 24}))
            results.append(("credit: summary and documents", measure(page, screen, rounds)))
            state = journey(stack, token, "BENCHWEB")
            for kind in (state["requisitos"] or {}).get("documentos_requeridos", []):
                upload(stack, token, "BENCHWEB", kind, files[kind])
            _ok(call(stack, token, "POST", f"{offer}/finalize", {}))
            results.append(("credit: sent for signing", measure(page, screen, rounds)))
            link = stack.link_in_email(member.email, r"https?://[^/\s\"']+/firma/[A-Za-z0-9_-]+")
            results.append(("signing page (identity step)", measure(page, link, rounds)))
            browser.close()
        peaks = stack_peaks()
    return results, peaks


def _ok(answer: tuple[int, Any]) -> Any:
    status, body = answer
    if status >= 400:
        raise SystemExit(f"the API refused a bench step: {status} {body}")
    return body


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rounds", type=int, default=15)
    args = parser.parse_args()
    results, peaks = run(args.rounds)
    base = results[0][1]
    print(f"{'screen':<32} {'first render':>13} {'interactive':>12} {'p95':>8} {'ratio':>6}")
    for name, figures in results:
        ratio = figures["tti_ms"] / base["tti_ms"]
        print(
            f"{name:<32} {figures['fcp_ms']:>10.0f} ms {figures['tti_ms']:>9.0f} ms "
            f"{figures['tti_p95_ms']:>5.0f} ms {ratio:>6.2f}"
        )
    rows = [
        report.Row(
            f"{name}: interactive", figures["tti_ms"], "ms", base["tti_ms"], None,
            "static page", lower_is_better=True,
        )
        for name, figures in results[1:]
    ]  # fmt: skip
    report.emit("web", rows, peaks=peaks)


if __name__ == "__main__":
    main()
