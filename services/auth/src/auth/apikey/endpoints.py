"""`/api/v1/api-keys/`: keys for programs (002's `AgentClient(api_key=...)`), and their verification."""

from typing import Annotated

from fastapi import APIRouter, Depends, Path, Request, Response

from auth.access import PersonWithPermission
from auth.apikey import service
from auth.apikey.schemas import (
    ApiKeyCreate,
    ApiKeyRead,
    ApiKeyVerificationCreate,
    ApiKeyVerificationRead,
    NewApiKeyRead,
)
from auth.errors import NotWithApiKey, PermissionsNotHeld
from auth.revoking import refuse_key
from shared.errors import InvalidRequest, NotAuthenticated, documented
from shared.pagination import Page, Pagination, build_page
from shared.security import Principal
from shared.sessions import SessionDep
from shared.validation import Text

router = APIRouter(prefix="/api/v1/api-keys", tags=["api-keys"])
internal = APIRouter(include_in_schema=False)

CanCreate = Annotated[Principal, Depends(PersonWithPermission("usuarios", "crear"))]
CanView = Annotated[Principal, Depends(PersonWithPermission("usuarios", "ver"))]
CanRevoke = Annotated[Principal, Depends(PersonWithPermission("usuarios", "eliminar"))]
KeyId = Annotated[Text, Path(max_length=32)]


@router.post(
    "/",
    response_model=NewApiKeyRead,
    status_code=201,
    summary="Crear una clave de API",
    responses=documented(InvalidRequest, PermissionsNotHeld, NotWithApiKey),
)
async def create_api_key(body: ApiKeyCreate, principal: CanCreate, session: SessionDep) -> NewApiKeyRead:
    """Crea una clave de API para programas, con un rol o con una parte de los permisos de quien la
    crea (usuarios/crear; una persona, no otra clave). Actúa en nombre de quien la creó. La
    respuesta es la única vez que se muestra la clave (`key`): úsela como `Authorization: Bearer
    <key>`. Un permiso que quien la crea no tiene: 403."""
    row, key = await service.create(session, principal, body)
    return NewApiKeyRead.model_validate({**ApiKeyRead.model_validate(row).model_dump(), "key": key})


@router.get("/", response_model=Page[ApiKeyRead], summary="Listar claves de API", responses=documented(NotWithApiKey))
async def list_api_keys(
    principal: CanView, session: SessionDep, request: Request, params: Pagination
) -> Page[ApiKeyRead]:
    """Las claves del espacio, las más nuevas primero, incluidas las revocadas; de cada una solo
    sus primeros caracteres (`prefix`), nunca la clave (usuarios/ver)."""
    count, rows = await service.page(session, principal.tenant_id, params)
    return build_page(request, params, count=count, results=rows, item=ApiKeyRead)


@router.delete(
    "/{key_id}/",
    status_code=204,
    response_class=Response,
    summary="Revocar una clave de API",
    responses=documented(NotWithApiKey),
)
async def revoke_api_key(key_id: KeyId, principal: CanRevoke, session: SessionDep, request: Request) -> Response:
    """Revoca una clave: todos los servicios la rechazan al instante (usuarios/eliminar)."""
    response = Response(status_code=204)
    refuse_key(request, response, await service.revoke(session, principal, key_id))
    return response


@internal.post(
    "/internal/api-keys/verify", response_model=ApiKeyVerificationRead, responses=documented(NotAuthenticated)
)
async def verify_api_key(body: ApiKeyVerificationCreate, session: SessionDep) -> ApiKeyVerificationRead:
    """For the services' verifiers (not routed by the gateway): who a key acts as, or 401."""
    return await service.verify(session, body.key)
