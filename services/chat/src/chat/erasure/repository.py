"""Finding everything of one guest of one workspace, locked."""

import uuid
from collections.abc import Sequence

from sqlalchemy import Row, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from chat.models import ChatUser, Room


async def guests_by_email(session: AsyncSession, tenant_id: int, email: str) -> Sequence[int]:
    """The workspace's contact records with that email (any case), locked."""
    return (
        await session.scalars(
            select(ChatUser.id)
            .where(ChatUser.tenant_id == tenant_id, func.lower(ChatUser.email) == email.lower())
            .order_by(ChatUser.id).with_for_update()
        )
    ).all()  # fmt: skip


async def rooms_of(session: AsyncSession, guest_ids: Sequence[int]) -> Sequence[Row[uuid.UUID, int | None, str]]:
    """(id, agent_id, status) of the guests' rooms, locked (rooms before agents, as every move locks)."""
    return (
        await session.execute(
            select(Room.id, Room.agent_id, Room.status)
            .where(Room.chat_user_id.in_(guest_ids)).order_by(Room.id).with_for_update()
        )
    ).all()  # fmt: skip
