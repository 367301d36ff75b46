"""Inbound events: chat's agents, kept for 003's login answer (`agent`)."""

from sqlalchemy.ext.asyncio import AsyncSession

from auth.desk import service
from auth.events import AgentUpdated
from shared.events import Envelope


async def on_agent_updated(session: AsyncSession, envelope: Envelope, event: AgentUpdated) -> None:
    await service.record_agent(session, agent=event, as_of=envelope.occurred_at)
