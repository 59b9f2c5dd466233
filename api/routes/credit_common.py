"""What the credit routes share: Temporal calls and their errors, uploads, the document store.

Error mapping: an Update refused by the workflow (validator or handler) carries an
``ApplicationError`` whose ``type`` is a stable code and whose message is Spanish
(``workflows.credit_types``); it becomes a 4xx with that code and message. A failure of
the workflow's own machinery (an activity that gave up) is a 503; an unknown journey is a
404; Temporal unreachable is a 503. Nothing here ever answers 500 for a member's input.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request, UploadFile
from starlette.concurrency import run_in_threadpool
from temporalio.client import (
    Client,
    WorkflowExecution,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowQueryRejectedError,
    WorkflowUpdateFailedError,
)
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.workflow import UpdateMethodMultiParam

from api.deps import app_state
from api.errors import ApiError
from bank.adapters.documents import DocumentStore, document_store_from_settings, new_key
from bank.kyc import reasons
from workflows.credit_journey import CreditJourneyWorkflow
from workflows.credit_types import (
    ERR_AMOUNT,
    ERR_CODE,
    ERR_DOCUMENT,
    ERR_HASHES,
    ERR_LINK,
    ERR_OFFICER,
    ERR_SYSTEM,
    ERR_TERM,
    CreditJourneyState,
)

log = logging.getLogger(__name__)

R = TypeVar("R")
WORKFLOW_TYPE = "CreditJourneyWorkflow"
QUERY_TIMEOUT = timedelta(seconds=10)
UPDATE_TIMEOUT = timedelta(seconds=60)
MAX_DOCUMENT_BYTES = 10 * 1024 * 1024
"""Per file, as ``bank.kyc.documents.DocumentLimits.max_bytes`` (the workflow checks again)."""
MAX_FRAME_BYTES = 2 * 1024 * 1024
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
_EXTENSIONS = {"application/pdf": "pdf", "image/png": "png", "image/jpeg": "jpg"}
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]")

INPUT_CODES = frozenset(
    {
        ERR_AMOUNT,
        ERR_TERM,
        ERR_DOCUMENT,
        ERR_CODE,
        ERR_HASHES,
        ERR_OFFICER,
        "CEDULA_INVALIDA",
        "CODIGO_DACTILAR_INVALIDO",
        "FOTOGRAMAS_INVALIDOS",
    }
)
"""Refusals of what was typed or sent (422); every other business refusal is a 409."""
_CODE = re.compile(r"[A-Z][A-Z0-9_]{2,60}")


def offer_not_found() -> ApiError:
    """An unknown offer and another member's offer alike."""
    return ApiError(
        404, "OFERTA_NO_ENCONTRADA", "No encontramos la oferta de crédito o ya no está disponible."
    )


def journey_not_found() -> ApiError:
    """Officers: no credit journey with that ID."""
    return ApiError(404, "JORNADA_NO_ENCONTRADA", "No existe una solicitud de crédito con ese ID.")


def unavailable() -> ApiError:
    """Temporal unreachable, or the workflow could not answer."""
    return ApiError(
        503,
        "SERVICIO_NO_DISPONIBLE",
        "El servicio no está disponible en este momento. Intenta más tarde.",
    )


def refused(exc: WorkflowUpdateFailedError) -> ApiError:
    """The 4xx (or 503) for an Update the workflow refused or could not complete."""
    cause = exc.cause
    if isinstance(cause, ApplicationError) and cause.type and _CODE.fullmatch(cause.type):
        if cause.type == ERR_SYSTEM:
            return ApiError(503, cause.type, cause.message)
        if cause.type == ERR_LINK:
            return ApiError(404, cause.type, cause.message)
        status = 422 if cause.type in INPUT_CODES else 409
        return ApiError(status, cause.type, cause.message)
    if isinstance(cause, ApplicationError) and cause.type in {"ValueError", "TypeError"}:
        # A validator's plain exception (English): never shown to the member.
        return ApiError(422, "SOLICITUD_RECHAZADA", "No pudimos procesar los datos enviados.")
    log.warning("credit update failed: %r", cause)
    return ApiError(503, ERR_SYSTEM, "No pudimos completar la operación. Inténtalo más tarde.")


def rpc_failure(exc: RPCError, not_found: Callable[[], ApiError]) -> ApiError:
    """NOT_FOUND (unknown or finished journey) → ``not_found()``; anything else → 503."""
    if exc.status == RPCStatusCode.NOT_FOUND:
        return not_found()
    log.warning("Temporal call failed: %s %s", exc.status, exc)
    return unavailable()


async def update(
    handle: WorkflowHandle[Any, Any],
    method: UpdateMethodMultiParam[..., R],
    arg: Any = None,
    *,
    not_found: Callable[[], ApiError] = offer_not_found,
    rpc_timeout: timedelta = UPDATE_TIMEOUT,
) -> R:
    """Execute an Update and wait for its result, mapping every failure to an ApiError.

    The wait is bounded: with no worker to run the Update the member gets a 503, not a
    request hanging forever.
    """
    args = [] if arg is None else [arg]
    try:
        result: R = await handle.execute_update(method, args=args, rpc_timeout=rpc_timeout)
    except WorkflowUpdateFailedError as exc:
        raise refused(exc) from exc
    except RPCError as exc:
        raise rpc_failure(exc, not_found) from exc
    return result


async def query_state(
    handle: WorkflowHandle[Any, Any], not_found: Callable[[], ApiError]
) -> CreditJourneyState:
    """The ``state`` Query (works on finished journeys too)."""
    try:
        state: CreditJourneyState = await handle.query(
            CreditJourneyWorkflow.state, rpc_timeout=QUERY_TIMEOUT
        )
    except RPCError as exc:
        raise rpc_failure(exc, not_found) from exc
    except (WorkflowQueryFailedError, WorkflowQueryRejectedError) as exc:
        log.warning("state query of %s failed: %s", handle.id, exc)
        raise unavailable() from exc
    return state


async def list_executions(client: Client, query: str, limit: int) -> list[WorkflowExecution]:
    """Workflow executions from Temporal's visibility store (search attributes)."""
    try:
        return [e async for e in client.list_workflows(query, limit=limit, page_size=limit)]
    except RPCError as exc:
        log.warning("visibility query %r failed: %s", query, exc)
        if exc.status == RPCStatusCode.INVALID_ARGUMENT:
            raise ApiError(
                422, "FILTRO_INVALIDO", "Los filtros de búsqueda no son válidos."
            ) from exc
        raise unavailable() from exc


# ---- document store and uploads -------------------------------------------------------------


def get_document_store(request: Request) -> DocumentStore:
    """The document store of ``COOP_DOCUMENT_STORE``, built once per app."""
    store: DocumentStore | None = getattr(request.app.state, "credit_documents", None)
    if store is None:
        store = document_store_from_settings(app_state(request).settings)
        request.app.state.credit_documents = store
    return store


Documents = Annotated[DocumentStore, Depends(get_document_store)]


def sniff(data: bytes) -> str | None:
    """The media type from the magic bytes (PDF, PNG, JPEG), ignoring what the client said.

    The same rule as ``bank.kyc.documents.sniff``, without importing OpenCV into the API.
    """
    return next((media for magic, media in _MAGIC if data.startswith(magic)), None)


def rejected(code: str, **values: str) -> ApiError:
    """422 ``DOCUMENTO_RECHAZADO`` with the KYC reason (code and Spanish message)."""
    reason = reasons.reject(code, **values)
    return ApiError(
        422,
        "DOCUMENTO_RECHAZADO",
        reason.message,
        [{"codigo": reason.code, "mensaje": reason.message}],
    )


async def read_upload(upload: UploadFile, max_bytes: int) -> tuple[bytes, str]:
    """The bytes of an upload and their sniffed type; the size is checked before reading.

    Raises:
        ApiError: 422 ``DOCUMENTO_RECHAZADO`` (empty, too big, not PDF/PNG/JPEG).
    """
    limit_mb = f"{max_bytes / 1024 / 1024:g}"
    if upload.size is not None and upload.size > max_bytes:
        raise rejected(reasons.ARCHIVO_DEMASIADO_GRANDE, limit_mb=limit_mb)
    data = await upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise rejected(reasons.ARCHIVO_DEMASIADO_GRANDE, limit_mb=limit_mb)
    if not data:
        raise rejected(reasons.ARCHIVO_VACIO)
    media_type = sniff(data)
    if media_type is None:
        raise rejected(reasons.TIPO_NO_PERMITIDO)
    return data, media_type


async def store_upload(store: DocumentStore, prefix: str, data: bytes, media_type: str) -> str:
    """Store ``data`` under ``<prefix>/<random>.<ext>`` (never the client's file name)."""
    key = f"{prefix}/{new_key()}.{_EXTENSIONS[media_type]}"
    try:
        await run_in_threadpool(store.put, key, data, media_type)
    except Exception as exc:
        log.exception("document store refused %s", key)
        raise unavailable() from exc
    return key


def safe_filename(name: str | None, media_type: str) -> str:
    """The member's file name for display only: plain characters, at most 100."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    cleaned = _UNSAFE.sub("_", base).strip(" ._")[:100]
    return cleaned or f"documento.{_EXTENSIONS[media_type]}"
