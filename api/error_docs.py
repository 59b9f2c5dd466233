"""The error answers every operation can give, written into the OpenAPI document.

Some answers do not come from a route but from the app around it: a body that is not JSON
(400 ``JSON_INVALIDO``), a bad ``Content-Length`` (400) or a body over the limit (413) from
``BodyLimitMiddleware``, a missing or expired session (401) and a temporary password or the
wrong role (403) from the dependencies, invalid fields (422). Listing them route by route
left most operations documenting fewer statuses than they answer (the schema fuzzer,
``tests/api/test_fuzz.py``, found 400 and 401 undocumented on 30 of them); here they are
added once, to every operation they apply to, without touching what a route documents itself.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from fastapi import FastAPI

from api.schemas.common import ERROR_RESPONSES, ErrorBody

_REF = {"$ref": "#/components/schemas/ErrorBody"}

WITH_BODY: dict[str, str] = {
    "400": "Cuerpo de la solicitud inválido (JSON mal formado)",
    "413": "La solicitud excede el tamaño permitido",
    "422": ERROR_RESPONSES[422]["description"],
}
"""What any operation that takes a request body can answer."""
WITH_SESSION: dict[str, str] = {str(s): ERROR_RESPONSES[s]["description"] for s in (401, 403)}
"""What any operation behind a session token can answer."""
WITH_PARAMETERS: dict[str, str] = {"422": ERROR_RESPONSES[422]["description"]}
"""What any operation with path, query or header parameters can answer."""


def add_common_errors(document: dict[str, Any]) -> None:
    """Add the app-wide error answers to every operation of ``document`` (in place)."""
    components = document.setdefault("components", {}).setdefault("schemas", {})
    components.setdefault("ErrorBody", ErrorBody.model_json_schema())
    for item in document.get("paths", {}).values():
        for operation in item.values():
            if not isinstance(operation, dict) or "responses" not in operation:
                continue
            extra: dict[str, str] = {}
            if "requestBody" in operation:
                extra |= WITH_BODY
            if operation.get("parameters"):
                extra |= WITH_PARAMETERS
            if operation.get("security"):
                extra |= WITH_SESSION
            responses = operation["responses"]
            for status, description in extra.items():
                responses.setdefault(
                    status,
                    {"description": description, "content": {"application/json": {"schema": _REF}}},
                )


def document_common_errors(app: FastAPI) -> None:
    """Make ``app.openapi()`` list the app-wide error answers (see the module's docstring)."""
    build: Callable[[], dict[str, Any]] = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            add_common_errors(build())
        assert app.openapi_schema is not None
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
