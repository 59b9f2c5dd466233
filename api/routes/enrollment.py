"""Enrollment ("Regístrate aquí", manual "Como afiliarte"): start it, then submit the code.

Neither answer reveals whether an identification belongs to a member: the start always says
"if your data is registered you will receive a code", and a non-member's enrollment counts
wrong codes and expires exactly like a member's (see ``workflows/enrollment/workflow.py``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from fastapi import APIRouter, Request, status
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy, WorkflowIDReusePolicy

from api import temporal
from api.deps import DbSession, Now, TemporalClient, app_state
from api.domain_calls import run
from api.errors import ApiError
from api.schemas.common import ErrorBody
from api.schemas.enrollment import (
    ENROLLMENT_ID,
    CodeAnswer,
    CodeRequest,
    EnrollmentRequest,
    EnrollmentStarted,
    Estado,
)
from bank.access import enrollment
from bank.notifications.spanish import attempts_left
from workflows.enrollment.contract import (
    CODE_PATTERN,
    CodeOutcome,
    CodeSubmission,
    EnrollmentInput,
    Outcome,
    workflow_id,
)
from workflows.enrollment.workflow import EnrollmentWorkflow

router = APIRouter(prefix="/enrollment", tags=["Afiliación"])

STARTED_MESSAGE = (
    "Si tus datos están registrados en Cooprogreso, recibirás un código de seguridad por SMS "
    "en tu celular registrado. Ingrésalo en los próximos 5 minutos."
)
EXECUTION_TIMEOUT = timedelta(hours=1)
"""A safety net far beyond the 5-minute code window and the credential retries."""

_ANSWERS: dict[Outcome, tuple[Estado, str]] = {
    Outcome.COMPLETED: (
        "COMPLETADO",
        "Registro exitoso. Revisa tu correo electrónico: te enviamos tu usuario y contraseña "
        "temporal. Al ingresar, el sistema te solicitará personalizar tu contraseña.",
    ),
    Outcome.PROCESSING: (
        "EN_PROCESO",
        "Código validado. En unos minutos recibirás en tu correo electrónico tu usuario y "
        "contraseña temporal.",
    ),
    Outcome.WRONG_CODE: ("CODIGO_INCORRECTO", "El código ingresado es incorrecto."),
    Outcome.FAILED: (
        "INTENTOS_AGOTADOS",
        "Superaste el número de intentos permitidos. Inicia nuevamente tu registro.",
    ),
    Outcome.EXPIRED: (
        "CODIGO_EXPIRADO",
        "El código de seguridad expiró. Inicia nuevamente tu registro.",
    ),
}

_ERRORS: dict[int | str, dict[str, Any]] = {
    404: {"model": ErrorBody, "description": "REGISTRO_NO_ENCONTRADO"},
    422: {"model": ErrorBody, "description": "IDENTIFICACION_INVALIDA, CODIGO_INVALIDO"},
    503: {"model": ErrorBody, "description": "SERVICIO_NO_DISPONIBLE"},
}


INVALID_IDENTIFICATION = {
    "CEDULA": "La cédula ingresada no es válida.",
    "PASAPORTE": "El pasaporte ingresado no es válido.",
}
"""Gender and number agree with the document ("la cédula … válida", "el pasaporte … válido")."""


def not_found() -> ApiError:
    """No enrollment was ever started with this id."""
    return ApiError(
        404,
        "REGISTRO_NO_ENCONTRADO",
        "No encontramos tu solicitud de registro. Inicia nuevamente tu registro.",
    )


def answer(outcome: CodeOutcome) -> CodeAnswer:
    """The member's answer for an outcome of the workflow."""
    estado, mensaje = _ANSWERS[outcome.outcome]
    if outcome.outcome is Outcome.WRONG_CODE:
        mensaje = f"{mensaje} {attempts_left(outcome.attempts_left)}"
    return CodeAnswer(estado=estado, mensaje=mensaje, intentos_restantes=outcome.attempts_left)


@router.post(
    "",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=EnrollmentStarted,
    responses=_ERRORS,
)
async def start_enrollment(
    body: EnrollmentRequest, client: TemporalClient, request: Request, db: DbSession, now: Now
) -> EnrollmentStarted:
    """Start (or join) the enrollment of an identification; an SMS code follows if registered.

    "Recuperar clave" is the same journey: the registered mobile proves who it is, a new
    temporary password goes to the registered email, the user is unlocked. Starts are
    counted per origin (429 past the hourly limit, whoever is asked for).
    """
    origin = request.client.host if request.client else None
    await run(db, lambda session: enrollment.count_request(session, origin, now), commit=True)
    identification = body.normalized()
    if identification is None:
        raise ApiError(
            422, "IDENTIFICACION_INVALIDA", INVALID_IDENTIFICATION[body.tipo_identificacion]
        )
    enrollment_id = workflow_id(identification)
    await temporal.start(
        client,
        EnrollmentWorkflow.run,
        EnrollmentInput(body.tipo_identificacion, identification),
        id=enrollment_id,
        task_queue=app_state(request).settings.task_queue,
        # A running enrollment is joined, not duplicated; a finished one may be retried.
        id_conflict_policy=WorkflowIDConflictPolicy.USE_EXISTING,
        id_reuse_policy=WorkflowIDReusePolicy.ALLOW_DUPLICATE,
        execution_timeout=EXECUTION_TIMEOUT,
    )
    return EnrollmentStarted(id_registro=enrollment_id, mensaje=STARTED_MESSAGE)


@router.post("/{enrollment_id}/codigo", response_model=CodeAnswer, responses=_ERRORS)
async def submit_code(enrollment_id: str, body: CodeRequest, client: TemporalClient) -> CodeAnswer:
    """Check the SMS code; a right code creates the user and emails the temporary password."""
    if not ENROLLMENT_ID.fullmatch(enrollment_id):
        raise not_found()
    if not CODE_PATTERN.fullmatch(body.codigo):
        raise ApiError(422, "CODIGO_INVALIDO", "El código debe tener 6 dígitos.")
    handle = client.get_workflow_handle_for(EnrollmentWorkflow.run, enrollment_id)
    try:
        outcome = await temporal.update(
            handle,
            EnrollmentWorkflow.submit_code,
            (CodeSubmission(body.codigo),),
            not_found=not_found,
        )
    except (temporal.UpdateRefused, temporal.WorkflowGone):
        # Rejected (no longer waiting for a code), failed or closed meanwhile: the state says.
        return answer(await _current_outcome(client, enrollment_id))
    return answer(outcome)


async def _current_outcome(client: Client, enrollment_id: str) -> CodeOutcome:
    """The member-facing outcome of the latest run, through the ``state`` Query."""
    handle = client.get_workflow_handle_for(EnrollmentWorkflow.run, enrollment_id)
    state = await temporal.query(handle, EnrollmentWorkflow.state, not_found=not_found)
    if state.outcome is Outcome.PENDING:
        # Still waiting for a code: the update failed for a system reason.
        raise temporal.unavailable()
    return CodeOutcome(state.outcome, state.attempts_left)
