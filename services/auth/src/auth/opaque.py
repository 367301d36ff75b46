"""Opaque credentials (refresh tokens, invitation tokens, API keys): random, kept only as a digest.

They carry 32 random bytes, so a plain SHA-256 is enough to store them: unlike a password,
there is nothing to guess, and a fast hash keeps a lookup by digest cheap.
"""

import hashlib
import secrets

ENTROPY_BYTES = 32


def new_secret(prefix: str = "") -> str:
    return prefix + secrets.token_urlsafe(ENTROPY_BYTES)


def digest(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()
