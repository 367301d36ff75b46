from datetime import timedelta
from typing import Any

from fastapi import APIRouter

from auth.config import settings
from auth.keys.service import published_jwks
from shared.sessions import SessionDep

router = APIRouter(tags=["auth"])


@router.get("/.well-known/jwks.json")
async def jwks(session: SessionDep) -> dict[str, Any]:
    """Public keys that verify this platform's access tokens (RS256)."""
    return await published_jwks(session, token_lifetime=timedelta(seconds=settings.access_token_seconds))
