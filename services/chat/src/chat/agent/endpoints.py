"""003's `/api/agents/` (the workspace's agents) and the caller as an agent (`/api/agents/me/`).
Changing one's availability and the auto-assignment switch drain the queue: they are
`chat.assignment.endpoints`'."""

from fastapi import APIRouter

from chat.access import CanAnswer, CanSee
from chat.agent import service
from chat.agent.schemas import AgentRead
from chat.config import settings
from shared.sessions import SessionDep

router = APIRouter(prefix="/api/agents", tags=["agents"])


@router.get("/", response_model=list[AgentRead])
async def list_agents(principal: CanSee, session: SessionDep) -> list[AgentRead]:
    return await service.agents_read(session, await service.listing(session, principal.tenant_id))


@router.get("/me/", response_model=AgentRead)
async def me(principal: CanAnswer, session: SessionDep) -> AgentRead:
    agent = await service.of(session, principal, default_max=settings.default_max_chats)
    return (await service.agents_read(session, [agent]))[0]
