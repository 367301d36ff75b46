"""Who is signed in: `UserDep` -> `ConsoleUser`, read from the API once per request.

The user, role and workspace come from `GET /auth/me/`; the permissions from the `perms`
claim of the user's own token (the same list every service checks). They decide what the nav
shows and which pages open; the API still checks every call, so a wrong guess here could only
hide a link or show a refusal, never grant anything.
"""

import base64
import binascii
import json
from collections.abc import Callable, Coroutine
from dataclasses import dataclass
from typing import Annotated, Any

from fastapi import Depends, Request

from console.errors import Forbidden
from console.gateway import GatewayDep
from shared.security.claims import unpack_permissions

__all__ = ["ConsoleUser", "UserDep", "current_user", "require", "token_claims"]


@dataclass(frozen=True)
class ConsoleUser:
    token: str
    id: int
    username: str
    email: str
    name: str
    tenant_id: int
    workspace_name: str
    role: str
    permissions: frozenset[str]
    platform_admin: bool = False

    def can(self, permission: str) -> bool:
        """`permission` is "module:operation" ("parcelas:ver"), as the API's RBAC names them."""
        return permission in self.permissions


def token_claims(token: str) -> dict[str, Any]:
    """The token's claims, unverified: the API verifies it on every call; the console only
    reads what it says about its own user."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
    except (IndexError, ValueError, binascii.Error, UnicodeError):
        return {}
    return claims if isinstance(claims, dict) else {}


def _display_name(me: dict[str, Any]) -> str:
    profile = me.get("profile") or {}
    full = " ".join(part for part in (profile.get("nombres"), profile.get("apellidos")) if part)
    return full or str(me.get("username") or me.get("email") or "")


async def current_user(request: Request, gw: GatewayDep) -> ConsoleUser:
    cached = getattr(request.state, "console_user", None)
    if isinstance(cached, ConsoleUser):
        return cached
    assert gw.token is not None
    me = await gw.get("/auth/me/")
    claims = token_claims(gw.token)
    workspace = me.get("workspace") or {}
    user = ConsoleUser(
        token=gw.token,
        id=int(me["id"]),
        username=str(me.get("username") or ""),
        email=str(me.get("email") or ""),
        name=_display_name(me),
        tenant_id=int(workspace.get("id") or claims.get("tenant") or 0),
        workspace_name=str(workspace.get("name") or ""),
        role=str(me.get("rol") or claims.get("role") or ""),
        permissions=unpack_permissions(claims.get("perms")),
        platform_admin=bool(claims.get("platform_admin")),
    )
    request.state.console_user = user
    return user


UserDep = Annotated[ConsoleUser, Depends(current_user)]


def require(permission: str) -> Callable[[ConsoleUser], Coroutine[Any, Any, ConsoleUser]]:
    """A dependency: the user, when they hold `permission`; else a 403 page.

    `user: Annotated[ConsoleUser, Depends(require("parcelas:ver"))]`
    """

    async def dependency(user: UserDep) -> ConsoleUser:
        if not user.can(permission):
            raise Forbidden()
        return user

    return dependency
