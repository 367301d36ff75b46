"""Signing key material: generate, seal at rest, parse, and the public half as a JWK.

RSA-2048 (RS256): every request on every service verifies a signature and only a login
signs one, and RSA verification is several times cheaper than Ed25519's (bench/auth.py).
"""

import secrets

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey, generate_private_key
from jwt.algorithms import RSAAlgorithm

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


def new_key(cipher: KeyCipher) -> SigningKey:
    """A fresh key pair as an unsaved row: the private half sealed, the public half as its JWK."""
    private = generate_private_key(public_exponent=65537, key_size=2048)
    kid = secrets.token_hex(8)
    pem = private.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return SigningKey(kid=kid, private_key=cipher.seal(pem), public_jwk=public_jwk(private, kid))


# Parsed private keys by kid: parsing a PEM costs far more than the signature itself.
_loaded: dict[str, RSAPrivateKey] = {}


def private_key(key: SigningKey, cipher: KeyCipher) -> RSAPrivateKey:
    private = _loaded.get(key.kid)
    if private is None:
        # AES-GCM already authenticated the key material: the slow RSA self-check adds nothing.
        loaded = serialization.load_pem_private_key(
            cipher.open(key.private_key), password=None, unsafe_skip_rsa_key_validation=True
        )
        assert isinstance(loaded, RSAPrivateKey)
        private = _loaded[key.kid] = loaded
    return private
