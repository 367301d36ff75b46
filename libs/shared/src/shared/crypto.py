"""Secrets at rest: AES-GCM with a key derived from a deployment secret.

For what a service must read back (auth's signing keys, webhook secrets, provider API keys);
passwords are hashed instead (pwdlib, Argon2).
"""

import hashlib
import os

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = ["SecretCipher"]


class SecretCipher:
    """`seal` and `open` bytes; `purpose` binds a ciphertext to what it is (associated data)."""

    def __init__(self, secret: str, *, purpose: bytes, setting: str = "the encryption secret") -> None:
        if not secret:
            raise RuntimeError(f"{setting} is not set")
        self._aead = AESGCM(hashlib.sha256(secret.encode()).digest())
        self._purpose = purpose

    def seal(self, plaintext: bytes) -> bytes:
        nonce = os.urandom(12)
        return nonce + self._aead.encrypt(nonce, plaintext, self._purpose)

    def open(self, sealed: bytes) -> bytes:
        return self._aead.decrypt(sealed[:12], sealed[12:], self._purpose)
