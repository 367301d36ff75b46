"""Webhooks and metrics are the workspace's: they need `espacio:ver` (administrador, tecnico),
since a webhook receives the events of every field of the workspace."""

from typing import Annotated

from fastapi import Depends

from shared.errors import PermissionDenied
from shared.security import CurrentPrincipal, Principal


async def workspace_staff(principal: CurrentPrincipal) -> Principal:
    if not principal.can("espacio", "ver"):
        raise PermissionDenied("Se requiere el permiso espacio:ver (administrador o técnico del espacio).")
    return principal


Staff = Annotated[Principal, Depends(workspace_staff)]
