"""Login, logout and password change."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from fastapi import APIRouter, Request

from api.deps import DbConn, DbSession, Now, SessionPrincipal, app_state
from api.schemas.auth import (
    LoginRequest,
    LoginResponse,
    MessageOut,
    PasswordChangeRequest,
    SesionAbierta,
    SesionesCerradasOut,
    SesionesOut,
    SessionOut,
    UltimaConexion,
)
from api.schemas.common import ErrorBody
from bank.access import auth, sessions
from bank.access.sessions import describe_device

router = APIRouter(prefix="/auth", tags=["Autenticación"])

_LOGIN_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorBody, "description": "CREDENCIALES_INVALIDAS"},
    423: {"model": ErrorBody, "description": "USUARIO_BLOQUEADO"},
}


def manual_timestamp(moment: datetime) -> str:
    """A timestamp the way the manual shows "Última conexión": ``20H25 / 14.12.2023``."""
    return f"{moment:%H}H{moment:%M} / {moment:%d.%m.%Y}"


@router.post("/login", response_model=LoginResponse, responses=_LOGIN_ERRORS)
async def login(
    body: LoginRequest, request: Request, session: DbSession, now: Now
) -> LoginResponse:
    """Open a session; five consecutive failures lock the user."""
    state = app_state(request)
    client = request.client.host if request.client else None
    device = describe_device(request.headers.get("user-agent"))
    result = await auth.login(
        session,
        state.auth_policy,
        body.username,
        body.password,
        now=now,
        client=client,
        device=device,
    )
    previous = _ultima_conexion(result.previous_login_at, request)
    return LoginResponse(
        access_token=result.token,
        expires_at=result.expires_at,
        nombre=result.full_name,
        ultima_conexion=previous,
        must_change_password=result.must_change_password,
    )


def _ultima_conexion(moment: datetime | None, request: Request) -> UltimaConexion | None:
    if moment is None:
        return None
    local = moment.astimezone(app_state(request).clock.timezone)
    return UltimaConexion(texto=manual_timestamp(local), iso=local)


@router.get("/session", response_model=SessionOut)
async def current_session(
    principal: SessionPrincipal, request: Request, conn: DbConn, now: Now
) -> SessionOut:
    """The open session (using it extends it): name, "Última conexión" and when it ends.

    The web banking calls it to keep a session alive on request and to warn before it ends.
    """
    policy = app_state(request).auth_policy
    view = await auth.describe_session(conn, policy, principal, now=now)
    return SessionOut(
        nombre=view.full_name,
        rol=view.role.value,
        ultima_conexion=_ultima_conexion(view.previous_login_at, request),
        expira_por_inactividad=view.idle_expires_at,
        expira_maximo=view.expires_at,
        inactividad_segundos=int(policy.idle_timeout.total_seconds()),
        must_change_password=view.must_change_password,
    )


@router.post("/logout", response_model=MessageOut)
async def logout(principal: SessionPrincipal, session: DbSession, now: Now) -> MessageOut:
    """End the caller's session."""
    await auth.logout(session, principal, now=now)
    return MessageOut(message="Sesión finalizada.")


@router.post(
    "/password",
    response_model=MessageOut,
    responses={
        400: {"model": ErrorBody, "description": "CLAVE_ACTUAL_INCORRECTA"},
        422: {"model": ErrorBody, "description": "CLAVE_NO_CUMPLE_POLITICA / DATOS_INVALIDOS"},
        423: {"model": ErrorBody, "description": "USUARIO_BLOQUEADO"},
    },
)
async def change_password(
    body: PasswordChangeRequest,
    request: Request,
    principal: SessionPrincipal,
    session: DbSession,
    now: Now,
) -> MessageOut:
    """Change the password (required first when logged in with a temporary one).

    Rules: ``bank.access.passwords`` (8-64 characters, upper and lower case and digits, not
    the username, identification or birth date, not the current or the last 5). The user's
    other sessions are closed unless ``cerrar_otras_sesiones`` is false.
    """
    policy = app_state(request).auth_policy
    await auth.change_password(
        session,
        policy,
        principal,
        body.current_password,
        body.new_password,
        now=now,
        end_other_sessions=body.cerrar_otras_sesiones,
    )
    return MessageOut(message="Tu contraseña fue actualizada correctamente.")


@router.get("/sessions", response_model=SesionesOut)
async def list_sessions(principal: SessionPrincipal, conn: DbConn, now: Now) -> SesionesOut:
    """Mis sesiones: every open session of the caller's user, the current one first."""
    found = await sessions.open_sessions(conn, principal, now=now)
    return SesionesOut(
        sesiones=[
            SesionAbierta(
                referencia=s.reference,
                dispositivo=s.device,
                origen=s.origin,
                abierta=s.opened_at,
                ultima_actividad=s.last_used_at,
                actual=s.current,
            )
            for s in found
        ]
    )


@router.post("/sessions/close-others", response_model=SesionesCerradasOut)
async def close_other_sessions(
    principal: SessionPrincipal, session: DbSession, now: Now
) -> SesionesCerradasOut:
    """Cerrar sesión en todos los demás dispositivos (this one stays open)."""
    closed = await sessions.end_other_sessions(session, principal, now=now)
    return SesionesCerradasOut(cerradas=closed, message=_closed_message(closed))


def _closed_message(closed: int) -> str:
    if closed == 0:
        return "No tenías otras sesiones abiertas."
    if closed == 1:
        return "Cerramos 1 sesión en otro dispositivo."
    return f"Cerramos {closed} sesiones en otros dispositivos."
