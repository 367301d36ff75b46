"""A credential ended through the gateway is refused at once, and refusals repeat no secret."""

import re
import secrets
import time
from typing import cast

import httpx

from auth.testing import Account, AddMember, Login, Workspace, auth_header
from devstack.stack import Stack
from gateway.revoking import apply_revoked
from shared.security import Principal, TokenVerifier
from shared.security.revocations import RevocationList


async def test_a_logout_through_the_gateway_is_refused_at_once_everywhere(
    gateway: httpx.AsyncClient, account: Account, login: Login
) -> None:
    # agro learns of the logout from auth's event a moment later; the gateway that relayed it
    # refuses the token before anything reaches agro.
    for logout in ["/auth/logout/", "/api/auth/logout/"] * 15:
        token = await login(account.email, account.password)
        assert (await gateway.get("/api/parcelas/", headers=auth_header(token))).status_code == 200
        assert (await gateway.post(logout, headers=auth_header(token))).is_success
        after = await gateway.get("/api/parcelas/", headers=auth_header(token))
        assert after.status_code == 401, (logout, after.text)


async def test_a_failed_logout_revokes_nothing(gateway: httpx.AsyncClient, account: Account, login: Login) -> None:
    token = await login(account.email, account.password)
    refused = await gateway.post("/auth/logout/", headers=auth_header(token + "x"))
    assert refused.status_code == 401
    assert (await gateway.get("/api/parcelas/", headers=auth_header(token))).status_code == 200


async def test_validation_errors_never_repeat_a_password(gateway: httpx.AsyncClient) -> None:
    password = f"s3creto-{secrets.token_hex(8)}"
    bodies = [
        {"email": "no-es-un-correo", "password": password},  # another field is wrong
        {"password": password},  # a field is missing: the whole body is the input
        {"email": f"u-{secrets.token_hex(3)}@example.com", "password": [password]},  # the password itself
    ]
    for body in bodies:
        response = await gateway.post("/users/", json=body)
        assert 400 <= response.status_code < 500, response.text
        assert password not in response.text, response.text


async def test_a_revoked_api_key_and_a_changed_role_are_refused_at_once(
    gateway: httpx.AsyncClient, workspace: Workspace, add_member: AddMember, login: Login
) -> None:
    owner = auth_header(workspace.owner_token)
    for _ in range(10):
        created = await gateway.post("/api/v1/api-keys/", headers=owner, json={"name": "s", "role": "agricultor"})
        assert created.status_code == 201, created.text
        key = {"Authorization": f"Bearer {created.json()['key']}"}
        assert (await gateway.get("/api/parcelas/", headers=key)).status_code == 200
        assert (await gateway.delete(f"/api/v1/api-keys/{created.json()['id']}/", headers=owner)).status_code == 204
        assert (await gateway.get("/api/parcelas/", headers=key)).status_code == 401  # no waiting

    member = await add_member("tecnico")
    for role in ["agricultor", "tecnico"] * 3:
        token = await login(member.username, member.password)
        assert (await gateway.get("/api/parcelas/", headers=auth_header(token))).status_code == 200
        changed = await gateway.patch(f"/api/v1/members/{member.id}/", headers=owner, json={"role": role})
        assert changed.status_code == 200, changed.text
        assert (await gateway.get("/api/parcelas/", headers=auth_header(token))).status_code == 401
        fresh = await login(member.username, member.password)  # a login right after: the new role
        assert (await gateway.get("/api/parcelas/", headers=auth_header(fresh))).status_code == 200


async def test_a_role_change_to_the_same_role_leaves_the_members_token_working(
    gateway: httpx.AsyncClient, workspace: Workspace, add_member: AddMember
) -> None:
    owner = auth_header(workspace.owner_token)
    member = await add_member("tecnico")
    roles = {r["nombre"]: r["id"] for r in (await gateway.get("/api/rbac/roles/", headers=owner)).json()["results"]}
    for path, body in [
        (f"/api/v1/members/{member.id}/", {"role": "tecnico"}),
        (f"/api/rbac/users/{member.id}/role/", {"rol_id": roles["tecnico"]}),
    ]:
        unchanged = await gateway.patch(path, headers=owner, json=body)
        assert unchanged.status_code == 200, unchanged.text
        assert (await gateway.get("/api/parcelas/", headers=auth_header(member.token))).status_code == 200, path


async def test_clients_never_see_what_auth_tells_the_gateway_it_revoked(
    gateway: httpx.AsyncClient, platform_stack: Stack, workspace: Workspace, add_member: AddMember, login: Login
) -> None:
    owner = auth_header(workspace.owner_token)
    member = await add_member("tecnico")
    # auth says it (to whoever calls it directly: the gateway)...
    async with httpx.AsyncClient(base_url=platform_stack.url("auth")) as auth:
        token = await login(member.username, member.password)
        logout = await auth.post("/auth/logout/", headers=auth_header(token))
        assert logout.headers["x-platform-revoked"] == "caller"
        demoted = await auth.patch(f"/api/v1/members/{member.id}/", headers=owner, json={"role": "agricultor"})
        assert re.fullmatch(rf"user:{member.id}@\d+\.\d{{3}}", demoted.headers["x-platform-revoked"])
        same = await auth.patch(f"/api/v1/members/{member.id}/", headers=owner, json={"role": "agricultor"})
        assert "x-platform-revoked" not in same.headers
    # ...and the gateway applies it but never relays it.
    token = await login(member.username, member.password)
    key = await gateway.post("/api/v1/api-keys/", headers=owner, json={"name": "s", "role": "agricultor"})
    answers = [
        await gateway.patch(f"/api/v1/members/{member.id}/", headers=owner, json={"role": "tecnico"}),
        await gateway.delete(f"/api/v1/api-keys/{key.json()['id']}/", headers=owner),
        await gateway.post("/auth/logout/", headers=auth_header(await login(member.username, member.password))),
        await gateway.delete(f"/api/v1/members/{member.id}/", headers=owner),
    ]
    for answer in answers:
        assert answer.is_success, answer.text
        assert "x-platform-revoked" not in answer.headers, answer.request.url
    assert (await gateway.get("/api/parcelas/", headers=auth_header(token))).status_code == 401


async def test_an_api_key_is_rate_limited_as_its_own_caller(gateway: httpx.AsyncClient, workspace: Workspace) -> None:
    owner = auth_header(workspace.owner_token)
    created = await gateway.post("/api/v1/api-keys/", headers=owner, json={"name": "s", "role": "agricultor"})
    key = {"Authorization": f"Bearer {created.json()['key']}"}
    for _ in range(3):
        mine = await gateway.get("/api/parcelas/", headers=owner)
    theirs = await gateway.get("/api/parcelas/", headers=key)
    limit = int(theirs.headers["x-ratelimit-limit"])
    assert int(mine.headers["x-ratelimit-remaining"]) < limit - 3
    assert int(theirs.headers["x-ratelimit-remaining"]) == limit - 1  # its first request of the window


class _Verifier:
    """What `apply_revoked` uses of a `TokenVerifier`."""

    def __init__(self) -> None:
        self.revocations = RevocationList()

    def revoke_now(self, principal: Principal) -> None:
        self.revocations.add(principal.token_id, principal.expires_at, session_id=principal.session_id)


def test_malformed_revocation_items_are_skipped_and_the_others_applied() -> None:
    verifier = _Verifier()
    later = int(time.time()) + 3600

    def token(user_id: int, issued_at: float, sid: str | None = None) -> Principal:
        jti = f"t{user_id}-{issued_at}"
        return Principal(user_id, 1, "tecnico", jti, later, issued_at=issued_at, session_id=sid or f"s-{jti}")

    caller = token(9, 50.0)
    value = "user:7@100.250, key:, nonsense, user:8@soon, key:k_1,session:s-2,caller,user:x@1"
    apply_revoked(value, cast(TokenVerifier, verifier), caller, session_seconds=60)
    revocations = verifier.revocations
    assert revocations.revokes(token(7, 100.25))
    assert not revocations.revokes(token(7, 100.251))
    assert not revocations.revokes(token(8, 1.0))
    assert revocations.revokes(token(5, 1000.0, sid="s-2"))
    assert revocations.revokes(caller)
    key = Principal(3, 1, "agricultor", "key:k_1", later, api_key_id="k_1")
    assert revocations.revokes(key)
