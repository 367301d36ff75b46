"""Who sees what inside a workspace: permissions from 004's RBAC, never role names.

`espacio:ver` (granted to `administrador` and `tecnico` by auth's migration 0004) works on
every field of the workspace; anyone else works on their own fields.
"""

from collections.abc import Awaitable, Callable

from shared.errors import PermissionDenied
from shared.security import CurrentPrincipal, Principal, RequirePermission

WHOLE_WORKSPACE = ("espacio", "ver")


def sees_whole_workspace(principal: Principal) -> bool:
    return principal.can(*WHOLE_WORKSPACE)


def require_staff(module: str, operation: str) -> Callable[..., Awaitable[Principal]]:
    """The permission, and `espacio:ver`: 004 marks these routes "admin"."""
    permission = RequirePermission(module, operation)

    async def check(principal: CurrentPrincipal) -> Principal:
        await permission(principal)
        if not sees_whole_workspace(principal):
            raise PermissionDenied()
        return principal

    return check
