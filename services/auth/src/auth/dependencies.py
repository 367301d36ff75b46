"""auth's own dependencies on top of the shared ones."""

from typing import Annotated

from fastapi import Depends

from auth.account import repository as accounts
from shared.errors import PermissionDenied
from shared.security import CurrentPrincipal, Principal
from shared.sessions import SessionDep


async def _platform_admin(principal: CurrentPrincipal, session: SessionDep) -> Principal:
    """Global data (every tenant's, or the role catalogue all tenants share) is for platform admins."""
    user = await accounts.get(session, int(principal.user_id))
    if user is None or not user.is_platform_admin:
        raise PermissionDenied()
    return principal


PlatformAdmin = Annotated[Principal, Depends(_platform_admin)]
