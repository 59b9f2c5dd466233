"""Schema-driven fuzzing (schemathesis) of every route, with Temporal up.

Cases are generated from the app's own OpenAPI document (valid *and* invalid input) and
sent through the running app, whose Temporal-backed routes reach the dev server and the real
workers (``fuzz_support.py``). Member routes carry a member's token, officer routes an
officer's, logout a fresh session of its own each time (so it never ends the fuzzer's). A
share of the cases address what exists (the member's accounts and cards, the credit journey,
its signing link, an enrollment, a transfer awaiting its code) instead of a random ID.

Each response must pass schemathesis's checks: no 5xx, a status code the document lists, a
content type it lists, and a body that conforms to the documented schema. The last test
prints how many cases each check saw and fails below a minimum, and when an operation of the
document got no case at all, so the fuzzing can never silently run nothing.
"""

from __future__ import annotations

import time
import zlib
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest
import requests
import schemathesis
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, settings
from schemathesis import GenerationMode
from schemathesis.checks import (
    FailureGroup,
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy import Engine, update

from api.main import create_app
from bank.core.settings import ApiSettings, WorkerSettings
from bank.models import User
from tests import factories as f
from tests.api.conftest import login
from tests.api.fuzz_support import (
    MEMBER,
    OFFICER,
    Known,
    empty_database,
    seed_journeys,
    seed_people,
    stack_settings,
    temporal_stack,
)

_document = create_app(ApiSettings(database_url="sqlite://", dev_outbox=True)).openapi()
schema = schemathesis.openapi.from_dict(_document)
schema.config.generation.update(modes=list(GenerationMode))
schema.config.phases.coverage.unexpected_methods = {"patch"}
"""One undocumented method per path (405, not a 5xx) instead of all eight: a third of the time."""

OPERATIONS = {
    f"{method.upper()} {path}" for path, item in _document["paths"].items() for method in item
}
CHECKS: dict[str, Callable[..., Any]] = {
    "not_a_server_error": not_a_server_error,
    "status_code_conformance": status_code_conformance,
    "content_type_conformance": content_type_conformance,
    "response_schema_conformance": response_schema_conformance,
}
MAX_EXAMPLES = 10
"""Generated cases per operation (Hypothesis), on top of schemathesis's explicit examples."""
MIN_CASES = 10 * len(OPERATIONS)
"""Fewer cases than this through any check means the fuzzing did not really run."""
SUBSTITUTED_SHARE = 2
"""One invalid case in this many addresses an existing thing instead of the generated
identifier (every valid case does)."""

RUN: Counter[str] = Counter()
"""Cases through each check in this test session."""
SEEN: set[str] = set()
"""Operations that got at least one case."""
SECONDS: dict[str, float] = {"requests": 0.0, "checks": 0.0}
"""Wall time spent sending the cases and checking their answers."""
STATUSES: Counter[int] = Counter()
"""Answers per HTTP status."""
UNAVAILABLE: Counter[str] = Counter()
"""Operations that answered 503: with Temporal up, none should."""
PHASES: Counter[str] = Counter()
"""Cases per schemathesis phase (explicit examples, coverage, fuzzing)."""


@dataclass
class Fuzzing:
    """The running app and who calls it."""

    client: TestClient
    member: dict[str, str]
    officer: dict[str, str]
    known: Known

    def headers_for(self, case: Any) -> dict[str, str]:
        """An officer's token on officer routes, a fresh session on logout, a member's else."""
        if case.path.startswith("/api/v1/officer/"):
            return self.officer
        if case.path == "/api/v1/auth/logout":
            return login(self.client, MEMBER, f.PASSWORD)
        return self.member

    def address_existing(self, case: Any) -> None:
        """Put known identifiers in the path: always for valid input (so that it reaches a
        live journey), for a share of the invalid (deterministically, from its values)."""
        params = case.path_parameters or {}
        positive = case.meta is not None and case.meta.generation.mode is GenerationMode.POSITIVE
        if not positive and zlib.crc32(repr(sorted(params.items())).encode()) % SUBSTITUTED_SHARE:
            return
        for name in params:
            values = self.known.values.get(name)
            if values:
                params[name] = values[zlib.crc32(repr(params).encode()) % len(values)]


@pytest.fixture(scope="module")
def fuzzing(
    engine: Engine, api_settings: ApiSettings, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Fuzzing]:
    """The app with Temporal and the workers up, over the module's own data."""
    empty_database(engine)
    known = Known()
    identifications = seed_people(engine, known)
    shared = stack_settings(api_settings, tmp_path_factory.mktemp("fuzz"))
    worker_settings = WorkerSettings.model_validate(shared)
    with temporal_stack(worker_settings, engine) as address:
        settings = api_settings.model_copy(update={**shared, "temporal_address": address})
        with TestClient(create_app(settings)) as client:
            seed_journeys(client, engine, settings, identifications, known)
            yield Fuzzing(
                client, login(client, MEMBER, f.PASSWORD), login(client, OFFICER, f.PASSWORD), known
            )
    empty_database(engine)


def _httpx_kwargs(kwargs: dict[str, Any]) -> dict[str, Any]:
    """requests-style transport kwargs → TestClient (httpx) kwargs; a multipart body is
    encoded as requests would (httpx refuses the non-file parts invalid cases carry)."""
    out = {k: v for k, v in kwargs.items() if k in ("method", "url", "headers", "params", "json")}
    if kwargs.get("files"):
        prepared = requests.PreparedRequest()
        prepared.prepare_headers(None)
        prepared.prepare_body(kwargs.get("data"), kwargs["files"])
        content_type = prepared.headers["Content-Type"]
        out["headers"] = {**(out.get("headers") or {}), "Content-Type": content_type}
        out["content"] = prepared.body
    elif "data" in kwargs:
        data = kwargs["data"]
        out["content" if isinstance(data, str | bytes) else "data"] = data
    return out


def test_every_json_answer_is_documented_with_its_model() -> None:
    """The routes answering ``JsonBytes`` (the position, accounts, loans, cards…) once
    documented a bare string: a client generated from the document could not read them."""
    bare = [
        f"{method.upper()} {path}"
        for path, item in _document["paths"].items()
        for method, operation in item.items()
        for status, answer in operation["responses"].items()
        if status.startswith("2")
        and answer.get("content", {}).get("application/json", {}).get("schema")
        == {"type": "string"}
    ]
    assert bare == []
    position = _document["paths"]["/api/v1/position"]["get"]["responses"]["200"]
    assert position["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/PosicionOut"
    }


def test_every_operation_documents_the_app_wide_errors() -> None:
    """A malformed body (400), a missing session (401) and bad fields (422) can reach any
    operation: each one that takes a body, a session or parameters lists them."""
    missing = []
    for path, item in _document["paths"].items():
        for method, operation in item.items():
            statuses = set(operation["responses"])
            wanted = set()
            if "requestBody" in operation:
                wanted |= {"400", "413", "422"}
            if operation.get("security"):
                wanted |= {"401", "403"}
            if operation.get("parameters"):
                wanted.add("422")
            missing += [f"{method.upper()} {path} {s}" for s in sorted(wanted - statuses)]
    assert missing == []
    session = _document["paths"]["/api/v1/auth/session"]["get"]["responses"]["401"]
    assert session["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/ErrorBody"
    }


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_every_response_keeps_its_contract(case: Any, fuzzing: Fuzzing, engine: Engine) -> None:
    with engine.begin() as conn:  # wrong current passwords would lock the fuzzer out
        conn.execute(update(User).values(failed_attempts=0, locked_at=None))
    fuzzing.address_existing(case)
    headers = fuzzing.headers_for(case)
    kwargs = case.as_transport_kwargs(base_url="http://testserver", headers=headers)

    started = time.perf_counter()
    response = fuzzing.client.request(**_httpx_kwargs(kwargs))
    SECONDS["requests"] += time.perf_counter() - started

    SEEN.add(f"{case.operation.method.upper()} {case.operation.path}")
    PHASES[case.meta.phase.name.value if case.meta else "?"] += 1
    STATUSES[response.status_code] += 1
    if response.status_code == 503:
        UNAVAILABLE[f"{case.operation.method.upper()} {case.operation.path}"] += 1
    failures = []
    started = time.perf_counter()
    for name, check in CHECKS.items():
        RUN[name] += 1
        try:
            case.validate_response(response, checks=[check], headers=headers)
        except FailureGroup as group:
            failures += [
                f"{name}: {failure.title}\n{failure.message}" for failure in group.exceptions
            ]
    SECONDS["checks"] += time.perf_counter() - started
    curl = case.as_curl_command(headers) if failures else ""
    assert not failures, "\n".join(
        [f"{case.method} {case.formatted_path} → {response.status_code}", *failures, curl]
    )


def test_the_fuzzing_ran_every_operation(capsys: pytest.CaptureFixture[str]) -> None:
    """Runs last (file order): the counts of the session's cases, per check."""
    with capsys.disabled():
        print(f"\nfuzzing: {len(SEEN)}/{len(OPERATIONS)} operations; cases per check:")
        for name in CHECKS:
            print(f"  {name}: {RUN[name]}")
        print(f"  seconds: requests {SECONDS['requests']:.1f}, checks {SECONDS['checks']:.1f}")
        print("  by phase: " + ", ".join(f"{k} {v}" for k, v in sorted(PHASES.items())))
        print("  by status: " + ", ".join(f"{k} {v}" for k, v in sorted(STATUSES.items())))
        print(f"  503 by operation: {dict(UNAVAILABLE)}")
    assert sorted(OPERATIONS - SEEN) == []
    assert UNAVAILABLE == {}, "Temporal is up: no operation may answer 503"
    for name in CHECKS:
        assert RUN[name] >= MIN_CASES, (name, RUN[name], MIN_CASES)
