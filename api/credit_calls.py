"""What the credit routes share: their Temporal calls, uploads, the document store.

Not a route module: ``api/routes/credit.py``, ``credit_signing.py`` and ``officer.py`` use
it. The Temporal calls go through ``api.temporal`` (bounded waits, the ``REFUSALS`` table);
what is the credit's own is the default ``not_found`` (the offer) and ``credit_otherwise``
for a refusal type not in the table (409 for a code, 503 ``ERROR_DEL_SISTEMA``).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable
from datetime import timedelta
from typing import Annotated, Any, TypeVar

from fastapi import Depends, Request, UploadFile
from starlette.concurrency import run_in_threadpool
from temporalio.client import Client, WorkflowExecution, WorkflowHandle
from temporalio.workflow import UpdateMethodMultiParam

from api import temporal
from api.deps import app_state
from api.errors import ApiError
from bank.adapters.documents import DocumentStore, new_key
from bank.kyc import reasons
from workflows.credit.contract import CreditJourneyState
from workflows.credit.journey import CreditJourneyWorkflow

log = logging.getLogger(__name__)

R = TypeVar("R")
WORKFLOW_TYPE = "CreditJourneyWorkflow"
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


def offer_not_found() -> ApiError:
    """An unknown offer and another member's offer alike."""
    return ApiError(
        404, "OFERTA_NO_ENCONTRADA", "No encontramos la oferta de crédito o ya no está disponible."
    )


def journey_not_found() -> ApiError:
    """Officers: no credit journey with that ID."""
    return ApiError(404, "JORNADA_NO_ENCONTRADA", "No existe una solicitud de crédito con ese ID.")


async def update(
    handle: WorkflowHandle[Any, Any],
    method: UpdateMethodMultiParam[..., R],
    arg: Any = None,
    *,
    not_found: Callable[[], ApiError] = offer_not_found,
    rpc_timeout: timedelta = temporal.UPDATE_TIMEOUT,
) -> R:
    """Execute a credit Update (``api.temporal.update`` with the credit's answers)."""
    return await temporal.update(
        handle,
        method,
        [] if arg is None else [arg],
        not_found=not_found,
        otherwise=temporal.credit_otherwise,
        rpc_timeout=rpc_timeout,
    )


async def query_state(
    handle: WorkflowHandle[Any, Any], not_found: Callable[[], ApiError]
) -> CreditJourneyState:
    """The ``state`` Query (works on finished journeys too)."""
    return await temporal.query(handle, CreditJourneyWorkflow.state, not_found=not_found)


def _invalid_filter() -> ApiError:
    return ApiError(422, "FILTRO_INVALIDO", "Los filtros de búsqueda no son válidos.")


async def list_executions(client: Client, query: str, limit: int) -> list[WorkflowExecution]:
    """Credit journeys from Temporal's visibility store; a rejected filter is a 422."""
    return await temporal.list_executions(client, query, limit, invalid=_invalid_filter)


# ---- document store and uploads -------------------------------------------------------------


def get_document_store(request: Request) -> DocumentStore:
    """The document store of ``COOP_DOCUMENT_STORE``, built once per app."""
    return app_state(request).adapters.documents


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

    The size Starlette counted while spooling the part is checked first; then at most
    ``max_bytes + 1`` bytes are read, so an oversize file never sits in memory whole.

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
        raise temporal.unavailable() from exc
    return key


async def discard_uploads(store: DocumentStore, keys: list[str]) -> None:
    """Remove uploads the journey refused (nothing refers to them); never raises.

    Called while answering a refusal: a store that cannot delete right now must not turn
    that answer into a 500. The orphan keeps its random name and is never read again.
    """
    for key in keys:
        try:
            await run_in_threadpool(store.delete, key)
        except Exception:
            log.warning("document store could not remove the refused upload %s", key, exc_info=True)


def safe_filename(name: str | None, media_type: str) -> str:
    """The member's file name for display only: plain characters, at most 100, ending in
    the sniffed type's extension (``cedula.html`` holding a PNG is shown as ``cedula.png``).
    """
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    stem = base.rsplit(".", 1)[0] if "." in base.lstrip(".") else base
    cleaned = _UNSAFE.sub("_", stem).strip(" ._")[:96]
    return f"{cleaned or 'documento'}.{_EXTENSIONS[media_type]}"
