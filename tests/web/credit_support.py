"""What the preapproved-credit browser tests set up: their own applicants (members of the
cooperative with web banking, written to the stack's database like ``test_first_visit``'s),
their own campaigns (loaded as a credit officer does, through ``POST /officer/campaigns``),
the document files a member would upload (from ``tests.bank.kyc_support``'s ID-card
composites) and a camera clip of a card for Chromium's fake camera."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np

from bank.core.db import make_engine, session_factory
from bank.demo.data import DEMO_RUBROS, OFFICER_PASSWORD, OFFICER_USERNAME
from bank.models import CivilStatus
from tests import factories as f
from tests.bank import kyc_support as fx
from tests.web.api_client import API, ApiClient
from tests.web.camera import write_y4m
from tests.web.service_payments_support import call
from tests.web.stack import Stack

GUAYAQUIL = ZoneInfo("America/Guayaquil")
PASSWORD = "Credito2026x"


@dataclass(frozen=True)
class Applicant:
    """A member with web banking (and, when married, the spouse's contacts)."""

    username: str
    identification: str
    email: str
    spouse_email: str | None = None
    spouse_mobile: str | None = None
    password: str = PASSWORD


def new_applicant(stack: Stack, username: str, names: str, *, married: bool = False) -> Applicant:
    """A member with ID card, email and mobile up to date, a savings account and a login;
    no data update on file (so a utility bill is asked for). Married: with a spouse."""
    first, last = names.split("/")
    engine = make_engine(stack.database_url)
    try:
        with session_factory(engine)() as session, session.begin():
            status = CivilStatus.CASADO if married else CivilStatus.SOLTERO
            member = f.make_member(session, first_names=first, last_names=last, civil_status=status)
            f.make_account(session, member)
            f.make_user(session, member, username=username, password=PASSWORD)
            spouse = None
            if married:
                spouse = f.make_member(
                    session, first_names="ELENA", last_names=last, civil_status=status
                )
                member.spouse_id = spouse.id
            assert member.email
            return Applicant(
                username,
                member.identification,
                member.email,
                spouse.email if spouse else None,
                spouse.mobile if spouse else None,
            )
    finally:
        engine.dispose()


def api_login(stack: Stack, username: str, password: str) -> str:
    """A bearer token for ``username`` (its own session, beside the browser's)."""
    with ApiClient.login(stack.url(API), username, password) as client:
        return client.token


def load_campaign(
    stack: Stack, campaign: str, identification: str, maximum: str = "6000.00"
) -> None:
    """The officer loads one offer of ``campaign`` for the member ``identification``."""
    token = api_login(stack, OFFICER_USERNAME, OFFICER_PASSWORD)
    until = (datetime.now(GUAYAQUIL).date() + timedelta(days=20)).isoformat()
    row = {
        "campaign_id": campaign,
        "identificacion": identification,
        "monto_maximo": maximum,
        "monto_minimo": "500.00",
        "plazos": [12, 24, 36],
        "tasa": "15.83",
        "vigencia_hasta": until,
        "seguro_desgravamen": "0.05",
        "rubros": DEMO_RUBROS,
    }
    status, answer = call(stack, token, "POST", "/officer/campaigns", [row])
    assert status == 200, answer
    assert [o["resultado"] for o in answer["ofertas"]] == ["INICIADA"], answer


def journey(stack: Stack, token: str, campaign: str) -> dict[str, Any]:
    """``GET /credit/offers/{campaign}`` as the member: what the page must show."""
    status, state = call(stack, token, "GET", f"/credit/offers/{campaign}")
    assert status == 200, state
    return dict(state)


def upload(stack: Stack, token: str, campaign: str, kind: str, path: Path) -> dict[str, Any]:
    """``POST /credit/offers/{campaign}/documents/{kind}`` (multipart), as the page does."""
    media = "application/pdf" if path.suffix == ".pdf" else "image/jpeg"
    form = {}
    if kind == "UTILITY_BILL":
        form["fecha_emision"] = datetime.now(GUAYAQUIL).date().isoformat()
    with ApiClient(stack.url(API), token, timeout=120) as client:
        answer = client.ok(
            "POST",
            f"/credit/offers/{campaign}/documents/{kind}",
            files={"archivo": (path.name, path.read_bytes(), media)},
            data=form,
        )
    return dict(answer)


def document_files(folder: Path) -> dict[str, Path]:
    """What a member uploads: card fronts with a face, backs, a blurred back, a bill (PDF)."""
    files = {
        "ID_FRONT": ("cedula-anverso.jpg", fx.jpeg(fx.id_card("obama"))),
        "ID_BACK": ("cedula-reverso.jpg", fx.jpeg(fx.blank_card())),
        "BLURRED": ("cedula-reverso-borrosa.jpg", fx.jpeg(fx.blurred(fx.blank_card()))),
        "UTILITY_BILL": ("planilla-luz.pdf", fx.pdf_pages(1)),
        "SPOUSE_ID_FRONT": ("cedula-conyuge-anverso.jpg", fx.jpeg(fx.id_card("biden"))),
        "SPOUSE_ID_BACK": ("cedula-conyuge-reverso.jpg", fx.jpeg(fx.blank_card(seed=11))),
    }
    paths = {}
    for kind, (name, data) in files.items():
        paths[kind] = folder / name
        paths[kind].write_bytes(data)
    return paths


def card_clip(folder: Path) -> Path:
    """A still camera clip of an ID card's back, for ``--use-file-for-fake-video-capture``:
    the card lies on a dark desk in the middle of a 1280×720 frame."""
    card = fx.blank_card(seed=5)
    frame = np.full((720, 1280, 3), (62, 54, 48), np.uint8)
    top, left = (720 - card.shape[0]) // 2, (1280 - card.shape[1]) // 2
    frame[top : top + card.shape[0], left : left + card.shape[1]] = card
    return write_y4m([frame] * 10, folder / "cedula-reverso.y4m")
