import secrets
from dataclasses import dataclass

import httpx
import pytest


@dataclass(frozen=True)
class Account:
    """Fixture type: tests annotate it as `object` to avoid importing conftest."""

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


@pytest.fixture
async def token(gateway: httpx.AsyncClient, account: Account) -> str:
    """A fresh access token of `account`."""
    response = await gateway.post("/api/auth/login", json={"username": account.email, "password": account.password})
    assert response.status_code == 200, response.text
    return str(response.json()["access_token"])
