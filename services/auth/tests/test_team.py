"""A workspace's team: invitations, members and their roles, removal."""

import secrets
from collections.abc import Awaitable, Callable
from typing import Any

import asyncpg
import httpx
import jwt

from auth.errors import EmailInOtherWorkspace
from auth.testing import AddMember, Login, Workspace, auth_header
from devstack.pytest_plugin import Published

Refused = Callable[[str, str], Awaitable[bool]]


def _claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


async def _invite(gateway: httpx.AsyncClient, token: str, role: str, email: str | None = None) -> httpx.Response:
    email = email or f"inv-{secrets.token_hex(4)}@example.com"
    return await gateway.post("/api/v1/invitations/", json={"email": email, "role": role}, headers=auth_header(token))


async def _accept(gateway: httpx.AsyncClient, token: str, **extra: str) -> httpx.Response:
    body = {"token": token, "username": f"inv-{secrets.token_hex(4)}", "password": "ClaveDelInvitado", **extra}
    return await gateway.post("/api/v1/invitations/accept/", json=body)


async def test_an_invited_technician_accepts_and_logs_in_with_that_role(
    gateway: httpx.AsyncClient, workspace: Workspace, login: Login, published: Published, auth_db: asyncpg.Connection
) -> None:
    invited = await _invite(gateway, workspace.owner_token, "tecnico")
    assert invited.status_code == 201, invited.text
    invitation = invited.json()
    assert invitation["status"] == "pendiente"
    assert invitation["role"] == "tecnico"
    token = invitation["accept_token"]
    stored = await auth_db.fetchval("SELECT token_hash FROM auth.invitations WHERE id = $1", invitation["id"])
    assert token not in stored, "only a digest of the token is kept"

    (event,) = [e for e in await published("auth.invitation.created") if e["data"]["invitation_id"] == invitation["id"]]
    assert event["tenant_id"] == workspace.tenant_id
    assert event["data"]["accept_token"] == token
    assert event["data"]["email"] == invitation["email"]

    username = f"tec-{secrets.token_hex(4)}"
    accepted = await _accept(gateway, token, username=username, nombres="Luis", apellidos="Mamani")
    assert accepted.status_code == 201, accepted.text
    body = accepted.json()
    assert body["role"] == "tecnico"
    assert body["workspace"]["id"] == workspace.tenant_id
    assert body["user"]["email"] == invitation["email"]
    assert {"token", "refresh_token", "expires_in", "refresh_expires_in"} <= set(body)
    assert _claims(body["token"])["role"] == "tecnico"
    assert int(_claims(body["token"])["tenant"]) == workspace.tenant_id

    relogged = _claims(await login(username, "ClaveDelInvitado"))
    assert (relogged["role"], int(relogged["tenant"])) == ("tecnico", workspace.tenant_id)
    members = (await gateway.get("/api/v1/members/", headers=auth_header(workspace.owner_token))).json()["results"]
    (me,) = [m for m in members if m["username"] == username]
    assert (me["role"], me["display_name"]) == ("tecnico", "Luis Mamani")
    names = [e["data"] for e in await published("auth.user.profile_changed") if e["data"]["user_id"] == me["id"]]
    assert names == [{"user_id": me["id"], "tenant_id": workspace.tenant_id, "display_name": "Luis Mamani"}]
    listed = (await gateway.get("/api/v1/invitations/", headers=auth_header(workspace.owner_token))).json()
    (row,) = [i for i in listed["results"] if i["id"] == invitation["id"]]
    assert row["status"] == "aceptada"
    assert "accept_token" not in row


async def test_an_invitation_works_once(gateway: httpx.AsyncClient, workspace: Workspace) -> None:
    token = (await _invite(gateway, workspace.owner_token, "agente")).json()["accept_token"]
    assert (await _accept(gateway, token)).status_code == 201
    replayed = await _accept(gateway, token)
    assert replayed.status_code == 400
    assert replayed.json()["detail"] == "La invitación ya fue usada."


async def test_a_pending_invitation_is_previewed_without_a_login_until_it_is_used(
    gateway: httpx.AsyncClient, workspace: Workspace, auth_db: asyncpg.Connection
) -> None:
    invitation = (await _invite(gateway, workspace.owner_token, "tecnico")).json()
    preview = await gateway.post("/api/v1/invitations/preview/", json={"token": invitation["accept_token"]})
    assert preview.status_code == 200, preview.text
    name = await auth_db.fetchval("SELECT name FROM auth.tenants WHERE id = $1", workspace.tenant_id)
    assert preview.json() == {
        "email": invitation["email"],
        "role": "tecnico",
        "expires_at": invitation["expires_at"],
        "workspace": {"id": workspace.tenant_id, "name": name},
    }
    assert (await _accept(gateway, invitation["accept_token"])).status_code == 201
    used = await gateway.post("/api/v1/invitations/preview/", json={"token": invitation["accept_token"]})
    assert used.status_code == 400
    assert used.json()["detail"] == "La invitación ya fue usada."
    unknown = await gateway.post("/api/v1/invitations/preview/", json={"token": "no-such-token"})
    assert unknown.status_code == 400
    assert unknown.json()["detail"] == "La invitación no es válida."


async def test_an_expired_invitation_is_refused(
    gateway: httpx.AsyncClient, workspace: Workspace, auth_db: asyncpg.Connection
) -> None:
    invitation = (await _invite(gateway, workspace.owner_token, "agente")).json()
    await auth_db.execute(
        "UPDATE auth.invitations SET expires_at = now() - interval '1 second' WHERE id = $1", invitation["id"]
    )
    refused = await _accept(gateway, invitation["accept_token"])
    assert refused.status_code == 400
    assert refused.json()["detail"] == "La invitación ha expirado."


async def test_a_revoked_invitation_is_refused(gateway: httpx.AsyncClient, workspace: Workspace) -> None:
    invitation = (await _invite(gateway, workspace.owner_token, "agente")).json()
    owner = auth_header(workspace.owner_token)
    assert (await gateway.delete(f"/api/v1/invitations/{invitation['id']}/", headers=owner)).status_code == 204
    refused = await _accept(gateway, invitation["accept_token"])
    assert refused.status_code == 400
    assert refused.json()["detail"] == "La invitación fue revocada."
    assert (await _accept(gateway, "no-such-token")).status_code == 400


async def test_inviting_an_email_of_another_workspace_is_refused(
    gateway: httpx.AsyncClient, workspace: Workspace
) -> None:
    other = f"other-{secrets.token_hex(4)}@example.com"
    assert (await gateway.post("/users/", json={"email": other, "password": "otra-clave-segura"})).status_code == 200
    refused = await _invite(gateway, workspace.owner_token, "tecnico", email=other)
    assert refused.status_code == 400
    assert refused.json()["email"] == [
        "Ese email ya tiene una cuenta en otro espacio de trabajo; una persona pertenece a uno solo."
    ]


async def test_a_farmer_cannot_invite(gateway: httpx.AsyncClient, workspace: Workspace) -> None:
    assert (await _invite(gateway, workspace.farmer_token, "administrador")).status_code == 403


async def test_another_workspaces_members_are_404(
    gateway: httpx.AsyncClient, workspace: Workspace, login: Login
) -> None:
    stranger = f"stranger-{secrets.token_hex(4)}@example.com"
    await gateway.post("/users/", json={"email": stranger, "password": "otra-clave-segura"})
    theirs = auth_header(await login(stranger, "otra-clave-segura"))
    listed = (await gateway.get("/api/v1/members/", headers=theirs)).json()["results"]
    assert [m["email"] for m in listed] == [stranger]
    path = f"/api/v1/members/{workspace.farmer_id}/"
    assert (await gateway.patch(path, json={"role": "agente"}, headers=theirs)).status_code == 404
    assert (await gateway.delete(path, headers=theirs)).status_code == 404


async def test_a_demoted_members_old_token_is_refused_at_once_and_a_new_login_works(
    gateway: httpx.AsyncClient, workspace: Workspace, add_member: AddMember, login: Login, refused_soon: Refused,
    published: Published,
) -> None:  # fmt: skip
    admin = await add_member("administrador")
    assert (await gateway.get("/api/v1/members/", headers=auth_header(admin.token))).status_code == 200
    demoted = await gateway.patch(
        f"/api/v1/members/{admin.id}/", json={"role": "agricultor"}, headers=auth_header(workspace.owner_token)
    )
    assert demoted.status_code == 200
    assert demoted.json()["role"] == "agricultor"
    assert await refused_soon("/auth/me/", admin.token)
    fresh = await login(admin.username, admin.password)
    assert _claims(fresh)["role"] == "agricultor"
    assert (await gateway.get("/auth/me/", headers=auth_header(fresh))).status_code == 200
    assert (await gateway.get("/api/v1/members/", headers=auth_header(fresh))).status_code == 403
    revoked = [e["data"] for e in await published("auth.user.tokens_revoked") if e["data"]["user_id"] == admin.id]
    assert revoked[-1]["reason"] == "role_changed"


async def test_a_role_change_through_rbac_refuses_the_old_token_too(
    gateway: httpx.AsyncClient, workspace: Workspace, login: Login, refused_soon: Refused
) -> None:
    owner = auth_header(workspace.owner_token)
    roles = {r["nombre"]: r["id"] for r in (await gateway.get("/api/rbac/roles/", headers=owner)).json()["results"]}
    changed = await gateway.patch(
        f"/api/rbac/users/{workspace.farmer_id}/role/", json={"rol_id": roles["tecnico"]}, headers=owner
    )
    assert changed.status_code == 200
    assert await refused_soon("/auth/me/", workspace.farmer_token)
    assert _claims(await login(workspace.farmer_username, workspace.farmer_password))["role"] == "tecnico"


async def test_a_removed_member_is_locked_out_everywhere(
    gateway: httpx.AsyncClient, workspace: Workspace, add_member: AddMember, refused_soon: Refused,
    published: Published, auth_db: asyncpg.Connection,
) -> None:  # fmt: skip
    admin = await add_member("administrador")
    credentials = {"username": admin.username, "password": admin.password}
    signed_in = (await gateway.post("/auth/login/", json=credentials)).json()
    key = await gateway.post(
        "/api/v1/api-keys/", json={"name": "script", "role": "agricultor"}, headers=auth_header(admin.token)
    )
    assert key.status_code == 201
    assert (await gateway.get("/api/parcelas/", headers=auth_header(key.json()["key"]))).status_code == 200

    removed = await gateway.delete(f"/api/v1/members/{admin.id}/", headers=auth_header(workspace.owner_token))
    assert removed.status_code == 204
    assert await refused_soon("/auth/me/", admin.token)
    assert await refused_soon("/api/parcelas/", key.json()["key"])
    relogin = await gateway.post("/auth/login/", json=credentials)
    assert relogin.status_code == 400
    refreshed = await gateway.post("/auth/refresh/", json={"refresh_token": signed_in["refresh_token"]})
    assert refreshed.status_code == 401
    members = (await gateway.get("/api/v1/members/", headers=auth_header(workspace.owner_token))).json()["results"]
    assert admin.id not in [m["id"] for m in members]
    assert await auth_db.fetchval("SELECT count(*) FROM auth.users WHERE id = $1", admin.id) == 1, "the row stays"
    assert [e["data"] for e in await published("auth.user.removed") if e["data"]["user_id"] == admin.id] == [
        {"user_id": admin.id, "tenant_id": workspace.tenant_id}
    ]
    assert key.json()["id"] in [e["data"]["key_id"] for e in await published("auth.apikey.revoked")]


async def test_nobody_removes_or_changes_themselves(gateway: httpx.AsyncClient, workspace: Workspace) -> None:
    owner = auth_header(workspace.owner_token)
    me = int(_claims(workspace.owner_token)["sub"])
    assert (await gateway.delete(f"/api/v1/members/{me}/", headers=owner)).status_code == 400
    assert (await gateway.patch(f"/api/v1/members/{me}/", json={"role": "agente"}, headers=owner)).status_code == 400
    roles = {r["nombre"]: r["id"] for r in (await gateway.get("/api/rbac/roles/", headers=owner)).json()["results"]}
    own = await gateway.patch(f"/api/rbac/users/{me}/role/", json={"rol_id": roles["agente"]}, headers=owner)
    assert own.status_code == 400
    assert own.json() == {"detail": "No puede cambiar su propio rol ni quitarse a sí mismo del espacio de trabajo."}


async def test_a_removed_member_invited_back_keeps_their_id_with_the_new_role_and_password(
    gateway: httpx.AsyncClient, workspace: Workspace, login: Login, published: Published
) -> None:
    owner = auth_header(workspace.owner_token)
    email = f"vuelve-{secrets.token_hex(4)}@example.com"
    first = await _accept(
        gateway, (await _invite(gateway, workspace.owner_token, "tecnico", email)).json()["accept_token"]
    )
    assert first.status_code == 201, first.text
    user_id = first.json()["user"]["user_id"]
    assert (await gateway.delete(f"/api/v1/members/{user_id}/", headers=owner)).status_code == 204

    # Another workspace still cannot have them.
    stranger = {"email": f"otro-{secrets.token_hex(4)}@example.com", "password": "correct-horse-battery"}
    assert (await gateway.post("/users/", json=stranger)).status_code == 200
    theirs = await login(stranger["email"], stranger["password"])
    elsewhere = await _invite(gateway, theirs, "agente", email)
    assert elsewhere.status_code == 400, elsewhere.text
    assert elsewhere.json()["email"] == [EmailInOtherWorkspace.message]

    again = await _invite(gateway, workspace.owner_token, "agente", email)
    assert again.status_code == 201, again.text
    username = f"vuelta-{secrets.token_hex(4)}"
    back = await _accept(gateway, again.json()["accept_token"], username=username, password="NuevaClave-1")
    assert back.status_code == 201, back.text
    assert (back.json()["user"]["user_id"], back.json()["role"]) == (user_id, "agente")
    assert _claims(await login(username, "NuevaClave-1"))["role"] == "agente"
    assert (
        await gateway.post("/auth/login/", json={"username": email, "password": "ClaveDelInvitado"})
    ).status_code == 400
    members = (await gateway.get("/api/v1/members/", headers=owner)).json()["results"]
    assert [m["role"] for m in members if m["id"] == user_id] == ["agente"]
    restored = [e["data"] for e in await published("auth.user.restored") if e["data"]["user_id"] == user_id]
    assert restored == [{"user_id": user_id, "tenant_id": workspace.tenant_id, "role": "agente"}]
    # Still a member now: a third invitation is refused.
    assert (await _invite(gateway, workspace.owner_token, "agente", email)).status_code == 400
