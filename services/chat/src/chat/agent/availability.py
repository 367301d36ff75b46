"""What lets waiting chats drain to agents: an agent becoming available or taking more, and a
supervisor switching the workspace's auto-assignment on (the room lifecycle's `drain_waiting`)."""

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from chat.agent import service
from chat.agent.schemas import AgentRead
from chat.hub import Event
from chat.room.lifecycle import drain_waiting
from shared.security import Principal


async def update_own(
    session: AsyncSession, live: list[Event], *, principal: Principal, values: dict[str, Any], default_max: int
) -> AgentRead:
    """The caller's availability and capacity; then waiting chats may drain to them."""
    agent = await service.of(session, principal, default_max=default_max, lock=True)
    await service.update(session, agent, values)
    await drain_waiting(session, live, agent.tenant_id)
    await session.refresh(agent)
    return (await service.agents_read(session, [agent]))[0]


async def set_auto_assignment(session: AsyncSession, live: list[Event], *, tenant_id: int, enabled: bool) -> None:
    """Off by default: new chats wait to be taken. On: the queue drains at once."""
    await service.set_auto_assign(session, tenant_id, enabled)
    await drain_waiting(session, live, tenant_id)
