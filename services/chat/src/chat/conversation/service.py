"""000's chats over the desk's rooms: a workspace's, a page at a time; one opened by staff for
a contact (it starts waiting, like a guest's); its priority changed; one deleted with its
messages and notifications."""

import uuid
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from chat import transcript
from chat.agent import service as agents
from chat.hub import Event
from chat.models import ChatUser, Room
from chat.room import service as rooms
from chat.room import views
from chat.room.lifecycle import opened
from chat.room.schemas import RoomRead
from shared.security import Principal


async def page(
    session: AsyncSession, principal: Principal, *, status: str | None, page: int, page_size: int
) -> tuple[int, list[RoomRead]]:
    """(how many in all, this page's chats without their messages)."""
    found, pagination = await rooms.page(session, rooms.filtered(principal.tenant_id, status=status), page, page_size)
    return pagination.total_chats, await views.rooms_read(session, found, with_messages=False)


async def get(session: AsyncSession, principal: Principal, chat_id: uuid.UUID) -> RoomRead:
    return await views.room_read(session, await rooms.get(session, principal.tenant_id, chat_id))


async def open_for_contact(
    session: AsyncSession, live: list[Event], *, principal: Principal, values: dict[str, Any]
) -> RoomRead:
    """A chat staff opened for a contact: waiting, without a guest token."""
    tenant_id = principal.tenant_id
    user = ChatUser(tenant_id=tenant_id, full_name=values["full_name"], email=str(values["email"]),
                    phone_number=values.get("phone_number", ""))  # fmt: skip
    session.add(user)
    await session.flush()
    room = Room(id=uuid.uuid4(), tenant_id=tenant_id, chat_user_id=user.id, initial_message=values["initial_message"],
                status="waiting", priority=values.get("priority", "medium"), address="")  # fmt: skip
    session.add(room)
    await session.flush()
    await transcript.add(session, live, room, room.initial_message, sender="user")
    await opened(session, live, room)
    return await views.room_read(session, room)


async def update(
    session: AsyncSession, principal: Principal, chat_id: uuid.UUID, *, values: dict[str, Any]
) -> RoomRead:
    room = await rooms.get(session, principal.tenant_id, chat_id, lock=True)
    for name, value in values.items():
        setattr(room, name, value)
    await session.flush()
    await session.refresh(room)
    return await views.room_read(session, room)


async def delete(session: AsyncSession, principal: Principal, chat_id: uuid.UUID) -> None:
    """With its messages and notifications; its agent's count is recounted."""
    room = await rooms.get(session, principal.tenant_id, chat_id, lock=True)
    agent_id = room.agent_id
    await session.delete(room)
    await session.flush()
    if agent_id is not None:
        await agents.recount(session, await agents.in_workspace(session, room.tenant_id, agent_id, lock=True))
