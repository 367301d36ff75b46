"""A guest's right to erasure: everything the desk holds about a guest of one workspace, found
by their email, deleted in one transaction; their live sockets closed; `chat.guest.erased`
told (webhooks drops its stored payloads of those rooms)."""

from sqlalchemy.ext.asyncio import AsyncSession

from chat import events
from chat.agent import service as agents
from chat.erasure import repository
from chat.erasure.schemas import GuestErasureRead
from chat.hub import Event, event
from chat.room.repository import delete_rooms

# The live event that tells a guest's socket to close, and agents that the room is gone.
ERASED = "erased"


async def erase(session: AsyncSession, live: list[Event], *, tenant_id: int, email: str) -> GuestErasureRead:
    """Only `tenant_id`'s guest: another workspace's guest with the same email is not theirs."""
    guest_ids = await repository.guests_by_email(session, tenant_id, email)
    rooms = await repository.rooms_of(session, guest_ids)
    deleted = await delete_rooms(session, [room_id for room_id, _, _ in rooms], guest_ids=guest_ids)
    # An active room counted in its agent's load: recount, under the agent's lock, in id order.
    loaded = sorted({agent for _, agent, status in rooms if agent is not None and status == "active"})
    for loaded_id in loaded:
        await agents.recount(session, await agents.in_workspace(session, tenant_id, loaded_id, lock=True))
    for room_id, agent_id, _ in rooms:
        live.append(event(ERASED, room_id, {}, agent_id=agent_id, agents=True))
    if guest_ids:
        erased = events.GuestErased(
            guest_ids=list(guest_ids), chat_room_ids=[str(room_id) for room_id, _, _ in rooms],
            messages=deleted.messages, notifications=deleted.notifications,
        )  # fmt: skip
        await events.outbox.emit(session, erased, tenant_id=tenant_id)
    return GuestErasureRead(
        message=f"{deleted.guests} invitados eliminados" if guest_ids else "Ningún invitado con ese correo",
        guests=deleted.guests, chat_rooms=deleted.rooms, messages=deleted.messages,
        notifications=deleted.notifications, guest_sessions=deleted.sessions,
    )  # fmt: skip
