"""002's `/api/learned-apis`: learn an API from its OpenAPI or Swagger document, list, forget."""

from typing import Annotated

from fastapi import APIRouter, Path, Request, Response

from bots.access import AiAdmin, CanRead
from bots.errors import InvalidApiDocument
from bots.learned import service
from bots.learned.schemas import LearnedApiCreate, LearnedApiList, LearnedApiRead
from shared.errors import documented
from shared.outbound import UnsafeURL
from shared.sessions import SessionDep

router = APIRouter(prefix="/api/learned-apis", tags=["learned-apis"])

ApiId = Annotated[str, Path(pattern=r"^api_\d{1,18}$", examples=["api_1"])]


@router.get("", response_model=LearnedApiList, summary="Listar APIs aprendidas")
async def list_learned_apis(principal: CanRead, session: SessionDep) -> LearnedApiList:
    """Las APIs que el espacio aprendió (002), con cuántas operaciones tiene cada una (ia:ver)."""
    return LearnedApiList(apis=[service.as_out(api) for api in await service.listing(session, principal.tenant_id)])


@router.post(
    "",
    response_model=LearnedApiRead,
    status_code=201,
    summary="Aprender una API",
    responses=documented(InvalidApiDocument, UnsafeURL),
)
async def learn_api(
    body: LearnedApiCreate, principal: AiAdmin, session: SessionDep, request: Request
) -> LearnedApiRead:
    """Aprende una API de su documento OpenAPI o Swagger (002; administradores de la IA): cada
    operación se vuelve una herramienta (`endpoints` las cuenta). `source` es la URL del documento
    o el documento mismo; una URL interna, privada o de metadatos se rechaza (400), igual que un
    documento ilegible. `credential` se envía en cada llamada y nunca se devuelve."""
    return service.as_out(await service.create(session, principal, body, request.app.state.outbound))


@router.get("/{api_id}", response_model=LearnedApiRead, summary="Ver una API aprendida")
async def get_learned_api(api_id: ApiId, principal: CanRead, session: SessionDep) -> LearnedApiRead:
    """Una API aprendida del espacio con sus herramientas."""
    return service.as_out(await service.get(session, principal, api_id))


@router.delete("/{api_id}", status_code=204, response_class=Response, summary="Olvidar una API aprendida")
async def forget_learned_api(api_id: ApiId, principal: AiAdmin, session: SessionDep) -> Response:
    """Olvida una API: sus herramientas dejan de estar disponibles (administradores de la IA)."""
    await service.delete(session, await service.get(session, principal, api_id))
    return Response(status_code=204)
