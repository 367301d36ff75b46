"""FastAPI dependencies: `CurrentPrincipal`, `OptionalPrincipal`, `RequirePermission`, `PlatformAdmin`."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import APIKeyHeader

from shared.errors import NotAuthenticated, PermissionDenied
from shared.security.principal import Principal
from shared.security.verifier import TokenVerifier, parse_authorization

# Documents the header in OpenAPI; "Bearer <jwt>" and "Token <jwt>" are the same credential.
_authorization = APIKeyHeader(
    name="Authorization",
    auto_error=False,
    description="`Bearer <jwt>` or `Token <jwt>`",
)


def bearer_token(header: Annotated[str | None, Depends(_authorization)]) -> str | None:
    return parse_authorization(header)


async def _optional_principal(
    request: Request, token: Annotated[str | None, Depends(bearer_token)]
) -> Principal | None:
    if token is None:
        return None
    verifier: TokenVerifier = request.app.state.verifier
    return await verifier.verify(token)


async def _current_principal(
    principal: Annotated[Principal | None, Depends(_optional_principal)],
) -> Principal:
    if principal is None:
        raise NotAuthenticated()
    return principal


CurrentPrincipal = Annotated[Principal, Depends(_current_principal)]
OptionalPrincipal = Annotated[Principal | None, Depends(_optional_principal)]


class RequirePermission:
    """`Depends(RequirePermission("parcelas", "crear"))`: 403 unless the role grants it."""

    def __init__(self, module: str, operation: str) -> None:
        self.module = module
        self.operation = operation

    async def __call__(self, principal: CurrentPrincipal) -> Principal:
        if not principal.can(self.module, self.operation):
            raise PermissionDenied()
        return principal


async def _platform_admin(principal: CurrentPrincipal) -> Principal:
    if not principal.platform_admin:
        raise PermissionDenied()
    return principal


PlatformAdmin = Annotated[Principal, Depends(_platform_admin)]
