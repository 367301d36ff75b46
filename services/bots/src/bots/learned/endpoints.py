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


@router.get("", response_model=LearnedApiList)
async def list_apis(principal: CanRead, session: SessionDep) -> LearnedApiList:
    return LearnedApiList(apis=[service.as_out(api) for api in await service.listing(session, principal.tenant_id)])


@router.post("", response_model=LearnedApiRead, status_code=201, responses=documented(InvalidApiDocument, UnsafeURL))
async def learn_api(
    body: LearnedApiCreate, principal: AiAdmin, session: SessionDep, request: Request
) -> LearnedApiRead:
    """Aprender API: each operation becomes a tool (`endpoints` counts them). A URL is fetched
    through the SSRF guard: no loopback, private, link-local or metadata target, however written."""
    return service.as_out(await service.create(session, principal, body, request.app.state.outbound))


@router.get("/{api_id}", response_model=LearnedApiRead)
async def get_api(api_id: ApiId, principal: CanRead, session: SessionDep) -> LearnedApiRead:
    return service.as_out(await service.get(session, principal, api_id))


@router.delete("/{api_id}", status_code=204, response_class=Response)
async def forget_api(api_id: ApiId, principal: AiAdmin, session: SessionDep) -> Response:
    await service.delete(session, await service.get(session, principal, api_id))
    return Response(status_code=204)
