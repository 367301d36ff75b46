"""A credential ended through the gateway is refused at once, and refusals repeat no secret."""

import secrets

import httpx

from auth.testing import Account, Login, auth_header


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
