"""Signing keys: generate, encrypt at rest, publish the public halves as a JWKS.

RSA-2048 (RS256): every request on every service verifies a signature and only a login
signs one, and RSA verification is several times cheaper than Ed25519's (bench/auth.py).
"""

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, generate_private_key
from jwt.algorithms import RSAAlgorithm
from sqlalchemy import or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from auth.models import SigningKey
from shared.crypto import SecretCipher


class KeyCipher(SecretCipher):
    """Signing keys sealed with `AUTH_KEY_ENCRYPTION_SECRET`."""

    def __init__(self, secret: str) -> None:
        super().__init__(secret, purpose=b"signing-key", setting="AUTH_KEY_ENCRYPTION_SECRET")


ALGORITHM = "RS256"


def public_jwk(private: RSAPrivateKey, kid: str) -> dict[str, str]:
    jwk: dict[str, str] = RSAAlgorithm.to_jwk(private.public_key(), as_dict=True)
    return {**jwk, "kid": kid, "use": "sig", "alg": ALGORITHM}


def _new_key(cipher: KeyCipher) -> SigningKey:
    private = generate_private_key(public_exponent=65537, key_size=2048)
    kid = secrets.token_hex(8)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return SigningKey(kid=kid, private_key=cipher.seal(pem), public_jwk=public_jwk(private, kid))


# Parsed private keys by kid: parsing a PEM costs far more than the signature itself.
_loaded: dict[str, RSAPrivateKey] = {}


async def active_key(session: AsyncSession, cipher: KeyCipher) -> tuple[str, RSAPrivateKey]:
    """The newest unretired key, created on first use (one creator even with many replicas)."""
    key = await _newest(session)
    if key is None:
        await session.execute(text("SELECT pg_advisory_xact_lock(hashtext('auth.signing_keys'))"))
        key = await _newest(session)
        if key is None:
            key = _new_key(cipher)
            session.add(key)
            await session.flush()
    private = _loaded.get(key.kid)
    if private is None:
        # AES-GCM already authenticated the key material: the slow RSA self-check adds nothing.
        loaded = serialization.load_pem_private_key(
            cipher.open(key.private_key), password=None, unsafe_skip_rsa_key_validation=True
        )
        assert isinstance(loaded, RSAPrivateKey)
        private = _loaded[key.kid] = loaded
    return key.kid, private


async def _newest(session: AsyncSession) -> SigningKey | None:
    return await session.scalar(
        select(SigningKey).where(SigningKey.retired_at.is_(None)).order_by(SigningKey.created_at.desc()).limit(1)
    )


async def rotate(session: AsyncSession, cipher: KeyCipher) -> str:
    """Retire the signing key and start a new one; old tokens stay valid until they expire."""
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext('auth.signing_keys'))"))
    for key in await session.scalars(select(SigningKey).where(SigningKey.retired_at.is_(None))):
        key.retired_at = datetime.now(UTC)
    key = _new_key(cipher)
    session.add(key)
    await session.flush()
    return key.kid


async def published_jwks(session: AsyncSession, *, token_lifetime: timedelta) -> dict[str, Any]:
    """Public keys that may still have unexpired tokens."""
    horizon = datetime.now(UTC) - token_lifetime
    keys = await session.scalars(
        select(SigningKey)
        .where(or_(SigningKey.retired_at.is_(None), SigningKey.retired_at > horizon))
        .order_by(SigningKey.created_at.desc())
    )
    return {"keys": [key.public_jwk for key in keys]}
