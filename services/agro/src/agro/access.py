"""Who sees what inside a workspace."""

from collections.abc import Awaitable, Callable

from shared.errors import PermissionDenied
from shared.security import CurrentPrincipal, Principal, RequirePermission

# Roles that work on every field of their workspace; anyone else works on their own fields.
STAFF_ROLES = frozenset({"administrador", "tecnico"})


def sees_whole_workspace(principal: Principal) -> bool:
    return principal.role in STAFF_ROLES


def require_staff(module: str, operation: str) -> Callable[..., Awaitable[Principal]]:
    """The permission, and a staff role: 004 marks these routes "admin"."""
    permission = RequirePermission(module, operation)

    async def check(principal: CurrentPrincipal) -> Principal:
        await permission(principal)
        if not sees_whole_workspace(principal):
            raise PermissionDenied()
        return principal

    return check
