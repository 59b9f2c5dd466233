"""What the signing browser test asks the API directly: Nancy's own campaign, her credit
request up to "Finalizar" (the credit pages are another test's), and the figures to compare.

The ID-card fronts carry the fixture faces the fake cameras show (``tests.web.camera``):
Nancy's card is ``obama``'s face, Christian's is ``biden``'s (so Christian's camera is an
impostor on Nancy's link).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from bank.demo.data import OFFICER_PASSWORD, OFFICER_USERNAME, demo_campaign
from tests.bank.kyc_support import blank_card, id_card, jpeg, pdf_pages
from tests.web.api_client import API, ApiClient
from tests.web.stack import Stack

CAMPAIGN = "WEBFIRMA"
AMOUNT = "3456.78"
TERM = 12
NANCY = {
    "username": "nortiz",
    "password": "Cooprogreso2025",
    "email": "nancy.ortiz@example.com",
    "mobile": "0987412365",
    "cedula": "1720364189",
    "name": "NANCY PATRICIA ORTIZ JARAMILLO",
    "savings": "410112087341",
}
CHRISTIAN = {
    "email": "christian.caicedo@example.com",
    "mobile": "0979583146",
    "cedula": "1715982649",
    "name": "CHRISTIAN IVAN CAICEDO DIAZ",
}
LINK = r"https?://[^\s\"'<>]+/firma/[A-Za-z0-9_-]+"
FACES = {"ID_FRONT": "obama", "SPOUSE_ID_FRONT": "biden"}


@dataclass(frozen=True)
class SentRequest:
    """Nancy's request, sent for signing: the two links and what she will receive."""

    nancy_link: str
    christian_link: str
    net_amount: str
    """``monto_a_recibir`` of the summary: what the disbursement credits."""


def as_user(stack: Stack, username: str, password: str) -> ApiClient:
    """JSON calls under /api/v1 as ``username`` (a new session)."""
    return ApiClient.login(stack.url(API), username, password, timeout=120)


def load_campaign(stack: Stack, today: date) -> None:
    """An officer loads this test's own campaign: Nancy's demo offer under ``CAMPAIGN``."""
    [row] = [r for r in demo_campaign(today) if r["identificacion"] == NANCY["cedula"]]
    with as_user(stack, OFFICER_USERNAME, OFFICER_PASSWORD) as officer:
        loaded = officer.ok("POST", "/officer/campaigns", [{**row, "campaign_id": CAMPAIGN}])
    assert loaded["ofertas"][0]["resultado"] in {"INICIADA", "EXISTENTE"}, loaded


def links_so_far(stack: Stack, email: str) -> set[str]:
    """Signing links already emailed to ``email`` (pass to ``Stack.link_in_email``)."""
    return {m for msg in stack.messages(email) for m in re.findall(LINK, msg.get("text") or "")}


def _document(kind: str) -> tuple[str, bytes, str]:
    if kind in FACES:
        return (f"{kind.lower()}.jpg", jpeg(id_card(FACES[kind])), "image/jpeg")
    if kind == "UTILITY_BILL":
        return ("planilla.pdf", pdf_pages(1), "application/pdf")
    return (f"{kind.lower()}.jpg", jpeg(blank_card()), "image/jpeg")


def send_request(stack: Stack, today: date) -> SentRequest:
    """Nancy accepts, chooses ``AMOUNT`` at ``TERM`` months, uploads and finalizes."""
    url = f"/credit/offers/{CAMPAIGN}"
    with as_user(stack, NANCY["username"], NANCY["password"]) as nancy:
        accepted = nancy.ok("POST", f"{url}/accept")
        assert accepted["bloqueos"] == [], accepted
        chosen = nancy.ok("POST", f"{url}/choose", {"monto": AMOUNT, "plazo": TERM})
        kinds = chosen["documentos_requeridos"]
        assert {"SPOUSE_ID_FRONT", "SPOUSE_ID_BACK"} <= set(kinds), kinds
        for kind in kinds:
            form = {"fecha_emision": today.isoformat()} if kind == "UTILITY_BILL" else {}
            upload = nancy.ok(
                "POST", f"{url}/documents/{kind}", files={"archivo": _document(kind)}, data=form
            )
            assert upload["aceptado"], upload
        seen = {who["email"]: links_so_far(stack, who["email"]) for who in (NANCY, CHRISTIAN)}
        finalized = nancy.ok("POST", f"{url}/finalize")
        assert finalized["correo_conyuge"] == CHRISTIAN["email"], finalized
    return SentRequest(
        nancy_link=stack.link_in_email(NANCY["email"], LINK, seen[NANCY["email"]]),
        christian_link=stack.link_in_email(CHRISTIAN["email"], LINK, seen[CHRISTIAN["email"]]),
        net_amount=str(chosen["resumen"]["monto_a_recibir"]),
    )


def savings_balance(stack: Stack) -> Decimal:
    """Nancy's savings ``saldo_disponible`` as the position answers it."""
    with as_user(stack, NANCY["username"], NANCY["password"]) as nancy:
        position = nancy.ok("GET", "/position")
    [account] = [c for c in position["cuentas"] if c["numero"] == NANCY["savings"]]
    return Decimal(str(account["saldo_disponible"]))


def journey(stack: Stack) -> dict[str, Any]:
    """Nancy's journey of ``CAMPAIGN`` as she sees it."""
    with as_user(stack, NANCY["username"], NANCY["password"]) as nancy:
        found: dict[str, Any] = nancy.ok("GET", f"/credit/offers/{CAMPAIGN}")
    return found
