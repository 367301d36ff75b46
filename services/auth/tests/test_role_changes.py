"""One way to change a role, and logins or refreshes racing a role change or a removal."""

import asyncio
import secrets
from typing import Any

import asyncpg
import httpx
import jwt

from auth.errors import RoleNotHeld
from auth.testing import AddMember, Login, Workspace, auth_header
from devstack.stack import Stack
from devstack.waiting import eventually


def _claims(token: str) -> dict[str, Any]:
    return jwt.decode(token, options={"verify_signature": False})


async def _role_ids(gateway: httpx.AsyncClient, token: str) -> dict[str, int]:
    roles = (await gateway.get("/api/rbac/roles/", headers=auth_header(token))).json()["results"]
    return {r["nombre"]: r["id"] for r in roles}


async def test_rbac_cannot_hand_out_a_role_granting_more_than_the_caller_holds(
    gateway: httpx.AsyncClient, workspace: Workspace, add_member: AddMember, login: Login, auth_db: asyncpg.Connection
) -> None:
    roles = await _role_ids(gateway, workspace.owner_token)
    # A role that may change roles and nothing else (roles are global: removed afterwards).
    name = f"gestor-{secrets.token_hex(3)}"
    role_id = await auth_db.fetchval("INSERT INTO auth.roles (nombre, descripcion) VALUES ($1, '') RETURNING id", name)
    try:
        await auth_db.execute(
            """INSERT INTO auth.permissions (role_id, module_id, operation_id)
               SELECT $1, o.module_id, o.id FROM auth.operations o JOIN auth.modules m ON m.id = o.module_id
               WHERE m.nombre = 'usuarios' AND o.nombre = 'actualizar'""",
            role_id,
        )
        member = await add_member("agricultor")
        await auth_db.execute("UPDATE auth.users SET role = $1 WHERE id = $2", name, member.id)
        manager = auth_header(await login(member.username, member.password))
        promoted = await gateway.patch(
            f"/api/rbac/users/{workspace.farmer_id}/role/", json={"rol_id": roles["administrador"]}, headers=manager
        )
        assert promoted.status_code == 403, promoted.text
        assert promoted.json() == {"detail": RoleNotHeld.message}
        role = await auth_db.fetchval("SELECT role FROM auth.users WHERE id = $1", workspace.farmer_id)
        assert role == "agricultor"
    finally:
        await auth_db.execute("UPDATE auth.users SET role = 'agricultor' WHERE role = $1", name)
        await auth_db.execute("DELETE FROM auth.roles WHERE id = $1", role_id)


async def test_a_workspace_admin_cannot_change_the_platform_admins_role(
    gateway: httpx.AsyncClient, admin_token: str
) -> None:
    platform_admin = int(_claims(admin_token)["sub"])
    email = f"colega-{secrets.token_hex(4)}@example.com"
    invited = await gateway.post(
        "/api/v1/invitations/", json={"email": email, "role": "administrador"}, headers=auth_header(admin_token)
    )
    assert invited.status_code == 201, invited.text
    body = {"token": invited.json()["accept_token"], "username": f"col-{secrets.token_hex(4)}", "password": "Clave-123"}
    accepted = await gateway.post("/api/v1/invitations/accept/", json=body)
    assert accepted.status_code == 201, accepted.text
    colleague = accepted.json()["token"]
    try:
        roles = await _role_ids(gateway, colleague)
        for role in ["administrador", "agricultor"]:  # even the role they already hold
            changed = await gateway.patch(
                f"/api/rbac/users/{platform_admin}/role/", json={"rol_id": roles[role]}, headers=auth_header(colleague)
            )
            assert changed.status_code == 403, changed.text
        member = await gateway.patch(
            f"/api/v1/members/{platform_admin}/", json={"role": "agricultor"}, headers=auth_header(colleague)
        )
        assert member.status_code == 403, member.text
    finally:
        removed = await gateway.delete(
            f"/api/v1/members/{accepted.json()['user']['user_id']}/", headers=auth_header(admin_token)
        )
        assert removed.status_code == 204, removed.text


async def _until_blocked_by(auth_db: asyncpg.Connection, holder_pid: int, request: "asyncio.Task[Any]") -> None:
    """Return once some session waits for `holder_pid`'s lock; fail if `request` ends first."""

    async def blocked() -> bool:
        assert not request.done(), f"answered without waiting for the lock: {request.result().text}"
        return bool(
            await auth_db.fetchval(
                "SELECT count(*) > 0 FROM pg_stat_activity WHERE $1 = ANY(pg_blocking_pids(pid))", holder_pid
            )
        )

    await eventually(blocked, "a session waits for the lock", seconds=10, interval=0.01)


async def test_a_login_racing_a_role_change_carries_the_new_role(
    gateway: httpx.AsyncClient, workspace: Workspace, platform_stack: Stack, auth_db: asyncpg.Connection
) -> None:
    # The role change holds the user's row (as `members.member_of` does) while a login comes in.
    holder = await asyncpg.connect(platform_stack.superuser_dsn)
    try:
        async with holder.transaction():
            await holder.execute("SELECT 1 FROM auth.users WHERE id = $1 FOR UPDATE", workspace.farmer_id)
            credentials = {"username": workspace.farmer_username, "password": workspace.farmer_password}
            login = asyncio.create_task(gateway.post("/auth/login/", json=credentials))
            await _until_blocked_by(auth_db, await holder.fetchval("SELECT pg_backend_pid()"), login)
            await holder.execute("UPDATE auth.users SET role = 'tecnico' WHERE id = $1", workspace.farmer_id)
        answer = await login
    finally:
        await holder.close()
    assert answer.status_code == 200, answer.text
    assert _claims(answer.json()["token"])["role"] == "tecnico"


async def test_a_refresh_racing_a_removal_is_refused(
    gateway: httpx.AsyncClient, workspace: Workspace, platform_stack: Stack, auth_db: asyncpg.Connection
) -> None:
    credentials = {"username": workspace.farmer_username, "password": workspace.farmer_password}
    signed_in = (await gateway.post("/auth/login/", json=credentials)).json()
    holder = await asyncpg.connect(platform_stack.superuser_dsn)
    try:
        async with holder.transaction():
            await holder.execute("SELECT 1 FROM auth.users WHERE id = $1 FOR UPDATE", workspace.farmer_id)
            refresh = asyncio.create_task(
                gateway.post("/auth/refresh/", json={"refresh_token": signed_in["refresh_token"]})
            )
            await _until_blocked_by(auth_db, await holder.fetchval("SELECT pg_backend_pid()"), refresh)
            # What `members.remove` writes about the user and their sessions.
            await holder.execute(
                "UPDATE auth.users SET is_active = false, removed_at = now() WHERE id = $1", workspace.farmer_id
            )
            await holder.execute(
                "UPDATE auth.login_sessions SET revoked_at = now(), revoked_reason = 'removed' WHERE user_id = $1",
                workspace.farmer_id,
            )
        answer = await refresh
    finally:
        await holder.close()
    assert answer.status_code == 401, answer.text
