"""Access tokens: RS256 JWTs with the claims every service reads."""

import time
import uuid
from dataclasses import dataclass

import jwt
from sqlalchemy.ext.asyncio import AsyncSession

from auth.config import settings
from auth.keys.ring import ALGORITHM, KeyCipher, active_key
from auth.models import User
from auth.rbac.repository import permission_names


@dataclass(frozen=True)
class IssuedToken:
    token: str
    expires_in: int


async def issue(session: AsyncSession, user: User) -> IssuedToken:
    kid, private_key = await active_key(session, KeyCipher(settings.key_encryption_secret))
    now = int(time.time())
    claims = {
        "iss": settings.jwt_issuer,
        "sub": str(user.id),
        "tenant": str(user.tenant_id),
        "role": user.role,
        "perms": await permission_names(session, user.role),
        "platform_admin": user.is_platform_admin,
        "jti": uuid.uuid4().hex,
        "iat": now,
        "exp": now + settings.access_token_seconds,
    }
    token = jwt.encode(claims, private_key, algorithm=ALGORITHM, headers={"kid": kid})
    return IssuedToken(token=token, expires_in=settings.access_token_seconds)
