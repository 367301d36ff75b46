"""003's `/api/chat-rooms/...`: the queues and lists, a room's messages, and the moves
(take, resolve, close, assign, transfer, unassign). Agents need `chat:ver`/`chat:actualizar`;
`all_chats`, `assign_agent` and `unassign_agent` are for supervisors (`chat:eliminar`)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request

from chat.access import CanAnswer, CanSee, Supervisor
from chat.agents import service as agents
from chat.config import settings
from chat.live.hub import Event, commit_and_publish
from chat.messages import service as messages
from chat.rooms import service
from chat.rooms.schemas import (
    AgentChoice,
    AgentMessageIn,
    MessageOut,
    MyAgent,
    MyPage,
    RoomOut,
    RoomPage,
    Status,
    WaitingPage,
)
from shared.errors import documented
from shared.security import Principal
from shared.sessions import SessionDep
from shared.validation import INT64_MAX

router = APIRouter(prefix="/api/chat-rooms", tags=["chat-rooms"])
Page = Annotated[int, Query(ge=1, le=10**9)]
PageSize = Annotated[int, Query(ge=1, le=100)]
AgentFilter = Annotated[int | None, Query(ge=1, le=INT64_MAX)]
_MOVES = documented(service.WrongMove, service.AtCapacity, service.AgentUnavailable)


async def _one(session: SessionDep, room: service.Room) -> RoomOut:
    return (await service.rooms_out(session, [room], with_messages=True))[0]


async def _answered(session: SessionDep, request: Request, room: service.Room, live: list[Event]) -> RoomOut:
    """The room as it now is; then the commit, and the live clients told."""
    out = await _one(session, room)
    await commit_and_publish(session, request.app.state.hub, room.tenant_id, live)
    return out


@router.get("/filtered_chats/", response_model=RoomPage)
async def filtered_chats(
    principal: CanSee, session: SessionDep, status: Status | None = None, agent_id: AgentFilter = None,
    page: Page = 1, page_size: PageSize = 20,
) -> RoomPage:  # fmt: skip
    query = service.filtered(principal.tenant_id, status=status, agent_id=agent_id)
    rows, pagination = await service.page(session, query, page, page_size)
    return RoomPage(chats=await service.rooms_out(session, rows, with_messages=False), pagination=pagination)


@router.get("/waiting_chats/", response_model=WaitingPage)
async def waiting_chats(
    principal: CanSee, session: SessionDep, page: Page = 1, page_size: PageSize = 50
) -> WaitingPage:
    """Oldest first within each priority; a chat waiting 15 minutes or more is `high`."""
    query = service.filtered(principal.tenant_id, status="waiting")
    rows, pagination = await service.page(session, query, page, page_size, order=service.OLDEST_FIRST)
    return WaitingPage(chats=await service.waiting_out(session, rows), pagination=pagination)


@router.get("/my_chats/", response_model=MyPage)
async def my_chats(
    principal: CanAnswer, session: SessionDep, status: Status | None = None, page: Page = 1, page_size: PageSize = 20
) -> MyPage:
    agent = await agents.of(session, principal, default_max=settings.default_max_chats)
    query = service.filtered(principal.tenant_id, status=status, agent_id=agent.id)
    rows, pagination = await service.page(session, query, page, page_size)
    person = (await agents.people(session, {agent.user_id})).get(agent.user_id)
    me = MyAgent(id=agent.id, name=service.agent_name(person), current_chats=agent.current_active_chats)
    return MyPage(chats=await service.rooms_out(session, rows, with_messages=True), pagination=pagination, agent=me)


@router.get("/all_chats/", response_model=RoomPage)
async def all_chats(
    principal: Supervisor, session: SessionDep, status: Status | None = None, agent_id: AgentFilter = None,
    page: Page = 1, page_size: PageSize = 50,
) -> RoomPage:  # fmt: skip
    query = service.filtered(principal.tenant_id, status=status, agent_id=agent_id)
    rows, pagination = await service.page(session, query, page, page_size)
    return RoomPage(chats=await service.rooms_out(session, rows, with_messages=True), pagination=pagination)


@router.get("/{room_id}/messages/", response_model=list[MessageOut])
async def room_messages(room_id: uuid.UUID, principal: CanSee, session: SessionDep) -> list[MessageOut]:
    return await service.messages_out(session, await service.get(session, principal.tenant_id, room_id))


async def _acting(session: SessionDep, principal: Principal, room_id: uuid.UUID) -> service.Room:
    room, _ = await service.acting(session, principal, room_id, default_max=settings.default_max_chats)
    return room


@router.post("/{room_id}/send_message/", response_model=MessageOut, status_code=201)
async def send_message(
    room_id: uuid.UUID, body: AgentMessageIn, principal: CanAnswer, session: SessionDep, request: Request
) -> MessageOut:
    room, agent = await service.acting(session, principal, room_id, default_max=settings.default_max_chats)
    live: list[Event] = []
    message = await messages.add(session, live, room, body.content, sender="agent", agent=agent,
                                 message_type=body.message_type)  # fmt: skip
    briefed = await service.briefs(session, {agent.id})
    await commit_and_publish(session, request.app.state.hub, room.tenant_id, live)
    return service.message_out(message, briefed, None)


@router.post("/{room_id}/take_chat/", response_model=RoomOut, responses=_MOVES)
async def take_chat(room_id: uuid.UUID, principal: CanAnswer, session: SessionDep, request: Request) -> RoomOut:
    """The caller answers a waiting chat; 400 at capacity or when it is no longer waiting."""
    live: list[Event] = []
    room = await service.take(session, live, room_id, principal, settings.default_max_chats)
    return await _answered(session, request, room, live)


@router.post("/{room_id}/resolve/", response_model=RoomOut, responses=_MOVES)
async def resolve(room_id: uuid.UUID, principal: CanAnswer, session: SessionDep, request: Request) -> RoomOut:
    room = await _acting(session, principal, room_id)
    live: list[Event] = []
    await service.resolve(session, live, room, drain=True)
    return await _answered(session, request, room, live)


@router.post("/{room_id}/close/", response_model=RoomOut, responses=_MOVES)
async def close(room_id: uuid.UUID, principal: CanAnswer, session: SessionDep, request: Request) -> RoomOut:
    room = await _acting(session, principal, room_id)
    live: list[Event] = []
    await service.close(session, live, room)
    return await _answered(session, request, room, live)


@router.post("/{room_id}/assign_agent/", response_model=RoomOut, responses=_MOVES)
async def assign_agent(
    room_id: uuid.UUID, body: AgentChoice, principal: Supervisor, session: SessionDep, request: Request
) -> RoomOut:
    room = await service.get(session, principal.tenant_id, room_id, lock=True)
    live: list[Event] = []
    await service.assign(session, live, room, body.agent_id)
    return await _answered(session, request, room, live)


@router.post("/{room_id}/transfer_chat/", response_model=RoomOut, responses=_MOVES)
async def transfer_chat(
    room_id: uuid.UUID, body: AgentChoice, principal: CanAnswer, session: SessionDep, request: Request
) -> RoomOut:
    """To another available agent under capacity: by the room's agent or a supervisor."""
    room = await _acting(session, principal, room_id)
    live: list[Event] = []
    await service.transfer(session, live, room, body.agent_id, drain=True)
    return await _answered(session, request, room, live)


@router.post("/{room_id}/unassign_agent/", response_model=RoomOut, responses=_MOVES)
async def unassign_agent(room_id: uuid.UUID, principal: Supervisor, session: SessionDep, request: Request) -> RoomOut:
    room = await service.get(session, principal.tenant_id, room_id, lock=True)
    live: list[Event] = []
    await service.unassign(session, live, room, drain=True)
    return await _answered(session, request, room, live)
