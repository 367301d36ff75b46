"""Who may do what at the desk, in 004's RBAC terms: agents (role `agente`) and the workspace's
administrators have `chat:ver/crear/actualizar`; supervising (every chat, assigning and
unassigning agents, the desk's settings) needs `chat:eliminar`, which only administrators
have. Guests carry no token: their room's guest token (see chat.guest)."""

from typing import Annotated

from fastapi import Depends

from shared.security import Principal, RequirePermission

CanSee = Annotated[Principal, Depends(RequirePermission("chat", "ver"))]
CanAnswer = Annotated[Principal, Depends(RequirePermission("chat", "actualizar"))]
Supervisor = Annotated[Principal, Depends(RequirePermission("chat", "eliminar"))]
