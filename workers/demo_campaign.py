"""The run command's demo campaign: loaded as a credit officer would, through the API.

After the API is up, ``./scripts/run`` logs in as the demo officer and posts
``bank.demo.data.demo_campaign`` to ``POST /api/v1/officer/campaigns`` — the same validation,
workflow starts and audit trail as an officer's load — so "Campañas de créditos
preaprobados" shows on the first run. Loading again is a no-op (each offer answers
``EXISTENTE``), and a finished or declined offer is never offered again.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from datetime import date
from typing import Any

from bank.demo.data import OFFICER_PASSWORD, OFFICER_USERNAME, demo_campaign

TIMEOUT = 60.0


def _post(url: str, body: Any, token: str | None = None) -> Any:
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    request = urllib.request.Request(
        url, data=json.dumps(body).encode(), headers=headers, method="POST"
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT) as response:
        return json.load(response)


def load_demo_campaign(base_url: str, today: date) -> str:
    """Load the demo campaign; a one-line outcome for the supervisor's log.

    Never raises: a demo whose officer password was changed just goes without the campaign.
    """
    api = base_url.rstrip("/") + "/api/v1"
    try:
        login = _post(
            f"{api}/auth/login", {"username": OFFICER_USERNAME, "password": OFFICER_PASSWORD}
        )
        token = login["access_token"]
        result = _post(f"{api}/officer/campaigns", demo_campaign(today), token)
        _post(f"{api}/auth/logout", {}, token)
    except urllib.error.HTTPError as exc:
        detail = exc.read().decode(errors="replace")[:300]
        return f"not loaded ({exc.code}: {detail})"
    except (urllib.error.URLError, OSError, KeyError, ValueError) as exc:
        return f"not loaded ({exc})"
    return f"{result['iniciadas']} offers started, {result['existentes']} already there"
