import secrets
from dataclasses import dataclass

import httpx
import pytest


@dataclass(frozen=True)
class Account:
    email: str
    password: str
    id: int


@pytest.fixture
async def account(gateway: httpx.AsyncClient) -> Account:
    """A freshly registered user (and so a fresh tenant) per test."""
    email = f"user-{secrets.token_hex(4)}@example.com"
    password = "correct-horse-battery"
    response = await gateway.post("/users/", json={"email": email, "password": password})
    assert response.status_code == 200, response.text
    return Account(email, password, response.json()["id"])


async def token_for(gateway: httpx.AsyncClient, account: Account) -> str:
    response = await gateway.post("/api/auth/login", json={"username": account.email, "password": account.password})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])
