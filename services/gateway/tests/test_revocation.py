"""A credential ended through the gateway is refused at once, and refusals repeat no secret."""

import secrets

import httpx

from auth.testing import Account, AddMember, Login, Workspace, auth_header


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
