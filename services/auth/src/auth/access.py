"""Who may call auth's own account endpoints: people, never programs holding an API key.

A key acts on the other services' data; letting it manage keys, members, invitations or
sessions would let a leaked key mint more keys or lock its owners out.
"""

from typing import Annotated

from fastapi import Depends

from auth.errors import NotWithApiKey
from shared.errors import PermissionDenied
from shared.security import CurrentPrincipal, Principal


async def _person(principal: CurrentPrincipal) -> Principal:
    if principal.api_key_id is not None:
        raise NotWithApiKey()
    return principal


Person = Annotated[Principal, Depends(_person)]


class PersonWithPermission:
    """`Depends(PersonWithPermission("usuarios", "crear"))`: a person's token granting it (403 otherwise)."""

    def __init__(self, module: str, operation: str) -> None:
        self.module = module
        self.operation = operation

    async def __call__(self, principal: Person) -> Principal:
        if not principal.can(self.module, self.operation):
            raise PermissionDenied()
        return principal
