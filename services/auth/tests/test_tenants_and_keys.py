"""000's tenants, login throttling and signing-key rotation."""

import subprocess
import sys
from typing import Any

import httpx
import jwt

from devstack.stack import Stack
from devstack.waiting import eventually


async def test_owner_sees_only_their_workspace(
    gateway: httpx.AsyncClient, workspace: Any, admin_token: str, as_header: Any
) -> None:
    owner = as_header(workspace.owner_token)
    page = (await gateway.get("/api/v1/tenants/", headers=owner)).json()
    assert page["count"] == 1
    assert page["results"][0]["id"] == workspace.tenant_id
    assert set(page["results"][0]) == {"id", "name", "is_active", "created_at"}
    assert (await gateway.get(f"/api/v1/tenants/{workspace.tenant_id}/", headers=owner)).status_code == 200
    admins_tenant = jwt.decode(admin_token, options={"verify_signature": False})["tenant"]
    assert (await gateway.get(f"/api/v1/tenants/{admins_tenant}/", headers=owner)).status_code == 404


async def test_owner_cannot_create_tenants(gateway: httpx.AsyncClient, token: str, as_header: Any) -> None:
    assert (await gateway.post("/api/v1/tenants/", json={"name": "x"}, headers=as_header(token))).status_code == 403


async def test_platform_admin_manages_tenants_and_deactivation_blocks_login(
    gateway: httpx.AsyncClient, workspace: Any, admin_token: str, as_header: Any
) -> None:
    admin = as_header(admin_token)
    assert (await gateway.get("/api/v1/tenants/", headers=admin)).json()["count"] >= 2
    created = await gateway.post("/api/v1/tenants/", json={"name": "Cooperativa Norte"}, headers=admin)
    assert created.status_code == 201
    renamed = await gateway.patch(
        f"/api/v1/tenants/{created.json()['id']}/", json={"name": "Coop Norte"}, headers=admin
    )
    assert renamed.json()["name"] == "Coop Norte"
    assert (await gateway.delete(f"/api/v1/tenants/{workspace.tenant_id}/", headers=admin)).status_code == 204
    refused = await gateway.post(
        "/auth/login/", json={"username": workspace.farmer_username, "password": workspace.farmer_password}
    )
    assert refused.status_code == 400


async def test_deactivating_a_workspace_revokes_its_tokens_everywhere(
    gateway: httpx.AsyncClient, platform_stack: Stack, workspace: Any, admin_token: str, as_header: Any
) -> None:
    farmer = as_header(workspace.farmer_token)
    assert (await gateway.get("/api/parcelas/", headers=farmer)).status_code == 200
    deactivated = await gateway.delete(f"/api/v1/tenants/{workspace.tenant_id}/", headers=as_header(admin_token))
    assert deactivated.status_code == 204
    # The gateway, auth and agro each refuse it on their own, from the event.
    async with (
        httpx.AsyncClient(base_url=platform_stack.url("auth")) as auth,
        httpx.AsyncClient(base_url=platform_stack.url("agro")) as agro,
    ):
        for client, path in [(gateway, "/api/parcelas/"), (auth, "/auth/me/"), (agro, "/api/parcelas/")]:

            async def refuses(client: httpx.AsyncClient = client, path: str = path) -> bool:
                return (await client.get(path, headers=farmer)).status_code == 401

            await eventually(refuses, f"{client.base_url}{path} refuses the deactivated workspace's token", seconds=2.5)
    assert (await gateway.get("/api/v1/tenants/", headers=as_header(admin_token))).status_code == 200


async def test_repeated_failed_logins_are_throttled_per_account(gateway: httpx.AsyncClient, account: Any) -> None:
    for _ in range(5):
        wrong = await gateway.post("/api/auth/login", json={"username": account.email, "password": "wrong"})
        assert wrong.status_code == 401
    blocked = await gateway.post("/api/auth/login", json={"username": account.email, "password": account.password})
    assert blocked.status_code == 429
    assert blocked.json()["error"]["code"] == "TOO_MANY_LOGIN_ATTEMPTS"
    assert int(blocked.headers["Retry-After"]) > 0


async def test_key_rotation_keeps_old_tokens_valid(
    gateway: httpx.AsyncClient, platform_stack: Stack, account: Any, token: str, as_header: Any
) -> None:
    old_kid = jwt.get_unverified_header(token)["kid"]
    spec = platform_stack.spec("auth")
    rotated = subprocess.run(
        [sys.executable, "-m", "auth.keys", "rotate"], env=platform_stack.env_for(spec), capture_output=True, text=True
    )
    assert rotated.returncode == 0, rotated.stderr
    fresh = await gateway.post("/api/auth/login", json={"username": account.email, "password": account.password})
    new_token = fresh.json()["access_token"]
    assert jwt.get_unverified_header(new_token)["kid"] != old_kid
    kids = {key["kid"] for key in (await gateway.get("/.well-known/jwks.json")).json()["keys"]}
    assert old_kid in kids
    assert (await gateway.get("/auth/me/", headers=as_header(token))).status_code == 200
    me = await gateway.get("/auth/me/", headers=as_header(new_token))
    assert me.status_code == 200, me.text
