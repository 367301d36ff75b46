"""Refresh tokens: login sessions for mobile apps, rotated on every use."""

from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import jwt

from auth.testing import Account

Refused = Callable[[str, str], Awaitable[bool]]


def _sid(token: str) -> str:
    return str(jwt.decode(token, options={"verify_signature": False})["sid"])


async def _login(gateway: httpx.AsyncClient, account: Account) -> dict[str, Any]:
    response = await gateway.post("/auth/login/", json={"username": account.email, "password": account.password})
    assert response.status_code == 200
    return dict(response.json())


async def _refresh(gateway: httpx.AsyncClient, refresh_token: str, path: str = "/auth/refresh/") -> httpx.Response:
    return await gateway.post(path, json={"refresh_token": refresh_token})


async def test_a_refresh_rotates_both_tokens_within_the_session(gateway: httpx.AsyncClient, account: Account) -> None:
    first = await _login(gateway, account)
    refreshed = await _refresh(gateway, first["refresh_token"])
    assert refreshed.status_code == 200, refreshed.text
    body = refreshed.json()
    assert body["token"] == body["access_token"]
    assert body["refresh_token"] != first["refresh_token"]
    assert body["workspace"] == first["workspace"]
    assert _sid(body["token"]) == _sid(first["token"])
    assert (await gateway.get("/auth/me/", headers={"Authorization": f"Bearer {body['token']}"})).status_code == 200
    again = await _refresh(gateway, body["refresh_token"], "/api/auth/refresh/")
    assert again.status_code == 200


async def test_a_reused_refresh_token_ends_the_whole_session(
    gateway: httpx.AsyncClient, account: Account, refused_soon: Refused
) -> None:
    first = await _login(gateway, account)
    newest = (await _refresh(gateway, first["refresh_token"])).json()
    replayed = await _refresh(gateway, first["refresh_token"])
    assert replayed.status_code == 401
    assert await refused_soon("/auth/me/", newest["token"]), "the thief's or the victim's newest token stops"
    assert await refused_soon("/auth/me/", first["token"])
    assert (await _refresh(gateway, newest["refresh_token"])).status_code == 401
    other_session = await _login(gateway, account)
    assert (await gateway.get("/auth/me/", headers={"Authorization": f"Bearer {other_session['token']}"})).is_success


async def test_logout_ends_the_session(gateway: httpx.AsyncClient, account: Account, refused_soon: Refused) -> None:
    first = await _login(gateway, account)
    newest = (await _refresh(gateway, first["refresh_token"])).json()
    logout = await gateway.post("/auth/logout/", headers={"Authorization": f"Token {newest['token']}"})
    assert logout.status_code == 204
    assert await refused_soon("/auth/me/", first["token"])
    assert (await _refresh(gateway, newest["refresh_token"])).status_code == 401


async def test_an_unknown_refresh_token_is_refused(gateway: httpx.AsyncClient) -> None:
    refused = await _refresh(gateway, "not-a-refresh-token")
    assert refused.status_code == 401
    assert refused.json() == {"detail": "El token de refresco no es válido o ha expirado."}
