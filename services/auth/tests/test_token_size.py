"""An administrator's token fits comfortably in a phone's headers."""

import httpx
import jwt

from auth.testing import Account


async def test_an_administrators_token_is_under_a_kilobyte(gateway: httpx.AsyncClient, account: Account) -> None:
    response = await gateway.post("/auth/token/", json={"username": account.email, "password": account.password})
    token = response.json()["token"]
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["role"] == "administrador"
    print(f"administrator token: {len(token)} bytes")
    assert len(token) < 1000, len(token)
