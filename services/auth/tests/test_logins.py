"""Every seed's login through the gateway, field for field."""

from typing import Any

import httpx
import jwt

from auth.testing import Account

# Added to every seed's login answer (the seeds' own fields stay, with their types).
SESSION_FIELDS = {"refresh_token", "expires_in", "refresh_expires_in", "workspace"}


async def test_register_answers_the_001_user_without_password(gateway: httpx.AsyncClient) -> None:
    response = await gateway.post(
        "/users/", json={"email": "Nuevo.Usuario@Ejemplo.com", "password": "una-clave-segura"}
    )
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"email", "id", "is_active", "bots"}
    assert body["is_active"] is True
    assert body["bots"] == []


async def test_registering_a_taken_email_is_refused(gateway: httpx.AsyncClient, account: Account) -> None:
    response = await gateway.post("/users/", json={"email": account.email.upper(), "password": "otra-clave-1"})
    assert response.status_code == 400
    assert "detail" in response.json()


async def test_register_rejects_bad_email_with_422(gateway: httpx.AsyncClient) -> None:
    response = await gateway.post("/users/", json={"email": "not-an-email", "password": "una-clave-segura"})
    assert response.status_code == 422


async def test_oauth2_token_form_login_001(gateway: httpx.AsyncClient, account: Account) -> None:
    response = await gateway.post("/token", data={"username": account.email, "password": account.password})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type"} | SESSION_FIELDS
    assert body["token_type"] == "bearer"
    assert isinstance(body["access_token"], str)


async def test_oauth2_token_wrong_password_is_401(gateway: httpx.AsyncClient, account: Account) -> None:
    response = await gateway.post("/token", data={"username": account.email, "password": "wrong"})
    assert response.status_code == 401
    assert response.json() == {"detail": "Usuario o contraseña incorrectos."}


async def test_json_login_002_carries_expiry(gateway: httpx.AsyncClient, account: Account) -> None:
    response = await gateway.post("/api/auth/login", json={"username": account.email, "password": account.password})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"access_token", "token_type", "expires_in"} | SESSION_FIELDS
    assert body["expires_in"] == 86400
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert {"sub", "tenant", "role", "jti", "exp", "iat", "sid"} <= set(claims)
    assert 86399 < claims["exp"] - claims["iat"] <= 86400
    assert isinstance(claims["iat"], float), "sub-second iat: a re-login right after a role change is newer"


async def test_json_login_002_errors_in_its_envelope(gateway: httpx.AsyncClient) -> None:
    missing = await gateway.post("/api/auth/login", json={"username": "x"})
    assert missing.status_code == 400
    assert missing.json()["error"]["code"] == "INVALID_REQUEST"
    wrong = await gateway.post("/api/auth/login", json={"username": "x", "password": "y"})
    assert wrong.status_code == 401
    assert wrong.json()["error"]["code"] == "INVALID_CREDENTIALS"


async def test_desk_login_003_shape(gateway: httpx.AsyncClient, account: Account) -> None:
    response = await gateway.post("/api/auth/login/", json={"username": account.email, "password": account.password})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "user", "agent"} | SESSION_FIELDS
    assert set(body["user"]) == {"id", "username", "email", "first_name", "last_name"}
    assert body["user"]["id"] == account.id
    assert isinstance(body["token"], str)
    assert body["agent"] is None
    tenant = int(jwt.decode(body["token"], options={"verify_signature": False})["tenant"])
    assert body["workspace"] == {"id": tenant, "name": account.email}


async def test_desk_login_003_missing_fields(gateway: httpx.AsyncClient) -> None:
    response = await gateway.post("/api/auth/login/", json={})
    assert response.status_code == 400
    assert response.json() == {"username": ["Este campo es requerido."], "password": ["Este campo es requerido."]}


async def test_desk_logout_003_with_token_scheme(gateway: httpx.AsyncClient, token: str) -> None:
    response = await gateway.post("/api/auth/logout/", headers={"Authorization": f"Token {token}"})
    assert response.status_code == 200
    assert response.json() == {"message": "Successfully logged out"}


async def test_agro_login_004_and_me(gateway: httpx.AsyncClient, account: Account) -> None:
    response = await gateway.post("/auth/login/", json={"username": account.email, "password": account.password})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"token", "user"} | SESSION_FIELDS
    assert body["user"] == {"user_id": account.id, "username": account.email, "email": account.email}
    me = await gateway.get("/auth/me/", headers={"Authorization": f"Token {body['token']}"})
    assert me.status_code == 200
    assert set(me.json()) == {"id", "username", "email", "rol", "profile", "workspace"}
    assert me.json()["workspace"] == body["workspace"]
    assert set(body["workspace"]) == {"id", "name"}
    assert isinstance(body["refresh_token"], str)
    assert isinstance(body["refresh_expires_in"], int)


async def test_agro_token_004(gateway: httpx.AsyncClient, account: Account) -> None:
    response = await gateway.post("/auth/token/", json={"username": account.email, "password": account.password})
    assert response.status_code == 200
    assert set(response.json()) == {"token"} | SESSION_FIELDS


async def test_agro_login_004_wrong_password_is_400_detail(gateway: httpx.AsyncClient, account: Account) -> None:
    response = await gateway.post("/auth/login/", json={"username": account.email, "password": "nope"})
    assert response.status_code == 400
    assert response.json() == {"detail": "Usuario o contraseña incorrectos."}


async def test_agro_logout_004_is_204(gateway: httpx.AsyncClient, token: str) -> None:
    response = await gateway.post("/auth/logout/", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 204
    assert response.content == b""


async def test_a_username_can_never_be_someone_elses_email(
    gateway: httpx.AsyncClient, account: Account, workspace: Any, as_header: Any
) -> None:
    """Usernames and emails are one namespace, platform-wide: a login string names one account."""
    applied = await gateway.post(
        "/api/user/prospectos/",
        json={"nombre_completo": "Intruso", "dni": "1", "correo": "otro@example.com", "tenant": workspace.tenant_id},
    )
    accepted = await gateway.post(
        f"/api/user/prospectos/{applied.json()['id']}/aceptar/",
        json={"username": account.email.upper(), "password": "UnaClaveLarga1"},
        headers=as_header(workspace.owner_token),
    )
    assert accepted.status_code == 400
    assert accepted.json() == {"error": "Username ya existe"}
    login = await gateway.post("/api/auth/login", json={"username": account.email, "password": account.password})
    assert login.status_code == 200
