"""The API's calls to Temporal: start, Update, Query, list — bounded waits, one error table.

Every route reaches Temporal through this module: through its helpers, or (where a failed
Update is answered from the workflow's state: movements, enrollment) by calling the handle
with these timeouts and ``refusal()``. So every call has the same two properties:

- **A bounded wait.** Each call passes ``rpc_timeout``: ``SERVER_TIMEOUT`` to start a
  workflow or touch a Schedule, ``QUERY_TIMEOUT`` for a Query, ``UPDATE_TIMEOUT`` (or a
  longer one the caller names, e.g. the credit's finalize) for an Update. With no worker
  to run an Update the member gets a 503, never a request hanging forever.
- **One translation of refusals.** A workflow refuses an Update with an
  ``ApplicationError`` whose ``type`` is a stable code and whose message is Spanish.
  ``REFUSALS`` maps that type to the HTTP status (and, for a few, a fixed code and Spanish
  message). A type not in the table is answered by the caller's ``otherwise`` (each
  journey kept its own answer for the unexpected: see ``credit_otherwise``).

Temporal unreachable, or a call that timed out, is a 503 ``SERVICIO_NO_DISPONIBLE``
(``unavailable()``); a workflow that does not exist is the caller's ``not_found()``.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import timedelta
from typing import Any, TypeVar

from temporalio.client import (
    Client,
    RPCTimeoutOrCancelledError,
    WithStartWorkflowOperation,
    WorkflowExecution,
    WorkflowHandle,
    WorkflowQueryFailedError,
    WorkflowQueryRejectedError,
    WorkflowUpdateFailedError,
)
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode
from temporalio.workflow import UpdateMethodMultiParam

from api.errors import ApiError, is_connect_failure
from workflows.credit.contract import (
    ERR_AFTER_CUTOFF,
    ERR_AMOUNT,
    ERR_CODE,
    ERR_DEADLINE,
    ERR_DOCUMENT,
    ERR_DOCUMENTS_MISSING,
    ERR_HASHES,
    ERR_LINK,
    ERR_OFFICER,
    ERR_STATE,
    ERR_STEP,
    ERR_SYSTEM,
    ERR_TERM,
    ERR_TOO_MANY_SIMULATIONS,
)

log = logging.getLogger(__name__)

R = TypeVar("R")

SERVER_TIMEOUT = timedelta(seconds=10)
"""One round trip to the Temporal server: start a workflow, create or change a Schedule."""
QUERY_TIMEOUT = timedelta(seconds=10)
"""A Query: a worker answers from the workflow's state, or replays it first."""
UPDATE_TIMEOUT = timedelta(seconds=60)
"""An Update and its result (activities included); longer steps pass their own."""

UNAVAILABLE_MESSAGE = "El servicio no está disponible en este momento. Intenta más tarde."


def unavailable() -> ApiError:
    """503 ``SERVICIO_NO_DISPONIBLE``: Temporal unreachable, or the workflow could not answer."""
    return ApiError(503, "SERVICIO_NO_DISPONIBLE", UNAVAILABLE_MESSAGE)


@dataclass(frozen=True)
class Refusal:
    """How the API answers one ``ApplicationError.type``.

    Attributes:
        status: the HTTP status.
        code: the ``code`` of the answer; ``None`` keeps the type itself.
        message: a fixed Spanish message; ``None`` keeps the error's own (Spanish) message.
    """

    status: int
    code: str | None = None
    message: str | None = None


_INPUT = Refusal(422)
_STATE = Refusal(409)
_PLAIN = Refusal(422, "SOLICITUD_RECHAZADA", "No pudimos procesar los datos enviados.")

REFUSALS: dict[str, Refusal] = {
    # What was typed or sent: 422 with the workflow's message.
    ERR_AMOUNT: _INPUT,
    ERR_TERM: _INPUT,
    ERR_DOCUMENT: _INPUT,
    ERR_CODE: _INPUT,  # "CODIGO_INVALIDO": credit signing and movements alike
    ERR_HASHES: _INPUT,
    ERR_OFFICER: _INPUT,
    "CEDULA_INVALIDA": _INPUT,
    "CODIGO_DACTILAR_INVALIDO": _INPUT,
    "FOTOGRAMAS_INVALIDOS": _INPUT,
    # A step the journey does not allow now: 409 with the workflow's message.
    ERR_STATE: _STATE,  # "ESTADO_INVALIDO": credit and movements alike
    ERR_TOO_MANY_SIMULATIONS: _STATE,
    ERR_DOCUMENTS_MISSING: _STATE,
    ERR_AFTER_CUTOFF: _STATE,
    ERR_DEADLINE: _STATE,
    ERR_STEP: _STATE,
    # A signing link that does not (or no longer) exist.
    ERR_LINK: Refusal(404),
    # The workflow's own machinery gave up (an activity), said in Spanish by the workflow.
    ERR_SYSTEM: Refusal(503),
    # The same order under a used Idempotency-Key (movements).
    "IDEMPOTENCY_CONFLICT": Refusal(
        409, "IDEMPOTENCY_CONFLICT", "La clave de idempotencia ya se usó para otra operación."
    ),
    # A validator's plain Python exception (English): never shown to the member.
    "ValueError": _PLAIN,
    "TypeError": _PLAIN,
}
"""``ApplicationError.type`` → the HTTP answer. The one table of the API."""

_CODE = re.compile(r"[A-Z][A-Z0-9_]{2,60}")

Otherwise = Callable[[BaseException | None], ApiError]
"""The answer for a refusal whose type is not in ``REFUSALS`` (gets the cause)."""


class UpdateRefused(ApiError):
    """The workflow refused an Update (or could not complete it): the table's answer, with the
    ``ApplicationError.type`` behind it for a caller that answers some refusals otherwise."""

    def __init__(self, answer: ApiError, error_type: str | None) -> None:
        super().__init__(answer.status_code, answer.code, answer.message, answer.details)
        self.error_type = error_type


class WorkflowGone(ApiError):
    """No running workflow with that ID (never started, or closed): the caller's 404 answer,
    for a caller that answers from the closed workflow's state instead."""

    def __init__(self, answer: ApiError) -> None:
        super().__init__(answer.status_code, answer.code, answer.message, answer.details)


def unreachable(exc: RuntimeError) -> ApiError:
    """503 for the lazy client's failed connect; any other RuntimeError goes on up.

    Raises:
        RuntimeError: ``exc`` itself, when it is not a failed connect.
    """
    if not is_connect_failure(exc):
        raise exc
    log.warning("cannot reach Temporal: %s", exc)
    return unavailable()


def service_unavailable(cause: BaseException | None) -> ApiError:
    """``otherwise`` of movements: anything unexpected is 503 ``SERVICIO_NO_DISPONIBLE``."""
    log.warning("update failed: %r", cause)
    return unavailable()


def credit_otherwise(cause: BaseException | None) -> ApiError:
    """``otherwise`` of the credit journey (as it always answered).

    Another code-shaped type is a business refusal (409 with its message); anything else
    (an activity that gave up) is 503 ``ERROR_DEL_SISTEMA``.
    """
    if isinstance(cause, ApplicationError) and cause.type and _CODE.fullmatch(cause.type):
        return ApiError(409, cause.type, cause.message)
    log.warning("credit update failed: %r", cause)
    return ApiError(503, ERR_SYSTEM, "No pudimos completar la operación. Inténtalo más tarde.")


def refusal(exc: WorkflowUpdateFailedError, otherwise: Otherwise = service_unavailable) -> ApiError:
    """The ApiError for an Update the workflow refused or could not complete."""
    cause = exc.cause
    if isinstance(cause, ApplicationError) and cause.type in REFUSALS:
        answer = REFUSALS[cause.type]
        return ApiError(answer.status, answer.code or cause.type, answer.message or cause.message)
    return otherwise(cause)


def rpc_failure(exc: RPCError, not_found: Callable[[], ApiError]) -> ApiError:
    """NOT_FOUND (unknown or finished workflow) → ``not_found()``; anything else → 503."""
    if exc.status == RPCStatusCode.NOT_FOUND:
        return not_found()
    log.warning("Temporal call failed: %s %s", exc.status, exc)
    return unavailable()


async def start(client: Client, workflow: Any, arg: Any, *, id: str, **options: Any) -> None:
    """Start workflow ``id`` (``options`` as ``Client.start_workflow``) within SERVER_TIMEOUT.

    Raises:
        WorkflowAlreadyStartedError: as Temporal does (the caller decides what it means).
        ApiError: 503 if Temporal cannot be reached or does not answer in time.
    """
    try:
        await client.start_workflow(workflow, arg, id=id, rpc_timeout=SERVER_TIMEOUT, **options)
    except (RPCError, RPCTimeoutOrCancelledError) as exc:
        log.warning("cannot start %s: %s", id, exc)
        raise unavailable() from exc
    except RuntimeError as exc:
        raise unreachable(exc) from exc


async def update(
    handle: WorkflowHandle[Any, Any],
    method: UpdateMethodMultiParam[..., R],
    args: Sequence[Any] = (),
    *,
    not_found: Callable[[], ApiError],
    otherwise: Otherwise = service_unavailable,
    rpc_timeout: timedelta = UPDATE_TIMEOUT,
) -> R:
    """Execute an Update and wait (bounded) for its result; every failure is an ApiError.

    Raises:
        UpdateRefused: the ``REFUSALS`` answer (or ``otherwise``'s) for a refusal.
        WorkflowGone: ``not_found()``'s answer for an unknown or closed workflow.
        ApiError: 503 if Temporal is down or the wait ran out.
    """
    with _update_failures(f"{method} of {handle.id}", not_found, otherwise):
        result: R = await handle.execute_update(method, args=args, rpc_timeout=rpc_timeout)
    return result


async def update_with_start(
    client: Client,
    method: UpdateMethodMultiParam[..., R],
    args: Sequence[Any],
    start: WithStartWorkflowOperation[Any, Any],
    *,
    not_found: Callable[[], ApiError],
    otherwise: Otherwise = service_unavailable,
    rpc_timeout: timedelta = UPDATE_TIMEOUT,
) -> R:
    """Start the workflow (or, by its conflict policy, join the running one) and execute an
    Update in one request: the Update rides on the workflow's first task.

    Raises:
        WorkflowAlreadyStartedError: a closed workflow the reuse policy forbids restarting
            (servers answer it as such, or as a bare ALREADY_EXISTS).
        UpdateRefused, WorkflowGone, ApiError: as ``update``.
    """
    with _update_failures(f"{method} (with start)", not_found, otherwise):
        try:
            result: R = await client.execute_update_with_start_workflow(
                method, args=args, start_workflow_operation=start, rpc_timeout=rpc_timeout
            )
        except RPCError as exc:
            if exc.status == RPCStatusCode.ALREADY_EXISTS:
                raise WorkflowAlreadyStartedError(str(exc), str(method)) from exc
            raise
    return result


@contextmanager
def _update_failures(
    what: str, not_found: Callable[[], ApiError], otherwise: Otherwise
) -> Iterator[None]:
    """Every failure of an Update as the ApiError the member gets."""
    try:
        yield
    except WorkflowUpdateFailedError as exc:
        cause = exc.cause
        error_type = cause.type if isinstance(cause, ApplicationError) else None
        raise UpdateRefused(refusal(exc, otherwise), error_type) from exc
    except RPCError as exc:
        if exc.status == RPCStatusCode.NOT_FOUND:
            raise WorkflowGone(not_found()) from exc
        raise rpc_failure(exc, not_found) from exc
    except RPCTimeoutOrCancelledError as exc:
        log.warning("update %s ran out of time: %s", what, exc)
        raise unavailable() from exc
    except RuntimeError as exc:
        raise unreachable(exc) from exc


async def query(
    handle: WorkflowHandle[Any, Any],
    method: Callable[..., R],
    *,
    not_found: Callable[[], ApiError],
    not_found_codes: frozenset[RPCStatusCode] = frozenset({RPCStatusCode.NOT_FOUND}),
) -> R:
    """A Query (closed workflows answer too), bounded by QUERY_TIMEOUT.

    Raises:
        ApiError: ``not_found()`` for an RPC status in ``not_found_codes``; 503 otherwise.
    """
    try:
        result: R = await handle.query(method, rpc_timeout=QUERY_TIMEOUT)
    except RPCError as exc:
        if exc.status in not_found_codes:
            raise not_found() from exc
        log.warning("query of %s failed: %s %s", handle.id, exc.status, exc)
        raise unavailable() from exc
    except (
        WorkflowQueryFailedError,
        WorkflowQueryRejectedError,
        RPCTimeoutOrCancelledError,
    ) as exc:
        log.warning("query of %s failed: %s", handle.id, exc)
        raise unavailable() from exc
    except RuntimeError as exc:
        raise unreachable(exc) from exc
    return result


async def list_executions(
    client: Client,
    query: str,
    limit: int,
    *,
    invalid: Callable[[], ApiError] | None = None,
) -> list[WorkflowExecution]:
    """Workflow executions from Temporal's visibility store (search attributes).

    Raises:
        ApiError: ``invalid()`` for a query Temporal rejects (if given); 503 otherwise.
    """
    try:
        return [e async for e in client.list_workflows(query, limit=limit, page_size=limit)]
    except RPCError as exc:
        log.warning("visibility query %r failed: %s", query, exc)
        if invalid is not None and exc.status == RPCStatusCode.INVALID_ARGUMENT:
            raise invalid() from exc
        raise unavailable() from exc
    except RuntimeError as exc:
        raise unreachable(exc) from exc
