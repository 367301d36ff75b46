"""003's `/api/messages/...`: an agent's messages and read state (`send_guest_message` is the
guest's, with their guest token)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request

from chat.access import CanAnswer, CanSee
from chat.agents import service as agents
from chat.config import settings
from chat.guests.endpoints import GuestToken, send_as_guest
from chat.guests.schemas import GuestMessageIn
from chat.live.hub import Event, commit_and_publish
from chat.messages import service
from chat.messages.schemas import (
    BulkIn,
    BulkOut,
    ByChatOut,
    ChatReadIn,
    ChatReadOut,
    MarkedOne,
    MessageIn,
    ReadState,
    RecentOut,
    UnreadOut,
)
from chat.rooms import service as rooms
from chat.rooms.schemas import MessageOut
from shared.sessions import SessionDep

router = APIRouter(prefix="/api/messages", tags=["messages"])


@router.post("/", response_model=MessageOut, status_code=201)
async def send(body: MessageIn, principal: CanAnswer, session: SessionDep, request: Request) -> MessageOut:
    room = await rooms.get(session, principal.tenant_id, body.chat_room_id, lock=True)
    agent = await agents.of(session, principal, default_max=settings.default_max_chats)
    rooms.may_handle(room, agent, principal.can("chat", "eliminar"))
    live: list[Event] = []
    message = await service.add(session, live, room, body.content, sender="agent", agent=agent,
                                message_type=body.message_type, attachment=body.attachment)  # fmt: skip
    briefed = await rooms.briefs(session, {agent.id})
    await commit_and_publish(session, request.app.state.hub, room.tenant_id, live)
    return rooms.message_out(message, briefed, None)


@router.post("/send_guest_message/", response_model=MessageOut, status_code=201)
async def send_guest_message(
    body: GuestMessageIn, session: SessionDep, request: Request, token: GuestToken = None
) -> MessageOut:
    """The guest's message (needs `X-Guest-Token`), like `/api/chat/send_message/`."""
    return await send_as_guest(body, token, session, request)


@router.post("/mark_bulk_read/", response_model=BulkOut)
async def mark_bulk_read(body: BulkIn, principal: CanAnswer, session: SessionDep, request: Request) -> BulkOut:
    """Of the ids sent, the workspace's guest messages are marked read."""
    requested = list(dict.fromkeys(body.message_ids))
    found = await service.of_workspace(session, principal.tenant_id, requested)
    live: list[Event] = []
    changed = 0
    for room_id, ids in found.items():
        room = await rooms.get(session, principal.tenant_id, room_id)
        changed += len(await service.mark_read(session, live, room, reader="agent", ids=ids))
    await commit_and_publish(session, request.app.state.hub, principal.tenant_id, live)
    valid = sum(len(ids) for ids in found.values())
    return BulkOut(message=f"{changed} mensajes marcados como leídos", updated_count=changed,
                   total_requested=len(requested), valid_messages=valid)  # fmt: skip


@router.post("/mark_chat_read/", response_model=ChatReadOut)
async def mark_chat_read(body: ChatReadIn, principal: CanAnswer, session: SessionDep, request: Request) -> ChatReadOut:
    room = await rooms.get(session, principal.tenant_id, body.chat_room_id)
    live: list[Event] = []
    changed = len(await service.mark_read(session, live, room, reader="agent"))
    await commit_and_publish(session, request.app.state.hub, room.tenant_id, live)
    return ChatReadOut(message=f"{changed} mensajes marcados como leídos", updated_count=changed, chat_room_id=room.id)


@router.get("/unread_count/", response_model=UnreadOut)
async def unread_count(
    chat_room_id: Annotated[uuid.UUID, Query()], principal: CanSee, session: SessionDep
) -> UnreadOut:
    room = await rooms.get(session, principal.tenant_id, chat_room_id)
    return UnreadOut(unread_count=(await service.unread_count(session, [room.id], reader="agent")).get(room.id, 0))


@router.get("/by_chat/", response_model=ByChatOut)
async def by_chat(
    chat_room_id: Annotated[uuid.UUID, Query()], principal: CanAnswer, session: SessionDep, request: Request
) -> ByChatOut:
    """The room's messages; the guest's unread ones are marked read (`auto_marked_read`)."""
    room = await rooms.get(session, principal.tenant_id, chat_room_id)
    live: list[Event] = []
    marked = len(await service.mark_read(session, live, room, reader="agent"))
    out = await rooms.messages_out(session, room)
    await commit_and_publish(session, request.app.state.hub, room.tenant_id, live)
    return ByChatOut(chat_room_id=room.id, messages=[m.model_dump(mode="json") for m in out], total_messages=len(out),
                     auto_marked_read=marked, chat_status=room.status)  # fmt: skip


@router.get("/recent_chats/", response_model=RecentOut)
async def recent_chats(
    principal: CanAnswer, session: SessionDep, limit: Annotated[int, Query(ge=1, le=100)] = 10
) -> RecentOut:
    """The latest messages of the caller's chats, newest first."""
    agent = await agents.of(session, principal, default_max=settings.default_max_chats)
    found = await service.recent(session, agent.id, limit)
    out = [rooms.message_out(m, {}, None).model_dump(mode="json") for m in found]
    return RecentOut(recent_messages=out, total_returned=len(out))


@router.post("/{message_id}/mark_read/", response_model=MarkedOne)
async def mark_read(message_id: uuid.UUID, principal: CanAnswer, session: SessionDep, request: Request) -> MarkedOne:
    message = await service.get(session, principal.tenant_id, message_id)
    room = await rooms.get(session, principal.tenant_id, message.room_id)
    live: list[Event] = []
    await service.mark_read(session, live, room, reader="agent", ids=[message.id])
    await session.refresh(message)
    state = ReadState(id=message.id, is_read=message.is_read, read_at=message.read_at)
    await commit_and_publish(session, request.app.state.hub, room.tenant_id, live)
    return MarkedOne(data=state)
