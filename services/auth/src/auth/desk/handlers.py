"""chat's agents, kept for 003's login answer (`agent`): newest event wins."""

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from auth import events
from auth.models import DeskAgent
from shared.events import Envelope


async def on_agent_updated(session: AsyncSession, envelope: Envelope, event: events.AgentUpdated) -> None:
    values = {"agent_id": event.agent_id, "is_available": event.is_available,
              "current_active_chats": event.current_active_chats, "max_concurrent_chats": event.max_concurrent_chats,
              "updated_at": envelope.occurred_at}  # fmt: skip
    statement = insert(DeskAgent).values(user_id=event.user_id, **values)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=[DeskAgent.user_id], set_=values, where=DeskAgent.updated_at <= envelope.occurred_at
        )
    )
