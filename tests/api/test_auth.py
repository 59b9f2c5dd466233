"""Login, lockout, sessions, logout and the temporary-password rule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import pairwise

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, select, text, update
from sqlalchemy.orm import Session

from bank.access.security import verify_password
from bank.models import AuditEvent, Role, User, UserSession
from tests import factories as f
from tests.api.conftest import login

LOGIN = "/api/v1/auth/login"


def _member_user(build: Session, username: str = "gsilva", **kwargs) -> User:
    member = f.make_member(build, first_names="GABRIEL", last_names="SILVA")
    user = f.make_user(build, member, username=username, **kwargs)
    build.commit()
    return user


def _audit(db: Engine) -> list[str]:
    with Session(db) as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def test_login_returns_a_token_and_the_welcome_data(client: TestClient, build: Session) -> None:
    _member_user(build)

    response = client.post(LOGIN, json={"username": "gsilva", "password": f.PASSWORD})

    assert response.status_code == 200
    body = response.json()
    assert body["token_type"] == "bearer"
    assert len(body["access_token"]) > 40
    assert body["nombre"] == "GABRIEL SILVA"
    assert body["ultima_conexion"] is None  # first login ever
    assert body["must_change_password"] is False
    assert client.get("/api/v1/position", headers=login(client, "gsilva", f.PASSWORD)).is_success


def test_second_login_shows_the_previous_one_like_the_manual(
    client: TestClient, build: Session, db: Engine
) -> None:
    user = _member_user(build)
    with db.begin() as conn:  # 2023-12-15 01:25 UTC is 20H25 on 14.12.2023 in Guayaquil
        conn.execute(
            update(User)
            .where(User.id == user.id)
            .values(last_login_at=datetime(2023, 12, 15, 1, 25, tzinfo=UTC))
        )

    body = client.post(LOGIN, json={"username": "gsilva", "password": f.PASSWORD}).json()

    assert body["ultima_conexion"]["texto"] == "20H25 / 14.12.2023"
    assert body["ultima_conexion"]["iso"].startswith("2023-12-14T20:25:00")
    assert body["ultima_conexion"]["iso"].endswith("-05:00")


def test_the_session_says_who_and_when_it_ends_idle_five_minutes(
    client: TestClient, build: Session, db: Engine
) -> None:
    user = _member_user(build)
    with db.begin() as conn:
        conn.execute(
            update(User)
            .where(User.id == user.id)
            .values(last_login_at=datetime(2023, 12, 15, 1, 25, tzinfo=UTC))
        )
    headers = login(client, "gsilva", f.PASSWORD)

    body = client.get("/api/v1/auth/session", headers=headers).json()

    assert body["nombre"] == "GABRIEL SILVA"
    assert body["rol"] == "MEMBER"
    assert body["ultima_conexion"]["texto"] == "20H25 / 14.12.2023"
    assert body["inactividad_segundos"] == 300
    idle = datetime.fromisoformat(body["expira_por_inactividad"])
    assert timedelta(minutes=4) < idle - datetime.now(UTC) <= timedelta(minutes=5)
    assert datetime.fromisoformat(body["expira_maximo"]) > idle
    assert client.get("/api/v1/auth/session").status_code == 401


def test_only_a_digest_of_the_token_is_stored(
    client: TestClient, build: Session, db: Engine
) -> None:
    _member_user(build)
    token = client.post(LOGIN, json={"username": "gsilva", "password": f.PASSWORD}).json()[
        "access_token"
    ]
    with Session(db) as session:
        stored = session.scalars(select(UserSession)).one()
    assert token.split(".")[1] not in stored.token_digest
    assert stored.token_digest != token


def test_unknown_user_and_wrong_password_look_the_same(client: TestClient, build: Session) -> None:
    _member_user(build)

    wrong = client.post(LOGIN, json={"username": "gsilva", "password": "otraClave1"})
    unknown = client.post(LOGIN, json={"username": "nadie", "password": "otraClave1"})

    assert wrong.status_code == unknown.status_code == 401
    assert wrong.json() == unknown.json()
    assert wrong.json()["code"] == "CREDENCIALES_INVALIDAS"
    assert wrong.json()["message"] == "Usuario o contraseña incorrectos."


def test_five_failures_lock_the_user(client: TestClient, build: Session, db: Engine) -> None:
    _member_user(build)
    bad = {"username": "gsilva", "password": "equivocada1"}

    codes = [client.post(LOGIN, json=bad).status_code for _ in range(5)]
    after = client.post(LOGIN, json={"username": "gsilva", "password": f.PASSWORD})

    assert codes == [401, 401, 401, 401, 423]
    assert after.status_code == 423
    assert after.json()["code"] == "USUARIO_BLOQUEADO"
    actions = _audit(db)
    assert actions.count("LOGIN_FAILED") == 5
    assert "USER_LOCKED" in actions
    assert actions[-1] == "LOGIN_REJECTED_LOCKED"


def test_a_successful_login_resets_the_counter(client: TestClient, build: Session) -> None:
    _member_user(build)
    bad = {"username": "gsilva", "password": "equivocada1"}
    for _ in range(4):
        client.post(LOGIN, json=bad)
    login(client, "gsilva", f.PASSWORD)

    codes = [client.post(LOGIN, json=bad).status_code for _ in range(4)]

    assert codes == [401] * 4
    login(client, "gsilva", f.PASSWORD)


def test_a_locked_users_open_session_stops_working(
    client: TestClient, build: Session, db: Engine
) -> None:
    user = _member_user(build)
    headers = login(client, "gsilva", f.PASSWORD)
    with db.begin() as conn:
        conn.execute(update(User).where(User.id == user.id).values(locked_at=datetime.now(UTC)))

    response = client.get("/api/v1/position", headers=headers)

    assert response.status_code == 423
    assert response.json()["code"] == "USUARIO_BLOQUEADO"


def test_logout_revokes_the_session(client: TestClient, build: Session, db: Engine) -> None:
    _member_user(build)
    headers = login(client, "gsilva", f.PASSWORD)

    assert client.post("/api/v1/auth/logout", headers=headers).status_code == 200
    response = client.get("/api/v1/position", headers=headers)

    assert response.status_code == 401
    assert response.json()["code"] == "SESION_INVALIDA"
    assert response.headers["WWW-Authenticate"] == "Bearer"
    assert _audit(db)[-1] == "LOGOUT"


@pytest.mark.parametrize(
    "authorization",
    [None, "Bearer", "Bearer nada", "Basic Z3NpbHZhOmNsYXZl", "Bearer " + "a" * 32 + ".x" * 200],
)
def test_requests_without_a_valid_token_are_refused(
    client: TestClient, build: Session, authorization: str | None
) -> None:
    headers = {"Authorization": authorization} if authorization else {}

    response = client.get("/api/v1/position", headers=headers)

    assert response.status_code == 401
    assert response.json()["code"] == "SESION_INVALIDA"


def test_a_tampered_secret_is_refused(client: TestClient, build: Session) -> None:
    _member_user(build)
    token = login(client, "gsilva", f.PASSWORD)["Authorization"]

    response = client.get("/api/v1/position", headers={"Authorization": token[:-3] + "xyz"})

    assert response.status_code == 401


def test_idle_and_old_sessions_expire(client: TestClient, build: Session, db: Engine) -> None:
    _member_user(build)
    idle = login(client, "gsilva", f.PASSWORD)
    old = login(client, "gsilva", f.PASSWORD)
    now = datetime.now(UTC)
    idle_id = idle["Authorization"].split()[1].split(".")[0]
    old_id = old["Authorization"].split()[1].split(".")[0]
    with db.begin() as conn:
        conn.execute(
            update(UserSession)
            .where(UserSession.id == idle_id)
            .values(last_seen_at=now - timedelta(minutes=16))
        )
        conn.execute(update(UserSession).where(UserSession.id == old_id).values(expires_at=now))

    assert client.get("/api/v1/position", headers=idle).status_code == 401
    assert client.get("/api/v1/position", headers=old).status_code == 401


def test_last_seen_is_written_at_most_once_a_minute(
    client: TestClient, build: Session, db: Engine
) -> None:
    _member_user(build)
    headers = login(client, "gsilva", f.PASSWORD)
    with db.begin() as conn:
        conn.execute(text("UPDATE user_sessions SET last_seen_at = last_seen_at - interval '30 s'"))
    with Session(db) as session:
        before = session.scalars(select(UserSession.last_seen_at)).one()

    client.get("/api/v1/position", headers=headers)
    with Session(db) as session:
        assert session.scalars(select(UserSession.last_seen_at)).one() == before

    with db.begin() as conn:
        conn.execute(text("UPDATE user_sessions SET last_seen_at = last_seen_at - interval '60 s'"))
    client.get("/api/v1/position", headers=headers)
    with Session(db) as session:
        assert session.scalars(select(UserSession.last_seen_at)).one() > before


def test_temporary_password_must_be_changed_first(
    client: TestClient, build: Session, db: Engine
) -> None:
    user = _member_user(build, must_change_password=True)
    body = client.post(LOGIN, json={"username": "gsilva", "password": f.PASSWORD}).json()
    assert body["must_change_password"] is True
    headers = {"Authorization": f"Bearer {body['access_token']}"}

    blocked = client.get("/api/v1/position", headers=headers)
    assert blocked.status_code == 403
    assert blocked.json()["code"] == "CAMBIO_CLAVE_REQUERIDO"

    changed = client.post(
        "/api/v1/auth/password",
        headers=headers,
        json={"current_password": f.PASSWORD, "new_password": "NuevaClave77"},
    )
    assert changed.status_code == 200, changed.text
    assert client.get("/api/v1/position", headers=headers).status_code == 200
    with Session(db) as session:
        stored = session.get_one(User, user.id)
        assert stored.must_change_password is False
        assert verify_password(stored.password_hash, "NuevaClave77")
    assert "PASSWORD_CHANGED" in _audit(db)
    login(client, "gsilva", "NuevaClave77")


def test_a_password_change_ends_the_other_sessions(client: TestClient, build: Session) -> None:
    _member_user(build)
    mine = login(client, "gsilva", f.PASSWORD)
    elsewhere = login(client, "gsilva", f.PASSWORD)

    client.post(
        "/api/v1/auth/password",
        headers=mine,
        json={"current_password": f.PASSWORD, "new_password": "OtraClave2025"},
    )

    assert client.get("/api/v1/position", headers=mine).status_code == 200
    assert client.get("/api/v1/position", headers=elsewhere).status_code == 401


MIXED = "Debe combinar mayúsculas, minúsculas y números."


@pytest.mark.parametrize(
    ("new_password", "reason"),
    [
        ("abc123", "Debe tener al menos 8 caracteres."),
        ("Ab1" + "x" * 62, "Debe tener como máximo 64 caracteres."),
        ("solamenteletras", MIXED),
        ("1234567890", MIXED),
        ("minusculas2024", MIXED),
        ("MAYUSCULAS2024", MIXED),
        ("Quito2024abc", None),
        ("GSILVA2024", "No puede contener tu usuario."),
        ("Mi.gsilva2024.X", "No puede contener tu usuario."),
        ("Quito17051988", "No puede contener tu fecha de nacimiento."),
        ("Quito1988-05-17", "No puede contener tu fecha de nacimiento."),
        (f.PASSWORD, "No puede ser igual a tu contraseña actual ni a la temporal."),
    ],
)
def test_the_password_policy(
    client: TestClient, build: Session, new_password: str, reason: str | None
) -> None:
    _member_user(build, username="gsilva2024")
    headers = login(client, "gsilva2024", f.PASSWORD)

    response = client.post(
        "/api/v1/auth/password",
        headers=headers,
        json={"current_password": f.PASSWORD, "new_password": new_password},
    )

    if reason is None:
        assert response.status_code == 200
    else:
        assert response.status_code == 422
        assert response.json()["code"] == "CLAVE_NO_CUMPLE_POLITICA"
        assert reason in response.json()["details"]


def test_the_password_cannot_be_the_identification(client: TestClient, build: Session) -> None:
    user = _member_user(build)
    assert user.member is not None
    headers = login(client, "gsilva", f.PASSWORD)

    response = client.post(
        "/api/v1/auth/password",
        headers=headers,
        json={"current_password": f.PASSWORD, "new_password": f"Ab{user.member.identification}"},
    )

    assert response.status_code == 422
    assert response.json()["details"] == ["No puede contener tu número de identificación."]


def test_none_of_the_last_five_passwords_comes_back(client: TestClient, build: Session) -> None:
    _member_user(build)
    headers = login(client, "gsilva", f.PASSWORD)
    used = [f.PASSWORD, "Primera2025", "Segunda2025", "Tercera2025", "Cuarta2025", "Quinta2025"]
    for current, new in pairwise(used):
        changed = client.post(
            "/api/v1/auth/password",
            headers=headers,
            json={"current_password": current, "new_password": new},
        )
        assert changed.status_code == 200, changed.text
    for old in used[:-1]:  # the five replaced ones; the current one has its own message
        again = client.post(
            "/api/v1/auth/password",
            headers=headers,
            json={"current_password": used[-1], "new_password": old},
        )
        assert again.status_code == 422, old
        assert again.json()["details"] == ["No puede ser igual a una de tus últimas 5 contraseñas."]
    # One change more and the first password was replaced six changes ago: it may come back.
    sixth = client.post(
        "/api/v1/auth/password",
        headers=headers,
        json={"current_password": used[-1], "new_password": "Sexta2025"},
    )
    assert sixth.status_code == 200, sixth.text
    back = client.post(
        "/api/v1/auth/password",
        headers=headers,
        json={"current_password": "Sexta2025", "new_password": f.PASSWORD},
    )
    assert back.status_code == 200, back.text


def test_member_sees_open_sessions_and_closes_the_others(
    client: TestClient, build: Session
) -> None:
    _member_user(build)
    chrome = (
        "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 Chrome/120.0 Safari/537.36"
    )
    iphone = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605 Safari/604.1"
    here = client.post(
        LOGIN, json={"username": "gsilva", "password": f.PASSWORD}, headers={"User-Agent": chrome}
    ).json()["access_token"]
    phone = client.post(
        LOGIN, json={"username": "gsilva", "password": f.PASSWORD}, headers={"User-Agent": iphone}
    ).json()["access_token"]
    mine = {"Authorization": f"Bearer {here}"}

    listed = client.get("/api/v1/auth/sessions", headers=mine)
    assert listed.status_code == 200, listed.text
    sessions = listed.json()["sesiones"]
    assert [(s["dispositivo"], s["actual"]) for s in sessions] == [
        ("Chrome en Windows", True),
        ("Safari en iPhone", False),
    ]
    assert all(s["origen"] == "testclient" for s in sessions)
    assert here.split(".")[0] not in listed.text and phone.split(".")[0] not in listed.text

    closed = client.post("/api/v1/auth/sessions/close-others", headers=mine)
    assert closed.json() == {"cerradas": 1, "message": "Cerramos 1 sesión en otro dispositivo."}
    phone_headers = {"Authorization": f"Bearer {phone}"}
    assert client.get("/api/v1/position", headers=phone_headers).status_code == 401
    assert client.get("/api/v1/position", headers=mine).status_code == 200
    assert [
        s["actual"] for s in client.get("/api/v1/auth/sessions", headers=mine).json()["sesiones"]
    ] == [True]
    again = client.post("/api/v1/auth/sessions/close-others", headers=mine).json()
    assert again == {"cerradas": 0, "message": "No tenías otras sesiones abiertas."}


def test_a_password_change_may_keep_the_other_sessions(client: TestClient, build: Session) -> None:
    _member_user(build)
    mine = login(client, "gsilva", f.PASSWORD)
    elsewhere = login(client, "gsilva", f.PASSWORD)
    changed = client.post(
        "/api/v1/auth/password",
        headers=mine,
        json={
            "current_password": f.PASSWORD,
            "new_password": "OtraClave2025",
            "cerrar_otras_sesiones": False,
        },
    )
    assert changed.status_code == 200, changed.text
    assert client.get("/api/v1/position", headers=elsewhere).status_code == 200


def test_a_wrong_current_password_counts_towards_the_lock(
    client: TestClient, build: Session
) -> None:
    _member_user(build)
    headers = login(client, "gsilva", f.PASSWORD)
    body = {"current_password": "noEsLaClave1", "new_password": "NuevaClave77"}

    codes = [
        client.post("/api/v1/auth/password", headers=headers, json=body).status_code
        for _ in range(5)
    ]

    assert codes == [400, 400, 400, 400, 423]
    assert client.get("/api/v1/position", headers=headers).status_code == 423


def test_officers_have_no_member_products(client: TestClient, build: Session) -> None:
    f.make_user(build, None, username="oficial1", role=Role.OFFICER)
    build.commit()

    response = client.get("/api/v1/position", headers=login(client, "oficial1", f.PASSWORD))

    assert response.status_code == 403
    assert response.json()["code"] == "ACCESO_DENEGADO"


def test_the_token_digest_is_the_shared_keyed_digest() -> None:
    from bank.access.auth import AuthPolicy, _token_digest
    from bank.access.security import keyed_digest

    policy = AuthPolicy("k" * 40, timedelta(minutes=1), timedelta(hours=1), 5)

    assert _token_digest(policy, "a" * 32, "secret") == keyed_digest(
        "k" * 40, "session", "a" * 32, "secret"
    )
