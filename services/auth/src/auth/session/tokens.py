"""Access tokens: RS256 JWTs with the claims every service reads."""

import math
import time
import uuid
from dataclasses import dataclass

import jwt
from sqlalchemy.ext.asyncio import AsyncSession

from auth.config import settings
from auth.keys.ring import ALGORITHM, KeyCipher
from auth.keys.service import active_key
from auth.models import User
from auth.rbac.repository import permission_names
from shared.security.claims import pack_permissions


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_in: int


async def issue(session: AsyncSession, user: User, *, session_id: str) -> IssuedToken:
    kid, private_key = await active_key(session, KeyCipher(settings.key_encryption_secret))
    # Sub-second: a re-login right after a role change (which refuses every token issued up
    # to that instant) must be newer than it. Milliseconds rounded down, never in the future.
    now = math.floor(time.time() * 1000) / 1000
    claims = {
        "iss": settings.jwt_issuer,
        "sub": str(user.id),
        "tenant": str(user.tenant_id),
        "role": user.role,
        "perms": pack_permissions(await permission_names(session, user.role)),
        "platform_admin": user.is_platform_admin,
        "jti": uuid.uuid4().hex,
        "sid": session_id,
        "iat": now,
        "exp": int(now) + settings.access_token_seconds,
    }
    token = jwt.encode(claims, private_key, algorithm=ALGORITHM, headers={"kid": kid})
    return IssuedToken(token=token, expires_in=settings.access_token_seconds)
