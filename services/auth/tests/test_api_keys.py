"""API keys: 002's `AgentClient(api_key=...)`, a credential for programs."""

import hashlib
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta

import asyncpg
import httpx

from agent_client import AgentClient
from auth.testing import Workspace, auth_header
from devstack.stack import Stack

Refused = Callable[[str, str], Awaitable[bool]]


async def _create(gateway: httpx.AsyncClient, token: str, **body: object) -> httpx.Response:
    return await gateway.post("/api/v1/api-keys/", json={"name": "sensor sync", **body}, headers=auth_header(token))


async def test_a_key_is_shown_once_stored_hashed_and_works_on_other_services(
    gateway: httpx.AsyncClient, workspace: Workspace, auth_db: asyncpg.Connection
) -> None:
    created = await _create(gateway, workspace.owner_token, permissions=["parcelas:ver"])
    assert created.status_code == 201, created.text
    body = created.json()
    key = body["key"]
    assert key.startswith("ak_")
    assert len(key) >= 3 + 43, "32 random bytes"
    assert body["prefix"] == key[:11]
    assert (body["permissions"], body["role"], body["last_used_at"]) == (["parcelas:ver"], None, None)
    row = await auth_db.fetchrow("SELECT * FROM auth.api_keys WHERE id = $1", body["id"])
    assert row["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
    assert key not in [str(value) for value in row.values()]

    assert (await gateway.get("/api/parcelas/", headers={"Authorization": f"Bearer {key}"})).status_code == 200
    listed = (await gateway.get("/api/v1/api-keys/", headers=auth_header(workspace.owner_token))).json()["results"]
    (mine,) = [k for k in listed if k["id"] == body["id"]]
    assert "key" not in mine
    assert mine["prefix"] == body["prefix"]
    assert mine["last_used_at"] is not None


async def test_the_002_sdk_takes_a_key(gateway: httpx.AsyncClient, platform_stack: Stack, workspace: Workspace) -> None:
    key = (await _create(gateway, workspace.owner_token, role="tecnico")).json()["key"]
    with AgentClient(api_key=key, base_url=platform_stack.url("gateway")) as client:
        assert client.auth.me()["rol"] == "administrador", "a key acts for its maker"
        assert client.fields.list_fields().count >= 0, "a page of fields, as a typed model"


async def test_a_key_grants_only_its_permissions(gateway: httpx.AsyncClient, workspace: Workspace) -> None:
    key = (await _create(gateway, workspace.owner_token, permissions=["parcelas:ver"])).json()["key"]
    headers = {"Authorization": f"Bearer {key}"}
    assert (await gateway.get("/api/parcelas/", headers=headers)).status_code == 200
    assert (await gateway.post("/api/parcelas/", json={}, headers=headers)).status_code == 403


async def test_nobody_mints_a_key_worth_more_than_they_hold(gateway: httpx.AsyncClient, workspace: Workspace) -> None:
    beyond = await _create(gateway, workspace.owner_token, permissions=["parcelas:ver", "inventado:ver"])
    assert beyond.status_code == 403
    assert (await _create(gateway, workspace.farmer_token, role="agricultor")).status_code == 403
    both = await _create(gateway, workspace.owner_token, role="tecnico", permissions=["parcelas:ver"])
    assert both.status_code == 400
    past = (datetime.now(UTC) - timedelta(minutes=1)).isoformat()
    assert (await _create(gateway, workspace.owner_token, role="tecnico", expires_at=past)).status_code == 400


async def test_a_key_never_manages_keys_members_or_sessions(gateway: httpx.AsyncClient, workspace: Workspace) -> None:
    key = (await _create(gateway, workspace.owner_token, role="administrador")).json()["key"]
    headers = {"Authorization": f"Bearer {key}"}
    assert (await gateway.get("/auth/me/", headers=headers)).status_code == 200
    for method, path in [
        ("GET", "/api/v1/api-keys/"),
        ("POST", "/api/v1/api-keys/"),
        ("GET", "/api/v1/members/"),
        ("GET", "/api/v1/invitations/"),
        ("POST", "/auth/logout/"),
        ("POST", "/api/auth/logout/"),
    ]:
        response = await gateway.request(method, path, headers=headers, json={"name": "x", "role": "agente"})
        assert response.status_code == 403, (method, path, response.text)


async def test_a_revoked_key_is_refused_at_once(
    gateway: httpx.AsyncClient, workspace: Workspace, refused_soon: Refused
) -> None:
    created = (await _create(gateway, workspace.owner_token, role="tecnico")).json()
    assert (await gateway.get("/api/parcelas/", headers={"Authorization": f"Bearer {created['key']}"})).is_success
    owner = auth_header(workspace.owner_token)
    assert (await gateway.delete(f"/api/v1/api-keys/{created['id']}/", headers=owner)).status_code == 204
    assert await refused_soon("/api/parcelas/", created["key"])
    listed = (await gateway.get("/api/v1/api-keys/", headers=owner)).json()["results"]
    assert next(k for k in listed if k["id"] == created["id"])["revoked_at"] is not None


async def test_an_expired_key_is_refused(
    gateway: httpx.AsyncClient, workspace: Workspace, auth_db: asyncpg.Connection
) -> None:
    soon = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    created = (await _create(gateway, workspace.owner_token, role="tecnico", expires_at=soon)).json()
    await auth_db.execute(
        "UPDATE auth.api_keys SET expires_at = now() - interval '1 second' WHERE id = $1", created["id"]
    )
    response = await gateway.get("/api/parcelas/", headers={"Authorization": f"Bearer {created['key']}"})
    assert response.status_code == 401


async def test_the_verify_endpoint_answers_the_verifiers_contract(
    gateway: httpx.AsyncClient, platform_stack: Stack, workspace: Workspace
) -> None:
    created = (await _create(gateway, workspace.owner_token, role="tecnico")).json()
    async with httpx.AsyncClient(base_url=platform_stack.url("auth")) as auth:
        verified = await auth.post("/internal/api-keys/verify", json={"key": created["key"]})
        assert verified.status_code == 200
        body = verified.json()
        assert set(body) == {"key_id", "user_id", "tenant_id", "role", "permissions", "platform_admin", "expires_at"}
        assert (body["key_id"], body["tenant_id"], body["role"]) == (created["id"], workspace.tenant_id, "tecnico")
        assert "nodos:crear" in body["permissions"]
        assert (body["platform_admin"], body["expires_at"]) == (False, None)
        assert (await auth.post("/internal/api-keys/verify", json={"key": "ak_nope"})).status_code == 401
    assert (await gateway.post("/internal/api-keys/verify", json={"key": created["key"]})).status_code == 404
