"""Tokens: what is refused, and revocation reaching every service."""

import base64
import json
import subprocess
import sys
import time
import uuid
from typing import Any

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, generate_private_key

from devstack.stack import Stack
from devstack.waiting import eventually


def _foreign_key() -> RSAPrivateKey:
    return generate_private_key(public_exponent=65537, key_size=2048)


def _b64(data: dict[str, object]) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


async def _me(gateway: httpx.AsyncClient, token: str, scheme: str = "Bearer") -> int:
    return (await gateway.get("/auth/me/", headers={"Authorization": f"{scheme} {token}"})).status_code


async def test_bearer_and_token_schemes_are_the_same_credential(gateway: httpx.AsyncClient, token: str) -> None:
    assert await _me(gateway, token, "Bearer") == 200
    assert await _me(gateway, token, "Token") == 200


async def test_alg_none_is_refused(gateway: httpx.AsyncClient, token: str) -> None:
    real = jwt.decode(token, options={"verify_signature": False})
    forged = f"{_b64({'alg': 'none', 'typ': 'JWT'})}.{_b64(real)}."
    assert await _me(gateway, forged) == 401


async def test_tampered_payload_is_refused(gateway: httpx.AsyncClient, token: str) -> None:
    header, _, signature = (token).split(".")
    claims = jwt.decode(token, options={"verify_signature": False})
    claims["role"] = "superuser"
    assert await _me(gateway, f"{header}.{_b64(claims)}.{signature}") == 401


async def test_token_signed_by_another_key_is_refused(gateway: httpx.AsyncClient, token: str) -> None:
    claims = jwt.decode(token, options={"verify_signature": False})
    kid = jwt.get_unverified_header(token)["kid"]
    forged = jwt.encode(claims, _foreign_key(), algorithm="RS256", headers={"kid": kid})
    assert await _me(gateway, forged) == 401


_SIGN_WITH_AUTHS_KEY = """
import asyncio, json, sys
import jwt
from auth.config import settings
from auth.keys.ring import ALGORITHM, KeyCipher
from auth.keys.service import active_key
from auth.models import SCHEMA
from shared.db import create_engine, create_sessionmaker

async def main():
    engine = create_engine(settings.database_url, schema=SCHEMA, pool_size=1)
    async with create_sessionmaker(engine)() as session:
        kid, key = await active_key(session, KeyCipher(settings.key_encryption_secret))
    await engine.dispose()
    print(jwt.encode(json.loads(sys.argv[1]), key, algorithm=ALGORITHM, headers={"kid": kid}))

asyncio.run(main())
"""


def _signed_by_auth(platform_stack: Stack, claims: dict[str, Any]) -> str:
    """A token signed with auth's real active key: only its claims can make it fail."""
    result = subprocess.run(
        [sys.executable, "-c", _SIGN_WITH_AUTHS_KEY, json.dumps(claims)],
        env=platform_stack.env_for(platform_stack.spec("auth")),
        capture_output=True,
        text=True,
        check=True,
    )
    return result.stdout.strip()


async def test_expired_token_is_refused(gateway: httpx.AsyncClient, platform_stack: Stack, token: str) -> None:
    jwks = (await gateway.get("/.well-known/jwks.json")).json()
    assert jwks["keys"]
    assert all("d" not in key for key in jwks["keys"]), "private key material must never be published"
    claims = jwt.decode(token, options={"verify_signature": False})
    fresh = _signed_by_auth(platform_stack, {**claims, "jti": uuid.uuid4().hex})
    assert await _me(gateway, fresh) == 200, "the same claims, unexpired, are accepted"
    now = int(time.time())
    expired = _signed_by_auth(platform_stack, {**claims, "jti": uuid.uuid4().hex, "exp": now - 10, "iat": now - 100})
    response = await gateway.get("/auth/me/", headers={"Authorization": f"Bearer {expired}"})
    assert response.status_code == 401
    assert response.json() == {"detail": "El token ha expirado."}


async def test_revoked_token_is_refused_by_gateway_and_service_within_a_second(
    gateway: httpx.AsyncClient, platform_stack: Stack, token: str
) -> None:
    assert (await gateway.post("/auth/logout/", headers={"Authorization": f"Token {token}"})).status_code == 204

    async def gateway_refuses() -> bool:
        return await _me(gateway, token) == 401

    await eventually(gateway_refuses, "the gateway refuses the revoked token", seconds=1.0)
    async with httpx.AsyncClient(base_url=platform_stack.url("auth")) as direct:
        assert (await direct.get("/auth/me/", headers={"Authorization": f"Bearer {token}"})).status_code == 401


async def test_user_created_event_carries_the_request_id(gateway: httpx.AsyncClient, published: Any) -> None:
    response = await gateway.post(
        "/users/",
        json={"email": "traced@example.com", "password": "una-clave-segura"},
        headers={"X-Request-ID": "reg-trace-42"},
    )
    assert response.status_code == 200
    (found,) = [e for e in await published("auth.user.created") if e["data"]["email"] == "traced@example.com"]
    assert found["request_id"] == "reg-trace-42"
    assert found["source"] == "auth"
    assert found["type"] == "auth.user.created"
    assert set(found) >= {"id", "type", "occurred_at", "tenant_id", "source", "data"}
    assert "password" not in json.dumps(found)
