"""003's `/api/agents/` (the workspace's agents), an agent's own availability and capacity
(`/api/agents/me/`), and the desk's auto-assignment switch (supervisors)."""

from fastapi import APIRouter, Request

from chat.access import CanAnswer, CanSee, Supervisor
from chat.agents import service
from chat.agents.schemas import AgentOut, AgentPatch, AutoAssignment, AutoAssignmentIn
from chat.config import settings
from chat.live.hub import Event, commit_and_publish
from chat.rooms.service import drain_waiting
from shared.sessions import SessionDep
from shared.validation import changes

router = APIRouter(prefix="/api/agents", tags=["agents"])


@router.get("/", response_model=list[AgentOut])
async def list_agents(principal: CanSee, session: SessionDep) -> list[AgentOut]:
    return await service.agents_out(session, await service.listing(session, principal.tenant_id))


@router.get("/me/", response_model=AgentOut)
async def me(principal: CanAnswer, session: SessionDep) -> AgentOut:
    agent = await service.of(session, principal, default_max=settings.default_max_chats)
    return (await service.agents_out(session, [agent]))[0]


@router.patch("/me/", response_model=AgentOut)
async def update_me(body: AgentPatch, principal: CanAnswer, session: SessionDep, request: Request) -> AgentOut:
    """Availability and capacity. Becoming available (or taking more) lets waiting chats drain
    to the agent when auto-assignment is on; the agent's last WebSocket closing makes them
    unavailable."""
    agent = await service.of(session, principal, default_max=settings.default_max_chats, lock=True)
    await service.update(session, agent, changes(body))
    live: list[Event] = []
    await drain_waiting(session, live, agent.tenant_id)
    await session.refresh(agent)
    out = (await service.agents_out(session, [agent]))[0]
    await commit_and_publish(session, request.app.state.hub, agent.tenant_id, live)
    return out


@router.get("/auto_assignment/", response_model=AutoAssignment)
async def get_auto_assignment(principal: CanSee, session: SessionDep) -> AutoAssignment:
    return AutoAssignment(enabled=await service.auto_assign(session, principal.tenant_id))


@router.put("/auto_assignment/", response_model=AutoAssignment)
async def set_auto_assignment(
    body: AutoAssignmentIn, principal: Supervisor, session: SessionDep, request: Request
) -> AutoAssignment:
    """Off by default: new chats wait to be taken. On: they go to the least busy available agent."""
    await service.set_auto_assign(session, principal.tenant_id, body.enabled)
    live: list[Event] = []
    await drain_waiting(session, live, principal.tenant_id)
    await commit_and_publish(session, request.app.state.hub, principal.tenant_id, live)
    return AutoAssignment(enabled=body.enabled)
