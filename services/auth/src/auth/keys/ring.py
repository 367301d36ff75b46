"""Signing keys: generate, encrypt at rest, publish the public halves as a JWKS."""

import base64
import hashlib
import os
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import or_, select, text
from sqlalchemy.ext.asyncio import AsyncSession

from auth.models import SigningKey


class KeyCipher:
    """AES-GCM with a key derived from the deployment's secret."""

    def __init__(self, secret: str) -> None:
        if not secret:
            raise RuntimeError("AUTH_KEY_ENCRYPTION_SECRET is not set")
        self._aead = AESGCM(hashlib.sha256(secret.encode()).digest())

    def seal(self, plaintext: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, plaintext, b"signing-key")

    def open(self, sealed: bytes) -> bytes:
        return self._aead.decrypt(sealed[:12], sealed[12:], b"signing-key")


def _b64url(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _new_key(cipher: KeyCipher) -> SigningKey:
    private = Ed25519PrivateKey.generate()
    public_raw = private.public_key().public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    kid = secrets.token_hex(8)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": _b64url(public_raw), "kid": kid, "use": "sig", "alg": "EdDSA"}
    return SigningKey(kid=kid, private_key=cipher.seal(pem), public_jwk=jwk)


async def active_key(session: AsyncSession, cipher: KeyCipher) -> tuple[str, Ed25519PrivateKey]:
    """The newest unretired key, created on first use (one creator even with many replicas)."""
    await session.execute(text("SELECT pg_advisory_xact_lock(hashtext('auth.signing_keys'))"))
    key = await session.scalar(
        select(SigningKey).where(SigningKey.retired_at.is_(None)).order_by(SigningKey.created_at.desc()).limit(1)
    )
    if key is None:
        key = _new_key(cipher)
        session.add(key)
        await session.flush()
    private = serialization.load_pem_private_key(cipher.open(key.private_key), password=None)
    assert isinstance(private, Ed25519PrivateKey)
    return key.kid, private


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
