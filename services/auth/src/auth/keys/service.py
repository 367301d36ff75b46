"""Signing keys: the active one (created on first use), rotation, and the published JWKS."""

from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from sqlalchemy.ext.asyncio import AsyncSession

from auth.keys import repository
from auth.keys.ring import KeyCipher, new_key, private_key


async def active_key(session: AsyncSession, cipher: KeyCipher) -> tuple[str, RSAPrivateKey]:
    """The newest unretired key, created on first use (one creator even with many replicas)."""
    key = await repository.newest_unretired(session)
    if key is None:
        await repository.lock(session)
        key = await repository.newest_unretired(session)
        if key is None:
            key = new_key(cipher)
            session.add(key)
            await session.flush()
    return key.kid, private_key(key, cipher)


async def rotate(session: AsyncSession, cipher: KeyCipher) -> str:
    """Retire the signing key and start a new one; old tokens stay valid until they expire."""
    await repository.lock(session)
    for key in await repository.unretired(session):
        key.retired_at = datetime.now(UTC)
    key = new_key(cipher)
    session.add(key)
    await session.flush()
    return key.kid


async def published_jwks(session: AsyncSession, *, token_lifetime: timedelta) -> dict[str, Any]:
    """Public keys that may still have unexpired tokens."""
    horizon = datetime.now(UTC) - token_lifetime
    keys = await repository.unretired_or_retired_after(session, horizon)
    return {"keys": [key.public_jwk for key in keys]}
