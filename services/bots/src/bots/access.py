"""Who may do what here, in 004's RBAC terms: chatting needs `ia:crear`, reading `ia:ver`;
a workspace's integrations, settings and budget need `ia:actualizar` (its administrators);
bots are managed under the `bots` module."""

from typing import Annotated

from fastapi import Depends

from shared.security import Principal, RequirePermission

CanChat = Annotated[Principal, Depends(RequirePermission("ia", "crear"))]
CanRead = Annotated[Principal, Depends(RequirePermission("ia", "ver"))]
AiAdmin = Annotated[Principal, Depends(RequirePermission("ia", "actualizar"))]
CanSeeBots = Annotated[Principal, Depends(RequirePermission("bots", "ver"))]
CanCreateBots = Annotated[Principal, Depends(RequirePermission("bots", "crear"))]
CanChangeBots = Annotated[Principal, Depends(RequirePermission("bots", "actualizar"))]
