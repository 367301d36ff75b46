"""FastAPI dependencies: `CurrentPrincipal`, `OptionalPrincipal`, `RequirePermission`,
`RequireWholeWorkspace`, `PlatformAdmin`."""

from typing import Annotated

from fastapi import Depends, Request
from fastapi.security import HTTPBearer

from shared.errors import NotAuthenticated, PermissionDenied
from shared.security.principal import Principal
from shared.security.verifier import TokenVerifier, parse_authorization


class _AuthorizationHeader(HTTPBearer):
    """Documents HTTP bearer in OpenAPI (Swagger's Authorize box adds `Bearer ` itself) and
    hands over the raw header: `Token <jwt>` (003's spelling) is the same credential."""

    async def __call__(self, request: Request) -> str | None:  # type: ignore[override]
        return request.headers.get("Authorization")


_authorization = _AuthorizationHeader(
    scheme_name="Bearer",
    bearerFormat="JWT o clave de API (ak_...)",
    description="`Authorization: Bearer <jwt>` (de cualquier login; `Token <jwt>` también vale) "
    "o `Authorization: Bearer ak_...` (una clave de API).",
    auto_error=False,
)


# Async although it awaits nothing: FastAPI runs a plain `def` dependency in its thread pool.
async def bearer_token(header: Annotated[str | None, Depends(_authorization)]) -> str | None:
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


class RequireWholeWorkspace:
    """`Depends(RequireWholeWorkspace())`: 403 unless the caller sees the whole workspace
    (`espacio:ver`); with a module and operation, that permission is required first (004's
    "admin" routes); `message` says what was missing."""

    def __init__(self, module: str | None = None, operation: str | None = None, *, message: str | None = None) -> None:
        self.permission = RequirePermission(module, operation) if module and operation else None
        self.message = message

    async def __call__(self, principal: CurrentPrincipal) -> Principal:
        if self.permission is not None:
            await self.permission(principal)
        if not principal.sees_whole_workspace:
            raise PermissionDenied(self.message)
        return principal


async def _platform_admin(principal: CurrentPrincipal) -> Principal:
    if not principal.platform_admin:
        raise PermissionDenied()
    return principal


PlatformAdmin = Annotated[Principal, Depends(_platform_admin)]
