"""The authorisation matrix (issue 14, "attack surface"): every operation of the OpenAPI
document, who may call it, and proof that nobody else can.

``TABLE`` holds one entry per (method, path template) of the app built with the dev routes
(``dev_outbox=True``); an operation without an entry, or an entry whose operation is gone,
fails ``test_every_operation_has_exactly_one_entry``, so a new route cannot ship without
saying who may call it. From the table:

- every operation that needs a session answers 401 without one (and with a forged one);
- every officer operation answers 403 to a member, every member operation 403/404 to an
  officer, and none of them shows the member's data or writes anything;
- every member operation that names a resource (in its path, or its body for the ones
  marked ``owns_by_body``) is called by member A with member B's identifiers: 404/403 with a
  stable code and a Spanish message, answered exactly like an identifier nobody holds, none
  of B's data in the answer, nothing written anywhere (every table's digest, B's balances
  and card counters, the document store);
- that last check runs twice: with Temporal unreachable (as ``api_settings`` configures it)
  and with a recording client that knows no workflow, which proves the route addressed no
  workflow or Schedule of B (``Temporal.AFTER_CHECK``: none at all before the ownership
  check; ``Temporal.SCOPED``: only IDs built from the caller's own member id);
- a member's own listings never show the other member's data.

Finding F1, fixed: ``TemporalClient`` used to connect when FastAPI resolved it, before the
route body checked ownership, so with Temporal down the ``AFTER_CHECK`` routes answered 503
for another member's resource instead of 404 (:class:`TemporalBeforeOwnership`); the API's
client now connects at its first call (``api.deps.LazyTemporalClient``). The
``SCOPED`` routes (movements, credit offers) may answer 503 with Temporal down: no database
row says whether the caller has such a movement or journey, only Temporal knows, and the
recording pass shows they never address anyone else's.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from operator import attrgetter
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.deps import get_temporal_client
from api.main import API_PREFIX, create_app
from bank.core.settings import ApiSettings
from tests import factories as f
from tests.api.authz_support import (
    ANDREA,
    BRUNO,
    MISSING,
    OFFICER,
    Holdings,
    RecordingTemporal,
    Snapshot,
    build_member,
    make_officer,
    snapshot,
    truncate_all,
)
from tests.api.conftest import TODAY, login
from workflows.card_deferral.contract import workflow_id as deferral_workflow
from workflows.card_pin.contract import workflow_id as pin_workflow
from workflows.credit.contract import workflow_id as credit_workflow
from workflows.movement.contract import workflow_id as movement_workflow
from workflows.scheduled_payment.contract import schedule_id

V1 = API_PREFIX
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
CSV = b"campaign_id,identificacion,monto_maximo,monto_minimo,plazos,tasa,vigencia_hasta\n"


class Access(enum.Enum):
    """Who may call an operation."""

    PUBLIC = "anyone, no session (login, enrollment, signing link, contact…)"
    USER = "any signed-in user, member or officer, about their own session or user"
    MEMBER = "a signed-in member, on their own resources only"
    OFFICER = "a credit officer"
    DEV = "the embedded run's simulators and mailbox (mounted only with COOP_DEV_OUTBOX)"


class Temporal(enum.Enum):
    """How an operation reaches Temporal (what the recording client may see)."""

    NONE = "never"
    AFTER_CHECK = "only once the database says the resource is the caller's"
    SCOPED = "by a workflow ID built from the caller's own member id (no database check)"


Body = Callable[[Holdings], Any]
Resolver = Callable[[Holdings], object]


@dataclass(frozen=True)
class Entry:
    """One operation of the table: who may call it and how to call it."""

    access: Access
    body: Body | None = None
    """A minimal valid JSON body, from the identifiers of the member it names."""
    upload: tuple[str, bytes] | None = None
    """A multipart form field and its file."""
    args: Mapping[str, Resolver] = field(default_factory=dict)
    """Path parameters that do not mean what ``RESOURCE_PARAMS`` says they usually mean."""
    temporal: Temporal = Temporal.NONE
    idempotent: bool = False
    """Needs an Idempotency-Key header (movement starts)."""
    owns_by_body: bool = False
    """The body names the member's resource (an origin account, beneficiary ids…)."""
    session: Access | None = None
    """DEV only: the session it needs (``MEMBER`` or ``OFFICER``), if any."""
    logs_access: bool = False
    """Writes the caller's own access-log line to ``audit_events`` (the privacy export)."""

    @property
    def login(self) -> Access:
        """Who has to be signed in: ``PUBLIC`` for nobody."""
        if self.access is Access.DEV:
            return self.session or Access.PUBLIC
        return self.access


def public(**kw: Any) -> Entry:
    return Entry(Access.PUBLIC, **kw)


def user(**kw: Any) -> Entry:
    return Entry(Access.USER, **kw)


def member(**kw: Any) -> Entry:
    return Entry(Access.MEMBER, **kw)


def officer(**kw: Any) -> Entry:
    return Entry(Access.OFFICER, **kw)


def dev(**kw: Any) -> Entry:
    return Entry(Access.DEV, **kw)


RESOURCE_PARAMS: dict[str, Resolver] = {
    "number": attrgetter("savings"),
    "card_id": attrgetter("credit_card"),
    "deferral_id": attrgetter("deferral"),
    "statement_id": attrgetter("statement"),
    "beneficiary_id": attrgetter("beneficiary"),
    "service_id": attrgetter("registered_service"),
    "payment_id": attrgetter("schedule"),
    "codigo": attrgetter("payment_code"),
    "key": attrgetter("movement_key"),
    "campaign": attrgetter("campaign"),
}
"""Path parameters naming a member's resource, and which of the member's by default."""
LITERAL_PARAMS: dict[str, Resolver] = {
    "kind": lambda _: "ID_FRONT",
    "token": lambda _: "enlace-inventado-" + "x" * 26,
    "enrollment_id": lambda _: "enroll-CEDULA1700000001",
    "journey_id": lambda h: credit_workflow("PRE2026", h.member_id),
    "request_id": lambda _: 1,
}
"""Path parameters that are no member's resource (public links, officer-side IDs)."""
DEBIT_CARD: Mapping[str, Resolver] = {"card_id": attrgetter("debit_card")}
OTHER_BANK_CARD: Mapping[str, Resolver] = {"card_id": attrgetter("registered_card")}
LOAN: Mapping[str, Resolver] = {"number": attrgetter("loan")}

CODE = {"codigo": "123456"}
DEFERRAL = {"monto": "10.00", "plazo_meses": 3}
CREDIT_SIMULATION = {"monto": "1000", "plazo": 12}
PAYEE = {
    "servicio": "INTERBANCARIA",
    "nombre": "Proveedor Nuevo",
    "tipo_identificacion": "CEDULA",
    "identificacion": f.cedula(4_777_777),
    "cuenta": "2200999888",
    "institucion": "0010",
    "tipo_cuenta": "CORRIENTE",
}
SCHEDULE = {
    "empresa": "EEQ",
    "suministro": "1234567",
    "monto_maximo": "50.00",
    "frecuencia": "MENSUAL",
    "dia": 5,
    "desde": "2025-02-01",
    "hasta": "2025-12-31",
}


def transfer(h: Holdings) -> dict[str, object]:
    return {
        "tipo": "COOPROGRESO",
        "cuenta_origen": h.savings,
        "cuenta_destino": MISSING.savings,
        "monto": "1.00",
    }


def campaign_row(h: Holdings) -> list[dict[str, object]]:
    return [
        {
            "campaign_id": "PRE2026",
            "identificacion": h.identification,
            "monto_maximo": "10000.00",
            "monto_minimo": "500.00",
            "plazos": [12, 24],
            "tasa": "15.83",
            "vigencia_hasta": "2025-03-31",
        }
    ]


TABLE: dict[tuple[str, str], Entry] = {
    # ---- public: no session ----------------------------------------------------------------
    ("GET", "/health"): public(),
    ("GET", f"{V1}/health"): public(),
    ("GET", f"{V1}/contact"): public(),
    ("GET", f"{V1}/help/faq"): public(),
    ("POST", f"{V1}/auth/login"): public(
        body=lambda _: {"username": "nadie.existe", "password": "Clave2024x"}
    ),
    ("POST", f"{V1}/enrollment"): public(
        body=lambda _: {"tipo_identificacion": "CEDULA", "identificacion": "1710034065"}
    ),
    ("POST", f"{V1}/enrollment/{{enrollment_id}}/codigo"): public(body=lambda _: CODE),
    ("GET", f"{V1}/signing/{{token}}"): public(),
    ("POST", f"{V1}/signing/{{token}}/identity"): public(
        body=lambda _: {"cedula": "1710034065", "codigo_dactilar": "V4443V4444"}
    ),
    ("POST", f"{V1}/signing/{{token}}/face"): public(upload=("fotogramas", JPEG)),
    ("GET", f"{V1}/signing/{{token}}/biometric-consent"): public(),
    ("POST", f"{V1}/signing/{{token}}/biometric-consent"): public(
        body=lambda _: {"version": "BIO-2026-01", "acepto": True}
    ),
    ("GET", f"{V1}/signing/{{token}}/documents"): public(),
    ("GET", f"{V1}/signing/{{token}}/documents/{{kind}}"): public(
        args={"kind": lambda _: "pagare"}
    ),
    ("POST", f"{V1}/signing/{{token}}/terms"): public(body=lambda _: {"document_hashes": []}),
    ("POST", f"{V1}/signing/{{token}}/otp"): public(body=lambda _: CODE),
    # ---- any signed-in user: their own session ---------------------------------------------
    ("GET", f"{V1}/auth/session"): user(),
    ("POST", f"{V1}/auth/logout"): user(),
    ("POST", f"{V1}/auth/password"): user(
        body=lambda _: {"current_password": "Clave2024x", "new_password": "Clave2025y"}
    ),
    ("GET", f"{V1}/auth/sessions"): user(),
    ("POST", f"{V1}/auth/sessions/close-others"): user(),
    ("GET", f"{V1}/product-requests/types"): user(),
    # ---- members: products -----------------------------------------------------------------
    ("GET", f"{V1}/position"): member(),
    ("GET", f"{V1}/investments"): member(),
    ("GET", f"{V1}/cards"): member(),
    ("GET", f"{V1}/cards/{{card_id}}"): member(args=DEBIT_CARD),
    ("GET", f"{V1}/accounts/{{number}}"): member(),
    ("GET", f"{V1}/accounts/{{number}}/share"): member(),
    ("GET", f"{V1}/accounts/{{number}}/movements"): member(),
    ("GET", f"{V1}/loans/{{number}}"): member(args=LOAN),
    ("GET", f"{V1}/loans/{{number}}/amortization.pdf"): member(args=LOAN),
    # ---- members: card PINs (debit card) ----------------------------------------------------
    ("GET", f"{V1}/cards/{{card_id}}/pin"): member(args=DEBIT_CARD),
    ("POST", f"{V1}/cards/{{card_id}}/pin/change"): member(
        args=DEBIT_CARD,
        body=lambda _: {"clave_anterior": "1357", "clave_nueva": "2468", "confirmacion": "2468"},
        temporal=Temporal.AFTER_CHECK,
    ),
    ("GET", f"{V1}/cards/{{card_id}}/pin/change"): member(
        args=DEBIT_CARD, temporal=Temporal.AFTER_CHECK
    ),
    ("POST", f"{V1}/cards/{{card_id}}/pin/change/confirm"): member(
        args=DEBIT_CARD, body=lambda _: CODE, temporal=Temporal.AFTER_CHECK
    ),
    ("POST", f"{V1}/cards/{{card_id}}/pin/change/cancel"): member(
        args=DEBIT_CARD, temporal=Temporal.AFTER_CHECK
    ),
    ("POST", f"{V1}/cards/{{card_id}}/pin/recover"): member(args=DEBIT_CARD),
    # ---- members: credit card purchases, deferrals, statements ------------------------------
    ("GET", f"{V1}/cards/{{card_id}}/purchases"): member(),
    ("GET", f"{V1}/cards/{{card_id}}/deferrals/terms"): member(),
    ("POST", f"{V1}/cards/{{card_id}}/deferrals/simulate"): member(
        body=lambda h: {"consumo_id": h.purchase, **DEFERRAL}
    ),
    ("POST", f"{V1}/cards/{{card_id}}/deferrals"): member(
        body=lambda h: {"consumo_id": h.purchase, **DEFERRAL}, temporal=Temporal.AFTER_CHECK
    ),
    ("GET", f"{V1}/cards/{{card_id}}/deferrals"): member(),
    ("GET", f"{V1}/cards/{{card_id}}/deferrals/current"): member(temporal=Temporal.AFTER_CHECK),
    ("POST", f"{V1}/cards/{{card_id}}/deferrals/confirm"): member(
        body=lambda _: CODE, temporal=Temporal.AFTER_CHECK
    ),
    ("POST", f"{V1}/cards/{{card_id}}/deferrals/cancel"): member(temporal=Temporal.AFTER_CHECK),
    ("POST", f"{V1}/cards/{{card_id}}/deferrals/{{deferral_id}}/payoff"): member(),
    ("GET", f"{V1}/cards/{{card_id}}/statements"): member(),
    ("GET", f"{V1}/cards/{{card_id}}/statements/{{statement_id}}/pdf"): member(),
    # ---- members: transfers and payments ----------------------------------------------------
    ("GET", f"{V1}/transfers/institutions"): member(),
    ("POST", f"{V1}/transfers"): member(
        body=transfer, idempotent=True, owns_by_body=True, temporal=Temporal.AFTER_CHECK
    ),
    ("POST", f"{V1}/services/lookup"): member(
        body=lambda _: {"empresa": "EEQ", "suministro": "1234567"}
    ),
    ("POST", f"{V1}/services/payments"): member(
        body=lambda h: {
            "cuenta_origen": h.savings,
            "empresa": "EEQ",
            "suministro": "1234567",
            "recibos": ["023035471"],
        },
        idempotent=True,
        owns_by_body=True,
        temporal=Temporal.AFTER_CHECK,
    ),
    ("GET", f"{V1}/cards/payable"): member(),
    ("POST", f"{V1}/card-payments"): member(
        body=lambda h: {"cuenta_origen": h.savings, "tarjeta_id": h.credit_card, "opcion": "TOTAL"},
        idempotent=True,
        owns_by_body=True,
        temporal=Temporal.AFTER_CHECK,
    ),
    ("GET", f"{V1}/movements"): member(temporal=Temporal.SCOPED),
    ("GET", f"{V1}/movements/{{key}}"): member(temporal=Temporal.SCOPED),
    ("POST", f"{V1}/movements/{{key}}/confirm"): member(
        body=lambda _: CODE, temporal=Temporal.SCOPED
    ),
    ("POST", f"{V1}/movements/{{key}}/cancel"): member(temporal=Temporal.SCOPED),
    # ---- members: registered services and other banks' cards --------------------------------
    ("GET", f"{V1}/services/categories"): member(),
    ("GET", f"{V1}/services/companies"): member(),
    ("GET", f"{V1}/services/registered"): member(),
    ("POST", f"{V1}/services/registered"): member(
        body=lambda h: {"cuenta": h.savings, "empresa": "EEQ", "suministro": "1234567"},
        owns_by_body=True,
    ),
    ("DELETE", f"{V1}/services/registered/{{service_id}}"): member(),
    ("GET", f"{V1}/cards/other"): member(),
    ("POST", f"{V1}/cards/other"): member(
        body=lambda _: {"institucion": "0010", "numero": "4012888888881881", "titular": "X Y"}
    ),
    ("DELETE", f"{V1}/cards/other/{{card_id}}"): member(args=OTHER_BANK_CARD),
    # ---- members: beneficiaries -------------------------------------------------------------
    ("GET", f"{V1}/beneficiaries"): member(),
    ("POST", f"{V1}/beneficiaries"): member(body=lambda _: PAYEE),
    ("POST", f"{V1}/beneficiaries/delete"): member(
        body=lambda h: {"ids": [h.beneficiary]}, owns_by_body=True
    ),
    ("GET", f"{V1}/beneficiaries/{{beneficiary_id}}"): member(),
    ("PUT", f"{V1}/beneficiaries/{{beneficiary_id}}"): member(body=lambda _: PAYEE),
    ("DELETE", f"{V1}/beneficiaries/{{beneficiary_id}}"): member(),
    # ---- members: payment history and scheduled payments ------------------------------------
    ("GET", f"{V1}/payments/history"): member(),
    ("GET", f"{V1}/payments/{{codigo}}/receipt"): member(),
    ("POST", f"{V1}/scheduled-payments/code"): member(
        body=lambda h: {"cuenta": h.savings, **SCHEDULE, "acepta_terminos": True},
        owns_by_body=True,
    ),
    ("GET", f"{V1}/scheduled-payments"): member(temporal=Temporal.AFTER_CHECK),
    ("POST", f"{V1}/scheduled-payments"): member(
        body=lambda h: {"cuenta": h.savings, **SCHEDULE, "id_autorizacion": "x", **CODE},
        owns_by_body=True,
        temporal=Temporal.AFTER_CHECK,
    ),
    ("POST", f"{V1}/scheduled-payments/{{payment_id}}/pause"): member(
        temporal=Temporal.AFTER_CHECK
    ),
    ("POST", f"{V1}/scheduled-payments/{{payment_id}}/resume"): member(
        temporal=Temporal.AFTER_CHECK
    ),
    ("DELETE", f"{V1}/scheduled-payments/{{payment_id}}"): member(temporal=Temporal.AFTER_CHECK),
    ("POST", f"{V1}/scheduled-payments/{{payment_id}}/max/code"): member(
        body=lambda _: {"monto_maximo": "50.00"}
    ),
    ("POST", f"{V1}/scheduled-payments/{{payment_id}}/max"): member(
        body=lambda _: {"monto_maximo": "50.00", "id_autorizacion": "x", **CODE}
    ),
    # ---- members: product requests ----------------------------------------------------------
    ("GET", f"{V1}/product-requests"): member(),
    ("GET", f"{V1}/privacy/export"): member(logs_access=True),
    ("POST", f"{V1}/privacy/deletion-request"): member(body=lambda _: {}),
    ("POST", f"{V1}/product-requests"): member(
        body=lambda _: {"tipo_producto": "CUENTA_AHORROS", "canal_contacto": "LLAMADA"}
    ),
    # ---- members: preapproved credit (the journey's ID carries the caller's member id) ------
    ("GET", f"{V1}/credit/offers"): member(temporal=Temporal.SCOPED),
    ("GET", f"{V1}/credit/offers/{{campaign}}"): member(temporal=Temporal.SCOPED),
    ("POST", f"{V1}/credit/offers/{{campaign}}/accept"): member(temporal=Temporal.SCOPED),
    ("POST", f"{V1}/credit/offers/{{campaign}}/decline"): member(temporal=Temporal.SCOPED),
    ("POST", f"{V1}/credit/offers/{{campaign}}/dismiss"): member(temporal=Temporal.SCOPED),
    ("POST", f"{V1}/credit/offers/{{campaign}}/simulate"): member(
        body=lambda _: CREDIT_SIMULATION, temporal=Temporal.SCOPED
    ),
    ("POST", f"{V1}/credit/offers/{{campaign}}/choose"): member(
        body=lambda _: CREDIT_SIMULATION, temporal=Temporal.SCOPED
    ),
    ("POST", f"{V1}/credit/offers/{{campaign}}/back"): member(temporal=Temporal.SCOPED),
    ("POST", f"{V1}/credit/offers/{{campaign}}/documents/{{kind}}"): member(
        upload=("archivo", JPEG), temporal=Temporal.SCOPED
    ),
    ("DELETE", f"{V1}/credit/offers/{{campaign}}/documents/{{kind}}"): member(
        temporal=Temporal.SCOPED
    ),
    ("POST", f"{V1}/credit/offers/{{campaign}}/finalize"): member(temporal=Temporal.SCOPED),
    # ---- credit officers --------------------------------------------------------------------
    ("POST", f"{V1}/officer/campaigns"): officer(body=campaign_row),
    ("POST", f"{V1}/officer/campaigns/import"): officer(upload=("archivo", CSV)),
    ("GET", f"{V1}/officer/journeys"): officer(),
    ("GET", f"{V1}/officer/journeys/{{journey_id}}"): officer(),
    ("POST", f"{V1}/officer/journeys/{{journey_id}}/regenerate"): officer(
        body=lambda _: {"motivo": "prueba de autorización"}
    ),
    ("POST", f"{V1}/officer/journeys/{{journey_id}}/cancel"): officer(
        body=lambda _: {"motivo": "prueba de autorización"}
    ),
    ("GET", f"{V1}/officer/product-requests"): officer(),
    ("POST", f"{V1}/officer/product-requests/{{request_id}}/attend"): officer(),
    # ---- dev (COOP_DEV_OUTBOX) ------------------------------------------------------------
    ("GET", "/dev/mailbox"): dev(),
    ("GET", "/dev/mailbox/messages"): dev(),
    ("POST", f"{V1}/dev/card-billing/close"): dev(session=Access.OFFICER),
    ("POST", f"{V1}/dev/cards/{{card_id}}/purchases"): dev(
        session=Access.MEMBER, body=lambda _: {"comercio": "PRUEBA", "monto": "1.00"}
    ),
}


# ---- the operations, and the cases drawn from the table -----------------------------------

PARAM = re.compile(r"\{(\w+)\}")
ERROR_CODE = re.compile(r"[A-Z][A-Z0-9_]{2,60}")
SPANISH = re.compile(
    r"[áéíóúñ¿¡]|\b(no|el|la|los|las|de|del|tu|tus|un|una|es|en|para|este|esta)\b", re.I
)
ENGLISH = re.compile(r"\b(the|not|found|forbidden|unauthorized|you|your|is|are|please)\b", re.I)


def schema_operations(*, dev_outbox: bool) -> set[tuple[str, str]]:
    """Every (METHOD, path template) of the OpenAPI document."""
    app = create_app(ApiSettings(database_url="sqlite://", dev_outbox=dev_outbox))
    return {
        (method.upper(), path)
        for path, operations in app.openapi()["paths"].items()
        for method in operations
    }


def params_of(path: str) -> list[str]:
    return PARAM.findall(path)


def resolver(entry: Entry, name: str) -> Resolver:
    found = entry.args.get(name) or RESOURCE_PARAMS.get(name) or LITERAL_PARAMS.get(name)
    assert found is not None, f"no value for path parameter {name!r}: add it to the table"
    return found


def resource_params(path: str) -> list[str]:
    return [p for p in params_of(path) if p in RESOURCE_PARAMS]


def owns_resource(key: tuple[str, str]) -> bool:
    """A member operation naming one of the member's resources (path or body)."""
    entry = TABLE[key]
    return entry.login is Access.MEMBER and bool(resource_params(key[1]) or entry.owns_by_body)


@dataclass(frozen=True)
class Case:
    """One request of a cross-member case: which member each path parameter comes from."""

    method: str
    path: str
    mixed: bool = False
    """The container (a card) is the caller's own, the item in it (a deferral) the other's."""

    @property
    def entry(self) -> Entry:
        return TABLE[(self.method, self.path)]

    @property
    def id(self) -> str:
        return f"{self.method} {self.path}" + (" [own card, their item]" if self.mixed else "")

    def owners(self, mine: Holdings, theirs: Holdings) -> dict[str, Holdings]:
        names = params_of(self.path)
        owned = resource_params(self.path)
        return {n: mine if self.mixed and n in owned[:-1] else theirs for n in names}


def ops_with(predicate: Callable[[tuple[str, str], Entry], bool]) -> list[tuple[str, str]]:
    return sorted(key for key, entry in TABLE.items() if predicate(key, entry))


PUBLIC_OPS = ops_with(lambda _, e: e.login is Access.PUBLIC)
SESSION_OPS = ops_with(lambda _, e: e.login is not Access.PUBLIC)
OFFICER_OPS = ops_with(lambda _, e: e.login is Access.OFFICER)
MEMBER_OPS = ops_with(lambda _, e: e.login is Access.MEMBER)
LISTING_OPS = ops_with(
    lambda key, e: (
        key[0] == "GET" and not params_of(key[1]) and e.login in (Access.MEMBER, Access.USER)
    )
)
CROSS_CASES = [Case(*key) for key in sorted(TABLE) if owns_resource(key)] + [
    Case(*key, mixed=True)
    for key in sorted(TABLE)
    if owns_resource(key) and len(resource_params(key[1])) > 1
]
ROLE_CASES = {
    "public, no session demanded": len(PUBLIC_OPS),
    "no token / forged token → 401": len(SESSION_OPS),
    "officer operation as a member → 403": len(OFFICER_OPS),
    "member operation as an officer → 403/404": len(MEMBER_OPS),
    "member A on member B's resource, Temporal down": len(CROSS_CASES),
    "member A on member B's resource, recording Temporal": len(CROSS_CASES),
    "member A's own listings, nothing of B": len(LISTING_OPS),
}


def op_id(key: tuple[str, str]) -> str:
    return f"{key[0]} {key[1]}"


class TemporalBeforeOwnership(AssertionError):
    """Finding F1: the route reached Temporal before checking whose the resource is."""


def temporal_down_cases() -> list[Any]:
    return [pytest.param(c, id=c.id) for c in CROSS_CASES]


# ---- the world: two members, an officer, the app with its dev routes ----------------------


@dataclass
class World:
    client: TestClient
    app: FastAPI
    engine: Engine
    documents: Path
    mine: Holdings
    theirs: Holdings
    member_headers: dict[str, str]
    officer_headers: dict[str, str]

    def snapshot(self) -> Snapshot:
        return snapshot(self.engine, self.theirs.member_id, self.documents)

    @property
    def everyone_private(self) -> tuple[str, ...]:
        return self.mine.private + self.theirs.private


@pytest.fixture(scope="module")
def world(
    api_settings: ApiSettings, engine: Engine, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[World]:
    folder = tmp_path_factory.mktemp("authz")
    settings = api_settings.model_copy(
        update={
            "dev_outbox": True,
            "mailbox_dir": folder / "mailbox",
            "document_dir": folder / "documents",
        }
    )
    (folder / "documents").mkdir()
    app = create_app(settings)
    truncate_all(engine)
    with Session(engine) as session:
        mine = build_member(session, ANDREA, settings.secret_key)
        theirs = build_member(session, BRUNO, settings.secret_key)
        make_officer(session)
        session.commit()
    with TestClient(app) as client:
        app.state.core.clock.fixed_today = TODAY
        yield World(
            client,
            app,
            engine,
            folder / "documents",
            mine,
            theirs,
            login(client, mine.username, f.PASSWORD),
            login(client, OFFICER, f.PASSWORD),
        )
    truncate_all(engine)


@pytest.fixture
def recording(world: World) -> Iterator[RecordingTemporal]:
    """Temporal replaced by a client that records every call and knows no workflow."""
    temporal = RecordingTemporal()

    async def recorded() -> RecordingTemporal:
        return temporal

    world.app.dependency_overrides[get_temporal_client] = recorded
    yield temporal
    world.app.dependency_overrides.pop(get_temporal_client, None)


# ---- requests and what every answer must be ---------------------------------------------------


def send(
    client: TestClient,
    method: str,
    path: str,
    owners: Mapping[str, Holdings],
    body_owner: Holdings,
    headers: Mapping[str, str],
) -> httpx.Response:
    """The operation with each path parameter (and the body) from the given member."""
    entry = TABLE[(method, path)]
    url = PARAM.sub(lambda m: str(resolver(entry, m[1])(owners[m[1]])), path)
    sent = dict(headers)
    if entry.idempotent:
        sent["Idempotency-Key"] = "authz-matrix-0001"
    kwargs: dict[str, Any] = {"headers": sent}
    if entry.body is not None:
        kwargs["json"] = entry.body(body_owner)
    if entry.upload is not None:
        name, content = entry.upload
        kwargs["files"] = [(name, ("archivo.jpg", content, "image/jpeg"))]
    return client.request(method, url, **kwargs)


def send_as(
    w: World, key: tuple[str, str], headers: Mapping[str, str], who: Holdings | None = None
) -> httpx.Response:
    holder = who or w.mine
    return send(w.client, *key, dict.fromkeys(params_of(key[1]), holder), holder, headers)


def looks_spanish(message: str) -> bool:
    return bool(SPANISH.search(message)) and not ENGLISH.search(message)


def error_of(response: httpx.Response, statuses: tuple[int, ...]) -> dict[str, Any]:
    """The JSON error body, once the status is one of ``statuses``."""
    assert response.status_code in statuses, (response.status_code, response.text)
    assert response.headers["content-type"].startswith("application/json"), response.headers
    body: dict[str, Any] = response.json()
    assert isinstance(body.get("code"), str), body
    assert ERROR_CODE.fullmatch(body["code"]), body
    assert isinstance(body.get("message"), str), body
    assert looks_spanish(body["message"]), body
    return body


def leaked(response: httpx.Response, private: tuple[str, ...]) -> list[str]:
    """The private values found in the answer (body and headers, any letter case)."""
    seen = (response.text + " " + " ".join(response.headers.values())).casefold()
    return [value for value in private if value.casefold() in seen]


def assert_nothing_written(before: Snapshot, after: Snapshot) -> None:
    changes = before.changes(after)
    assert not changes, changes


def their_targets(theirs: Holdings) -> list[str]:
    """Workflow and Schedule IDs of the other member's resources (prefixes for movements)."""
    return [
        movement_workflow(theirs.member_id, ""),
        credit_workflow(theirs.campaign, theirs.member_id),
        pin_workflow(theirs.debit_card),
        pin_workflow(theirs.credit_card),
        deferral_workflow(theirs.credit_card),
        schedule_id(theirs.schedule),
    ]


def scoped_to(member_id: int, target: str) -> bool:
    """A workflow ID the member's own session builds (their movements, their journeys)."""
    return target.startswith(movement_workflow(member_id, "")) or bool(
        re.fullmatch(rf"credit-[A-Za-z0-9_.]+-{member_id}", target)
    )


# ---- the table against the OpenAPI document -------------------------------------------------


def test_every_operation_has_exactly_one_entry() -> None:
    operations = schema_operations(dev_outbox=True)

    missing = sorted(operations - TABLE.keys())
    stale = sorted(TABLE.keys() - operations)

    assert not missing, f"operations without an entry in TABLE (who may call them?): {missing}"
    assert not stale, f"entries of TABLE whose operation no longer exists: {stale}"


def test_dev_operations_exist_only_with_the_dev_outbox() -> None:
    production = schema_operations(dev_outbox=False)

    dev_ops = {key for key, entry in TABLE.items() if entry.access is Access.DEV}
    assert not dev_ops & production
    assert TABLE.keys() - dev_ops == production


def test_the_table_can_call_every_operation() -> None:
    app = create_app(ApiSettings(database_url="sqlite://", dev_outbox=True))
    for path, operations in app.openapi()["paths"].items():
        for method, operation in operations.items():
            entry = TABLE[(method.upper(), path)]
            for name in params_of(path):
                resolver(entry, name)
            request_body = operation.get("requestBody", {})
            if not request_body.get("required"):
                continue
            content = request_body["content"]
            if "application/json" in content:
                assert entry.body is not None, f"{method} {path}: a JSON body is required"
            if "multipart/form-data" in content:
                assert entry.upload is not None, f"{method} {path}: a file is required"
            assert entry.session in (None, Access.MEMBER, Access.OFFICER)
            assert entry.session is None or entry.access is Access.DEV


def test_the_matrix_size(capsys: pytest.CaptureFixture[str]) -> None:
    total = sum(ROLE_CASES.values())
    with capsys.disabled():
        print(f"\nauthorisation matrix: {len(TABLE)} operations, {total} (operation × role) cases")
        for name, count in ROLE_CASES.items():
            print(f"  {count:4d}  {name}")
    assert len(TABLE) == len(PUBLIC_OPS) + len(SESSION_OPS)
    assert len(CROSS_CASES) >= 50
    assert total >= 300


# ---- who may call what ---------------------------------------------------------------------


@pytest.mark.parametrize("key", PUBLIC_OPS, ids=op_id)
def test_a_public_operation_needs_no_session(world: World, key: tuple[str, str]) -> None:
    response = send_as(world, key, {})

    if response.headers["content-type"].startswith("application/json"):
        body = response.json()
        assert not (isinstance(body, dict) and body.get("code") == "SESION_INVALIDA"), body
    assert response.status_code < 500 or response.status_code == 503, response.text


@pytest.mark.parametrize("key", SESSION_OPS, ids=op_id)
def test_without_a_valid_token_is_401(world: World, key: tuple[str, str]) -> None:
    before = world.snapshot()

    for headers in ({}, {"Authorization": "Bearer inventado.token-falso"}):
        response = send_as(world, key, headers)

        assert error_of(response, (401,))["code"] == "SESION_INVALIDA"
        assert not leaked(response, world.everyone_private)
    assert_nothing_written(before, world.snapshot())


@pytest.mark.parametrize("key", OFFICER_OPS, ids=op_id)
def test_an_officer_operation_refuses_a_member(world: World, key: tuple[str, str]) -> None:
    before = world.snapshot()

    response = send_as(world, key, world.member_headers)

    assert error_of(response, (403,))["code"] == "ACCESO_DENEGADO"
    assert_nothing_written(before, world.snapshot())


@pytest.mark.parametrize("key", MEMBER_OPS, ids=op_id)
def test_a_member_operation_refuses_an_officer(world: World, key: tuple[str, str]) -> None:
    before = world.snapshot()

    response = send_as(world, key, world.officer_headers)

    error_of(response, (403, 404))
    assert not leaked(response, world.everyone_private)
    assert_nothing_written(before, world.snapshot())


# ---- member A on member B's resources -------------------------------------------------------


def call_on(w: World, case: Case, theirs: Holdings) -> tuple[httpx.Response, list[str]]:
    """Member A calls ``case`` with ``theirs``' identifiers; the answer and what was written."""
    before = w.snapshot()
    response = send(
        w.client, case.method, case.path, case.owners(w.mine, theirs), theirs, w.member_headers
    )
    return response, before.changes(w.snapshot())


def assert_refused_like_missing(w: World, case: Case, allowed: tuple[int, ...]) -> None:
    response, written = call_on(w, case, w.theirs)

    assert not leaked(response, w.theirs.private), (response.status_code, response.text)
    assert not written, written
    assert response.status_code < 200 or response.status_code >= 300, response.text
    body = error_of(response, (*allowed, 503))
    if response.status_code == 503 and 503 not in allowed:
        raise TemporalBeforeOwnership(body)
    nobodys, written = call_on(w, case, MISSING)
    assert not written, written
    assert (nobodys.status_code, nobodys.json()) == (response.status_code, body), (
        "another member's resource is told apart from one that does not exist"
    )


@pytest.mark.parametrize("case", temporal_down_cases())
def test_another_members_resource_is_not_found_with_temporal_down(world: World, case: Case) -> None:
    # SCOPED routes have nothing to look up in the database: only Temporal knows whether the
    # caller has such a movement or journey, so with it down 503 is their honest answer.
    allowed = (403, 404, 503) if case.entry.temporal is Temporal.SCOPED else (403, 404)

    assert_refused_like_missing(world, case, allowed)


@pytest.mark.parametrize("case", CROSS_CASES, ids=lambda c: c.id)
def test_another_members_resource_never_reaches_their_workflow(
    world: World, case: Case, recording: RecordingTemporal
) -> None:
    assert_refused_like_missing(world, case, (403, 404))

    addressed = recording.workflow_ids()
    if case.entry.temporal is Temporal.SCOPED:
        assert all(scoped_to(world.mine.member_id, t) for t in addressed), addressed
    else:
        assert addressed == [], "Temporal was called before the ownership check"
    assert not [t for t in addressed if t.startswith(tuple(their_targets(world.theirs)))]


@pytest.mark.parametrize("key", LISTING_OPS, ids=op_id)
def test_own_listings_show_nothing_of_another_member(
    world: World, key: tuple[str, str], recording: RecordingTemporal
) -> None:
    before = world.snapshot()

    response = send_as(world, key, world.member_headers)

    assert response.status_code == 200, response.text
    assert not leaked(response, world.theirs.private), response.text
    assert recording.listed_members() <= {str(world.mine.member_id)}
    assert not [
        t for t in recording.workflow_ids() if t.startswith(tuple(their_targets(world.theirs)))
    ]
    changes = before.changes(world.snapshot())
    if TABLE[key].logs_access:  # its own access-log line, nothing else
        changes = [c for c in changes if not c.startswith("table audit_events:")]
    assert not changes, changes


# ---- the instruments themselves ---------------------------------------------------------------


def test_the_checks_see_a_leak_a_write_and_a_workflow(
    world: World, recording: RecordingTemporal
) -> None:
    # Positive controls, on member A's own resources: what the matrix asserts never happens
    # is what these checks would catch. (Runs last: it writes A's product request.)
    own_account = send_as(world, ("GET", f"{V1}/accounts/{{number}}"), world.member_headers)
    assert own_account.status_code == 200
    assert world.mine.savings in leaked(own_account, world.mine.private)

    before = world.snapshot()
    created = send_as(world, ("POST", f"{V1}/product-requests"), world.member_headers)
    assert created.status_code == 201, created.text
    assert any("product_requests" in change for change in before.changes(world.snapshot()))

    change = send_as(world, ("POST", f"{V1}/cards/{{card_id}}/pin/change"), world.member_headers)
    assert error_of(change, (503,))["code"] == "SERVICIO_NO_DISPONIBLE"
    assert recording.calls == [("start", pin_workflow(world.mine.debit_card))]
