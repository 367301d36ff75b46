from datetime import timedelta
from typing import Any

from fastapi import APIRouter

from auth.config import settings
from auth.keys.service import published_jwks
from shared.sessions import SessionDep

router = APIRouter(tags=["auth"])

# An RSA-2048 public key as served (RFC 7517's example modulus).
_EXAMPLE_MODULUS = (
    "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1L6tSoc_BJECPebWKRXjB"
    "ZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4QyQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8"
    "KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpbISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_"
    "xBniIqbw0Ls1jF44-csFCur-kEgU8awapJzKnqDKgw"
)


@router.get(
    "/.well-known/jwks.json",
    summary="Claves públicas de los tokens",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": {
                        "keys": [
                            {
                                "kty": "RSA",
                                "use": "sig",
                                "alg": "RS256",
                                "kid": "k1",
                                "n": _EXAMPLE_MODULUS,
                                "e": "AQAB",
                            }
                        ]
                    }
                }
            }
        }
    },
)
async def get_jwks(session: SessionDep) -> dict[str, Any]:
    """Las claves públicas (JWKS, RS256) con las que cualquiera puede verificar los tokens de acceso
    de la plataforma (público). Incluye la clave anterior mientras sus tokens sigan vigentes."""
    return await published_jwks(session, token_lifetime=timedelta(seconds=settings.access_token_seconds))
