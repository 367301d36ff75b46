"""004's `/api/ai/config/` (admin): the workspace's AI provider integrations."""

from fastapi import APIRouter, Response

from bots.access import AiAdmin
from bots.integration import service
from bots.integration.schemas import IntegrationCreate, IntegrationRead, IntegrationUpdate
from shared.appstate import CipherDep, OutboundPolicyDep
from shared.errors import documented
from shared.outbound import UnsafeURL
from shared.sessions import SessionDep
from shared.validation import Id

router = APIRouter(prefix="/api/ai/config", tags=["ai"])


@router.get("/", response_model=list[IntegrationRead])
async def list_integrations(principal: AiAdmin, session: SessionDep) -> list[IntegrationRead]:
    return [service.as_out(i) for i in await service.listing(session, principal)]


@router.post("/", response_model=IntegrationRead, status_code=201, responses=documented(UnsafeURL))
async def create_integration(
    body: IntegrationCreate, principal: AiAdmin, session: SessionDep, cipher: CipherDep, policy: OutboundPolicyDep
) -> IntegrationRead:
    """The API key is sealed at rest and never returned (`has_api_key` says whether one is set)."""
    integration = await service.create(session, principal, body, cipher, policy)
    return service.as_out(integration)


@router.get("/{integration_id}/", response_model=IntegrationRead)
async def get_integration(integration_id: Id, principal: AiAdmin, session: SessionDep) -> IntegrationRead:
    return service.as_out(await service.get(session, principal, integration_id))


@router.put("/{integration_id}/", response_model=IntegrationRead, responses=documented(UnsafeURL))
async def replace_integration(
    integration_id: Id,
    body: IntegrationCreate,
    principal: AiAdmin,
    session: SessionDep,
    cipher: CipherDep,
    policy: OutboundPolicyDep,
) -> IntegrationRead:
    integration = await service.get(session, principal, integration_id)
    return service.as_out(await service.update(session, integration, body, cipher, policy))


@router.patch("/{integration_id}/", response_model=IntegrationRead, responses=documented(UnsafeURL))
async def update_integration(
    integration_id: Id,
    body: IntegrationUpdate,
    principal: AiAdmin,
    session: SessionDep,
    cipher: CipherDep,
    policy: OutboundPolicyDep,
) -> IntegrationRead:
    integration = await service.get(session, principal, integration_id)
    return service.as_out(await service.update(session, integration, body, cipher, policy))


@router.delete("/{integration_id}/", status_code=204, response_class=Response)
async def delete_integration(integration_id: Id, principal: AiAdmin, session: SessionDep) -> Response:
    await service.delete(session, await service.get(session, principal, integration_id))
    return Response(status_code=204)
