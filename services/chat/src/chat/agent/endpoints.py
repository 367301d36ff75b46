"""003's `/api/agents/` (the workspace's agents), an agent's own availability and capacity
(`/api/agents/me/`), and the desk's auto-assignment switch (supervisors)."""

from fastapi import APIRouter

from chat.access import CanAnswer, CanSee, Supervisor
from chat.agent import availability, service
from chat.agent.schemas import AgentRead, AgentUpdate, AutoAssignmentRead, AutoAssignmentUpdate
from chat.config import settings
from chat.hub import Event
from chat.sessions import LiveSessionDep, publish_after_commit
from shared.sessions import SessionDep
from shared.validation import changes

router = APIRouter(prefix="/api/agents", tags=["agents"])


@router.get("/", response_model=list[AgentRead])
async def list_agents(principal: CanSee, session: SessionDep) -> list[AgentRead]:
    return await service.agents_read(session, await service.listing(session, principal.tenant_id))


@router.get("/me/", response_model=AgentRead)
async def me(principal: CanAnswer, session: SessionDep) -> AgentRead:
    agent = await service.of(session, principal, default_max=settings.default_max_chats)
    return (await service.agents_read(session, [agent]))[0]


@router.patch("/me/", response_model=AgentRead)
async def update_me(body: AgentUpdate, principal: CanAnswer, session: LiveSessionDep) -> AgentRead:
    """Availability and capacity. Becoming available (or taking more) lets waiting chats drain
    to the agent when auto-assignment is on; the agent's last WebSocket closing makes them
    unavailable."""
    live: list[Event] = []
    out = await availability.update_own(
        session, live, principal=principal, values=changes(body), default_max=settings.default_max_chats
    )
    publish_after_commit(session, principal.tenant_id, live)
    return out


@router.get("/auto_assignment/", response_model=AutoAssignmentRead)
async def get_auto_assignment(principal: CanSee, session: SessionDep) -> AutoAssignmentRead:
    return AutoAssignmentRead(enabled=await service.auto_assign(session, principal.tenant_id))


@router.put("/auto_assignment/", response_model=AutoAssignmentRead)
async def set_auto_assignment(
    body: AutoAssignmentUpdate, principal: Supervisor, session: LiveSessionDep
) -> AutoAssignmentRead:
    """Off by default: new chats wait to be taken. On: they go to the least busy available agent."""
    live: list[Event] = []
    await availability.set_auto_assignment(session, live, tenant_id=principal.tenant_id, enabled=body.enabled)
    publish_after_commit(session, principal.tenant_id, live)
    return AutoAssignmentRead(enabled=body.enabled)
