"""auth's pytest plugin: identities for every service's tests, through the gateway's public API.

Accounts, tokens, workspaces and members by role. Loaded through auth's `pytest11` entry point.

Every test gets fresh users in a fresh workspace (tenant), so tests never share rows.
"""

import secrets
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import httpx
import jwt
import pytest

from devstack.pytest_plugin import Credentials


@dataclass(frozen=True)
class Account:
    email: str
    password: str
    id: int


@pytest.fixture
async def account(gateway: httpx.AsyncClient) -> Account:
    """A freshly registered user (and so a fresh tenant) per test."""
    email = f"user-{secrets.token_hex(4)}@example.com"
    password = "correct-horse-battery"
    response = await gateway.post("/users/", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return Account(email, password, response.json()["id"])


@pytest.fixture
async def token(gateway: httpx.AsyncClient, account: Account) -> str:
    """A fresh access token of `account`."""
    response = await gateway.post("/api/auth/login", json={"username": account.email, "password": account.password})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])


Login = Callable[[str, str], Awaitable[str]]


@pytest.fixture
def login(gateway: httpx.AsyncClient) -> Login:
    """`await login(username, password)` -> a token (004's login)."""

    async def do(username: str, password: str) -> str:
        response = await gateway.post("/auth/login/", json={"username": username, "password": password})
        assert response.status_code == 200, response.text
        return str(response.json()["token"])

    return do


def auth_header(token: str) -> dict[str, str]:
    return {"Authorization": f"Token {token}"}


@pytest.fixture
def as_header() -> Callable[[str], dict[str, str]]:
    return auth_header


@pytest.fixture
async def admin_token(login: Login, platform_admin: Credentials) -> str:
    return await login(platform_admin.username, platform_admin.password)


@dataclass(frozen=True)
class Workspace:
    """A freshly registered owner (role administrador of a new tenant) and a farmer in it."""

    owner: Account
    owner_token: str
    tenant_id: int
    farmer_username: str
    farmer_password: str
    farmer_id: int
    farmer_token: str


@pytest.fixture
async def workspace(gateway: httpx.AsyncClient, account: Account, token: str, login: Login) -> Workspace:
    tenant_id = int(jwt.decode(token, options={"verify_signature": False})["tenant"])
    applied = await gateway.post(
        "/api/user/prospectos/",
        json={"nombre_completo": "Rosa Quispe", "dni": "12345678", "correo": f"rosa-{secrets.token_hex(3)}@example.com",
              "telefono": "999999999", "ubicacion_parcela": "Ica", "tenant": tenant_id},
    )  # fmt: skip
    assert applied.status_code == 201, applied.text
    username, password = f"agri-{secrets.token_hex(4)}", "TuPasswordSegura"
    accepted = await gateway.post(
        f"/api/user/prospectos/{applied.json()['id']}/aceptar/",
        json={"username": username, "password": password},
        headers=auth_header(token),
    )
    assert accepted.status_code == 201, accepted.text
    farmer_token = await login(username, password)
    farmer_id = int(jwt.decode(farmer_token, options={"verify_signature": False})["sub"])
    return Workspace(account, token, tenant_id, username, password, farmer_id, farmer_token)


AddMember = Callable[[str], Awaitable["Member"]]


@dataclass(frozen=True)
class Member:
    username: str
    password: str
    id: int
    token: str


@pytest.fixture
def add_member(gateway: httpx.AsyncClient, workspace: Workspace, login: Login) -> AddMember:
    """`await add_member("tecnico")`: another user of the workspace, with that role."""

    async def add(role: str) -> Member:
        owner = auth_header(workspace.owner_token)
        applied = await gateway.post(
            "/api/user/prospectos/",
            json={"nombre_completo": f"Miembro {role}", "dni": "11111111",
                  "correo": f"m-{secrets.token_hex(4)}@example.com", "tenant": workspace.tenant_id},
        )  # fmt: skip
        username, password = f"{role}-{secrets.token_hex(4)}", "OtraClaveSegura"
        accepted = await gateway.post(
            f"/api/user/prospectos/{applied.json()['id']}/aceptar/",
            json={"username": username, "password": password},
            headers=owner,
        )
        assert accepted.status_code == 201, accepted.text
        user_id = int(jwt.decode(await login(username, password), options={"verify_signature": False})["sub"])
        if role != "agricultor":
            roles = (await gateway.get("/api/rbac/roles/", headers=owner)).json()["results"]
            role_id = next(r["id"] for r in roles if r["nombre"] == role)
            changed = await gateway.patch(f"/api/rbac/users/{user_id}/role/", json={"rol_id": role_id}, headers=owner)
            assert changed.status_code == 200, changed.text
        return Member(username, password, user_id, await login(username, password))

    return add
