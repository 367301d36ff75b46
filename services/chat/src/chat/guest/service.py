"""Guests: a session from start_chat, a room from complete_chat (with a guest token, kept as
its SHA-256), and the room reached only with that token."""

import hashlib
import secrets
import uuid
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from chat import transcript
from chat.agent import service as agents
from chat.errors import GuestTokenExpired, RoomNotFound, SessionExpired, TooManyChats
from chat.guest.schemas import ChatStatusRead, GuestChatCreate
from chat.hub import Event
from chat.models import Agent, ChatUser, GuestSession, Message, Room
from chat.room.lifecycle import opened
from chat.workspace import service as workspaces
from shared.service import CatchUp


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


async def start(
    session: AsyncSession, tenant_id: int, initial_message: str, seconds: int, *, caught_up: CatchUp
) -> GuestSession:
    """A guest's session with the desk of an existing, active workspace (first caught up with
    auth's workspace events: one created, deactivated or restored a moment ago is honoured)."""
    await workspaces.require_open(session, tenant_id, caught_up=caught_up)
    now = datetime.now(UTC)
    guest = GuestSession(id=uuid.uuid4(), tenant_id=tenant_id, initial_message=initial_message,
                         expires_at=now + timedelta(seconds=seconds))  # fmt: skip
    session.add(guest)
    await session.flush()
    return guest


async def live_session(session: AsyncSession, session_id: uuid.UUID, *, lock: bool = False) -> GuestSession | None:
    """The session if it exists, has not expired and has not become a room yet."""
    query = select(GuestSession).where(GuestSession.id == session_id)
    guest = await session.scalar(query.with_for_update() if lock else query)
    if guest is None or guest.room_id is not None or guest.expires_at <= datetime.now(UTC):
        return None
    return guest


async def complete(
    session: AsyncSession,
    live: list[Event],
    body: GuestChatCreate,
    *,
    address: str,
    chats_per_hour: int,
    token_seconds: int,
) -> tuple[Room, str]:
    guest = await live_session(session, body.session_id, lock=True)
    if guest is None:
        raise SessionExpired()
    await workspaces.require_open(session, guest.tenant_id)  # deactivated since start_chat
    since = datetime.now(UTC) - timedelta(hours=1)
    recent = await session.scalar(
        select(func.count()).select_from(Room).join(ChatUser, ChatUser.id == Room.chat_user_id)
        .where(Room.tenant_id == guest.tenant_id, Room.created_at > since,
               or_(Room.address == address, func.lower(ChatUser.email) == body.email.lower()))
    )  # fmt: skip
    if (recent or 0) >= chats_per_hour:
        raise TooManyChats()
    user = ChatUser(tenant_id=guest.tenant_id, full_name=body.full_name, email=str(body.email),
                    phone_number=body.phone_number)  # fmt: skip
    session.add(user)
    await session.flush()
    token = secrets.token_urlsafe(32)
    room = Room(id=uuid.uuid4(), tenant_id=guest.tenant_id, chat_user_id=user.id, initial_message=guest.initial_message,
                status="waiting", priority="medium", guest_token_hash=_digest(token), address=address[:64],
                guest_token_expires_at=datetime.now(UTC) + timedelta(seconds=token_seconds))  # fmt: skip
    session.add(room)
    await session.flush()
    guest.room_id = room.id
    await transcript.add(session, live, room, guest.initial_message, sender="user")
    await opened(session, live, room)
    return room, token


async def room_of_guest(session: AsyncSession, room_id: uuid.UUID, token: str | None, *, lock: bool = False) -> Room:
    """The guest's own room: a wrong or missing token is the same 404 as an unknown room; the
    right one past its time, a 404 saying so."""
    query = select(Room).where(Room.id == room_id)
    room = await session.scalar(query.with_for_update() if lock else query)
    if room is None or not token or room.guest_token_hash is None:
        raise RoomNotFound()
    if not secrets.compare_digest(room.guest_token_hash, _digest(token)):
        raise RoomNotFound()
    if room.guest_token_expires_at is not None and room.guest_token_expires_at <= datetime.now(UTC):
        raise GuestTokenExpired()
    return room


async def send(
    session: AsyncSession, live: list[Event], *, room_id: uuid.UUID, token: str | None, content: str
) -> Message:
    """The guest's message in their own room."""
    room = await room_of_guest(session, room_id, token, lock=True)
    return await transcript.add(session, live, room, content, sender="user")


async def status(session: AsyncSession, room: Room) -> ChatStatusRead:
    name = None
    if room.agent_id is not None:
        agent = await session.get(Agent, room.agent_id)
        person = (await agents.people(session, {agent.user_id})).get(agent.user_id) if agent else None
        name = agents.agent_name(person)
    unread = (await transcript.unread_count(session, [room.id], reader="user")).get(room.id, 0)
    return ChatStatusRead(chat_room_id=room.id, status=room.status, agent_assigned=room.agent_id is not None,
                          agent_name=name, created_at=room.created_at, unread_messages=unread)  # fmt: skip
