"""The verifier against a JWKS server on loopback: a flood of unknown `kid`s is refused at once."""

import asyncio
import time

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from fastapi import FastAPI
from fastapi.responses import JSONResponse

from devstack.pytest_plugin import serve_in_thread
from shared.errors import NotAuthenticated, ServiceUnavailable
from shared.security import TokenVerifier


async def test_unknown_kids_do_not_queue_behind_the_refresh_cooldown() -> None:
    fetches: list[float] = []
    app = FastAPI()

    @app.get("/.well-known/jwks.json")
    async def jwks() -> dict[str, list[object]]:
        fetches.append(time.monotonic())
        return {"keys": []}

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with serve_in_thread(app) as url:
        verifier = TokenVerifier(f"{url}/.well-known/jwks.json", issuer="platform-auth")
        try:

            async def attempt(n: int) -> float:
                token = jwt.encode({"sub": "1"}, key, algorithm="RS256", headers={"kid": f"junk-{n}"})
                started = time.monotonic()
                with pytest.raises(NotAuthenticated):
                    await verifier.verify(token)
                return time.monotonic() - started

            # Sequentially, as the issue found them: 0, 1, 2 and 3 s before this change.
            waits = [await attempt(n) for n in range(4)]
            assert max(waits) < 0.5, waits
            assert len(fetches) == 1  # one JWKS fetch per cooldown still: junk cannot flood auth
            waits = await asyncio.gather(*(attempt(n) for n in range(4, 8)))
            assert max(waits) < 0.5, waits
        finally:
            await verifier.aclose()


async def test_made_up_api_keys_cost_auth_little() -> None:
    lookups: list[str] = []
    app = FastAPI()

    @app.post("/internal/api-keys/verify")
    async def verify(body: dict[str, str]) -> JSONResponse:
        lookups.append(body["key"])
        return JSONResponse({"detail": "no"}, status_code=401)

    with serve_in_thread(app) as url:
        verifier = TokenVerifier(f"{url}/.well-known/jwks.json", issuer="platform-auth")
        try:
            for junk in ["ak_short", "ak_" + "x" * 200, "ak_" + "é" * 43]:  # cannot be keys: nobody is asked
                with pytest.raises(NotAuthenticated):
                    await verifier.verify(junk)
            assert lookups == []
            refused = 0
            for n in range(60):  # each one new, as a flood of guesses would be
                try:
                    await verifier.verify(f"ak_{n:043d}")
                except NotAuthenticated:
                    pass
                except ServiceUnavailable:
                    refused += 1
            assert len(lookups) <= 25  # the per-second budget (20), whatever the flood
            assert refused >= 35
            with pytest.raises(NotAuthenticated):  # an unknown key already asked about: remembered
                await verifier.verify(lookups[0])
        finally:
            await verifier.aclose()
