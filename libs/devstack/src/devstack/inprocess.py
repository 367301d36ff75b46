"""The fast tier: a service's app in this process over ASGI, each test inside a rolled-back transaction.

No uvicorn, no NATS, no other service: for logic that needs the database and the HTTP layer
but not the rest of the platform. Tokens are signed with a key made here, and the app's
verifier trusts it.
"""

import contextlib
import time
import uuid
from collections.abc import AsyncIterator, Iterable
from dataclasses import dataclass

import httpx
import jwt
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, generate_private_key
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.db import create_engine
from shared.security import TokenVerifier

_KID = "in-process"


@dataclass
class InProcess:
    client: httpx.AsyncClient
    session: AsyncSession  # the same transaction the app's requests run in
    key: RSAPrivateKey

    def token(self, *, tenant: int, role: str, permissions: Iterable[str] = (), user_id: int = 1) -> str:
        now = int(time.time())
        claims = {
            "iss": "platform-auth", "sub": str(user_id), "tenant": str(tenant), "role": role,
            "perms": sorted(permissions), "jti": uuid.uuid4().hex, "iat": now, "exp": now + 600,
        }  # fmt: skip
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": _KID})


@contextlib.asynccontextmanager
async def in_process(app: FastAPI, *, database_url: str, schema: str) -> AsyncIterator[InProcess]:
    """`app` served over ASGI; every commit it makes lands in a savepoint, rolled back at the end."""
    engine = create_engine(database_url, schema=schema, pool_size=1)
    key = generate_private_key(public_exponent=65537, key_size=2048)
    verifier = TokenVerifier("http://unused", issuer="platform-auth")
    verifier.install_keys(
        {"keys": [{**jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key(), as_dict=True), "kid": _KID}]}
    )
    async with engine.connect() as connection:
        outer = await connection.begin()
        sessions = async_sessionmaker(
            connection, expire_on_commit=False, autoflush=False, join_transaction_mode="create_savepoint"
        )
        app.state.sessionmaker = sessions
        app.state.verifier = verifier
        transport = httpx.ASGITransport(app=app)
        try:
            async with sessions() as session, httpx.AsyncClient(transport=transport, base_url="http://app") as client:
                yield InProcess(client, session, key)
        finally:
            await outer.rollback()
            await verifier.aclose()
    await engine.dispose()
