"""chat's agents as auth keeps them, for 003's login answer (`agent`)."""

from datetime import datetime

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from auth.events import AgentUpdated
from auth.models import DeskAgent


async def record_agent(session: AsyncSession, *, agent: AgentUpdated, as_of: datetime) -> None:
    """Newest wins: an update older than the stored one changes nothing."""
    values = {"agent_id": agent.agent_id, "is_available": agent.is_available,
              "current_active_chats": agent.current_active_chats, "max_concurrent_chats": agent.max_concurrent_chats,
              "updated_at": as_of}  # fmt: skip
    statement = insert(DeskAgent).values(user_id=agent.user_id, **values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[DeskAgent.user_id], set_=values, where=DeskAgent.updated_at <= as_of
        )
    )
