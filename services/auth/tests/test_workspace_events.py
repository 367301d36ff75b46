"""Events other services build read models from: workspaces and people's display names."""

import httpx
import jwt

from auth.testing import Account, Workspace, auth_header
from devstack.pytest_plugin import Published


def _tenant(token: str) -> int:
    return int(jwt.decode(token, options={"verify_signature": False})["tenant"])


async def test_every_workspace_change_publishes_its_whole_state(
    gateway: httpx.AsyncClient, admin_token: str, account: Account, token: str, published: Published
) -> None:
    tenant_id = _tenant(token)
    admin = auth_header(admin_token)
    assert (await gateway.patch(f"/api/v1/tenants/{tenant_id}/", json={"name": "Finca Rosa"}, headers=admin)).is_success
    assert (await gateway.delete(f"/api/v1/tenants/{tenant_id}/", headers=admin)).status_code == 204
    reopened = await gateway.patch(f"/api/v1/tenants/{tenant_id}/", json={"is_active": True}, headers=admin)
    assert reopened.status_code == 200
    states = [
        (e["data"]["name"], e["data"]["is_active"])
        for e in await published("auth.tenant.upserted")
        if e["data"]["tenant_id"] == tenant_id
    ]
    assert states == [(account.email, True), ("Finca Rosa", True), ("Finca Rosa", False), ("Finca Rosa", True)]


async def test_a_platform_admin_creating_a_workspace_publishes_it(
    gateway: httpx.AsyncClient, admin_token: str, published: Published
) -> None:
    created = await gateway.post("/api/v1/tenants/", json={"name": "Cooperativa"}, headers=auth_header(admin_token))
    assert created.status_code == 201
    tenant_id = created.json()["id"]
    events = [e for e in await published("auth.tenant.upserted") if e["data"]["tenant_id"] == tenant_id]
    assert [e["data"] for e in events] == [{"tenant_id": tenant_id, "name": "Cooperativa", "is_active": True}]
    assert events[0]["tenant_id"] == tenant_id


async def test_changing_a_profiles_names_publishes_the_display_name(
    gateway: httpx.AsyncClient, workspace: Workspace, published: Published
) -> None:
    farmer = auth_header(workspace.farmer_token)
    assert (await gateway.patch("/api/user/profile/", json={"nombres": " Rosa  "}, headers=farmer)).status_code == 200
    assert (await gateway.patch("/api/user/profile/", json={"telefono": "988"}, headers=farmer)).status_code == 200
    assert (await gateway.patch("/api/user/profile/", json={"apellidos": "Quispe"}, headers=farmer)).status_code == 200
    assert (await gateway.put("/api/user/profile/", json={}, headers=farmer)).status_code == 200
    names = [
        e["data"]["display_name"]
        for e in await published("auth.user.profile_changed")
        if e["data"]["user_id"] == workspace.farmer_id
    ]
    # The prospect's application named her first; a phone number changes no name.
    assert names == ["Rosa Quispe", "Rosa", "Rosa Quispe", None]
    created = [e for e in await published("auth.user.created") if e["data"]["user_id"] == workspace.farmer_id]
    assert created[0]["data"]["display_name"] == "Rosa Quispe"
    assert all(e["tenant_id"] == workspace.tenant_id for e in await published("auth.user.profile_changed")
               if e["data"]["user_id"] == workspace.farmer_id)  # fmt: skip
