"""Webhooks and metrics are the workspace's: they need `espacio:ver` (administrador, tecnico),
since a webhook receives the events of every field of the workspace."""

from typing import Annotated

from fastapi import Depends

from shared.security import Principal, RequireWholeWorkspace

Staff = Annotated[
    Principal,
    Depends(RequireWholeWorkspace(message="Se requiere el permiso espacio:ver (administrador o técnico del espacio).")),
]
