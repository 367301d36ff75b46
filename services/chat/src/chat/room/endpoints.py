"""003's `/api/chat-rooms/...`: the queues and lists, a room's messages, and the moves
(take, resolve, close, assign, transfer, unassign). Agents need `chat:ver`/`chat:actualizar`;
`all_chats`, `assign_agent` and `unassign_agent` are for supervisors (`chat:eliminar`)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from chat.access import CanAnswer, CanSee, Supervisor
from chat.agent import service as agents
from chat.config import settings
from chat.errors import AgentUnavailable, AtCapacity, WrongMove
from chat.hub import Event
from chat.room import lifecycle, service, views
from chat.room.schemas import (
    AgentMessageCreate,
    AssignmentUpdate,
    MessageRead,
    MyRoomList,
    RoomList,
    RoomRead,
    Status,
    WaitingList,
)
from chat.sessions import LiveSessionDep, publish_after_commit
from shared.errors import documented
from shared.sessions import SessionDep
from shared.validation import INT64_MAX

router = APIRouter(prefix="/api/chat-rooms", tags=["chat-rooms"])
Page = Annotated[int, Query(ge=1, le=10**9)]
PageSize = Annotated[int, Query(ge=1, le=100)]
AgentFilter = Annotated[int | None, Query(ge=1, le=INT64_MAX)]
_MOVES = documented(WrongMove, AtCapacity, AgentUnavailable)


@router.get("/filtered_chats/", response_model=RoomList)
async def filtered_chats(
    principal: CanSee, session: SessionDep, status: Status | None = None, agent_id: AgentFilter = None,
    page: Page = 1, page_size: PageSize = 20,
) -> RoomList:  # fmt: skip
    query = service.filtered(principal.tenant_id, status=status, agent_id=agent_id)
    rows, pagination = await service.page(session, query, page, page_size)
    return RoomList(chats=await views.rooms_read(session, rows, with_messages=False), pagination=pagination)


@router.get("/waiting_chats/", response_model=WaitingList)
async def waiting_chats(
    principal: CanSee, session: SessionDep, page: Page = 1, page_size: PageSize = 50
) -> WaitingList:
    """Oldest first within each priority; a chat waiting 15 minutes or more is `high`."""
    query = service.filtered(principal.tenant_id, status="waiting")
    rows, pagination = await service.page(session, query, page, page_size, order=service.OLDEST_FIRST)
    return WaitingList(chats=await views.waiting_read(session, rows), pagination=pagination)


@router.get("/my_chats/", response_model=MyRoomList)
async def my_chats(
    principal: CanAnswer, session: SessionDep, status: Status | None = None, page: Page = 1, page_size: PageSize = 20
) -> MyRoomList:
    agent = await agents.of(session, principal, default_max=settings.default_max_chats)
    query = service.filtered(principal.tenant_id, status=status, agent_id=agent.id)
    rows, pagination = await service.page(session, query, page, page_size)
    return await views.my_rooms_read(session, agent, rows, pagination)


@router.get("/all_chats/", response_model=RoomList)
async def all_chats(
    principal: Supervisor, session: SessionDep, status: Status | None = None, agent_id: AgentFilter = None,
    page: Page = 1, page_size: PageSize = 50,
) -> RoomList:  # fmt: skip
    query = service.filtered(principal.tenant_id, status=status, agent_id=agent_id)
    rows, pagination = await service.page(session, query, page, page_size)
    return RoomList(chats=await views.rooms_read(session, rows, with_messages=True), pagination=pagination)


@router.get("/{room_id}/messages/", response_model=list[MessageRead])
async def room_messages(room_id: uuid.UUID, principal: CanSee, session: SessionDep) -> list[MessageRead]:
    return await views.messages_read(session, await service.get(session, principal.tenant_id, room_id))


@router.post("/{room_id}/send_message/", response_model=MessageRead, status_code=201)
async def send_message(
    room_id: uuid.UUID, body: AgentMessageCreate, principal: CanAnswer, session: LiveSessionDep
) -> MessageRead:
    live: list[Event] = []
    message = await service.send_as_agent(
        session, live, principal=principal, room_id=room_id, content=body.content,
        message_type=body.message_type, default_max=settings.default_max_chats,
    )  # fmt: skip
    out = await views.sent_read(session, message)
    publish_after_commit(session, principal.tenant_id, live)
    return out


@router.post("/{room_id}/take_chat/", response_model=RoomRead, responses=_MOVES)
async def take_chat(room_id: uuid.UUID, principal: CanAnswer, session: LiveSessionDep) -> RoomRead:
    """The caller answers a waiting chat; 400 at capacity or when it is no longer waiting."""
    live: list[Event] = []
    room = await lifecycle.take(
        session, live, principal=principal, room_id=room_id, default_max=settings.default_max_chats
    )
    publish_after_commit(session, principal.tenant_id, live)
    return await views.room_read(session, room)


@router.post("/{room_id}/resolve/", response_model=RoomRead, responses=_MOVES)
async def resolve(room_id: uuid.UUID, principal: CanAnswer, session: LiveSessionDep) -> RoomRead:
    live: list[Event] = []
    room = await lifecycle.resolve(
        session, live, principal=principal, room_id=room_id, default_max=settings.default_max_chats
    )
    publish_after_commit(session, principal.tenant_id, live)
    return await views.room_read(session, room)


@router.post("/{room_id}/close/", response_model=RoomRead, responses=_MOVES)
async def close(room_id: uuid.UUID, principal: CanAnswer, session: LiveSessionDep) -> RoomRead:
    live: list[Event] = []
    room = await lifecycle.close(
        session, live, principal=principal, room_id=room_id, default_max=settings.default_max_chats
    )
    publish_after_commit(session, principal.tenant_id, live)
    return await views.room_read(session, room)


@router.post("/{room_id}/assign_agent/", response_model=RoomRead, responses=_MOVES)
async def assign_agent(
    room_id: uuid.UUID, body: AssignmentUpdate, principal: Supervisor, session: LiveSessionDep
) -> RoomRead:
    live: list[Event] = []
    room = await lifecycle.assign(session, live, principal=principal, room_id=room_id, agent_id=body.agent_id)
    publish_after_commit(session, principal.tenant_id, live)
    return await views.room_read(session, room)


@router.post("/{room_id}/transfer_chat/", response_model=RoomRead, responses=_MOVES)
async def transfer_chat(
    room_id: uuid.UUID, body: AssignmentUpdate, principal: CanAnswer, session: LiveSessionDep
) -> RoomRead:
    """To another available agent under capacity: by the room's agent or a supervisor."""
    live: list[Event] = []
    room = await lifecycle.transfer(session, live, principal=principal, room_id=room_id, agent_id=body.agent_id,
                                    default_max=settings.default_max_chats)  # fmt: skip
    publish_after_commit(session, principal.tenant_id, live)
    return await views.room_read(session, room)


@router.post("/{room_id}/unassign_agent/", response_model=RoomRead, responses=_MOVES)
async def unassign_agent(room_id: uuid.UUID, principal: Supervisor, session: LiveSessionDep) -> RoomRead:
    live: list[Event] = []
    room = await lifecycle.unassign(session, live, principal=principal, room_id=room_id)
    publish_after_commit(session, principal.tenant_id, live)
    return await views.room_read(session, room)
