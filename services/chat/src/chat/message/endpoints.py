"""003's `/api/messages/...`: an agent's messages and read state (`send_guest_message` is the
guest's, with their guest token)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from chat import transcript
from chat.access import CanAnswer, CanSee
from chat.agent import service as agents
from chat.config import settings
from chat.guest import service as guests
from chat.guest.dependencies import GuestToken
from chat.guest.schemas import GuestMessageCreate
from chat.hub import Event
from chat.message import service
from chat.message.schemas import (
    BulkMarkRead,
    BulkMarkUpdate,
    ChatMarkRead,
    ChatMarkUpdate,
    ChatMessagesRead,
    MarkedMessageRead,
    MessageCreate,
    ReadStateRead,
    RecentMessagesRead,
    UnreadMessagesRead,
)
from chat.room import service as rooms
from chat.room import views
from chat.room.schemas import MessageRead
from chat.sessions import LiveSessionDep, publish_after_commit
from shared.sessions import SessionDep

router = APIRouter(prefix="/api/messages", tags=["messages"])


@router.post("/", response_model=MessageRead, status_code=201, summary="Enviar mensaje de agente")
async def create_agent_message(body: MessageCreate, principal: CanAnswer, session: LiveSessionDep) -> MessageRead:
    """Un mensaje de quien llama, como agente, en un chat del espacio (chat:actualizar), como
    `POST /api/chat-rooms/{id}/send_message/`. Un chat cerrado: 400."""
    live: list[Event] = []
    message, agent, person = await rooms.send_as_agent(
        session, live, principal=principal, room_id=body.chat_room_id, content=body.content,
        default_max=settings.default_max_chats, message_type=body.message_type, attachment=body.attachment,
    )  # fmt: skip
    out = views.sent_read(message, agent, person)
    publish_after_commit(session, principal.tenant_id, live)
    return out


@router.post("/send_guest_message/", response_model=MessageRead, status_code=201, summary="Enviar mensaje de invitado")
async def create_guest_message(
    body: GuestMessageCreate, session: LiveSessionDep, token: GuestToken = None
) -> MessageRead:
    """Un mensaje del invitado en su chat, con su `X-Guest-Token` (sin él, 404), igual que
    `POST /api/chat/send_message/`."""
    live: list[Event] = []
    message = await guests.send(session, live, room_id=body.chat_room_id, token=token, content=body.content)
    publish_after_commit(session, message.tenant_id, live)
    return views.sent_read(message)


@router.post("/mark_bulk_read/", response_model=BulkMarkRead, summary="Marcar mensajes como leídos")
async def mark_messages_read(body: BulkMarkUpdate, principal: CanAnswer, session: LiveSessionDep) -> BulkMarkRead:
    """Marca leídos, de los ids enviados, los mensajes de invitados del espacio (chat:actualizar);
    `valid_messages` cuenta los que lo eran."""
    requested = list(dict.fromkeys(body.message_ids))
    live: list[Event] = []
    changed, valid = await service.mark_many_read(session, live, tenant_id=principal.tenant_id, ids=requested)
    publish_after_commit(session, principal.tenant_id, live)
    return BulkMarkRead(message=f"{changed} mensajes marcados como leídos", updated_count=changed,
                        total_requested=len(requested), valid_messages=valid)  # fmt: skip


@router.post("/mark_chat_read/", response_model=ChatMarkRead, summary="Marcar todo el chat como leído")
async def mark_chat_read(body: ChatMarkUpdate, principal: CanAnswer, session: LiveSessionDep) -> ChatMarkRead:
    """Marca leídos todos los mensajes del invitado en un chat del espacio (chat:actualizar)."""
    room = await rooms.get(session, principal.tenant_id, body.chat_room_id)
    live: list[Event] = []
    changed = len(await transcript.mark_read(session, live, room, reader="agent"))
    publish_after_commit(session, principal.tenant_id, live)
    return ChatMarkRead(message=f"{changed} mensajes marcados como leídos", updated_count=changed, chat_room_id=room.id)


@router.get("/unread_count/", response_model=UnreadMessagesRead, summary="Contar mensajes no leídos")
async def count_unread_messages(
    chat_room_id: Annotated[uuid.UUID, Query()], principal: CanSee, session: SessionDep
) -> UnreadMessagesRead:
    """Cuántos mensajes del invitado siguen sin leer en un chat del espacio (chat:ver)."""
    room = await rooms.get(session, principal.tenant_id, chat_room_id)
    unread = (await transcript.unread_count(session, [room.id], reader="agent")).get(room.id, 0)
    return UnreadMessagesRead(unread_count=unread)


@router.get("/by_chat/", response_model=ChatMessagesRead, summary="Mensajes de un chat")
async def list_messages_by_chat(
    chat_room_id: Annotated[uuid.UUID, Query()], principal: CanAnswer, session: LiveSessionDep
) -> ChatMessagesRead:
    """Los mensajes de un chat del espacio (chat:actualizar); los del invitado que no se habían
    leído quedan leídos (`auto_marked_read` los cuenta)."""
    room = await rooms.get(session, principal.tenant_id, chat_room_id)
    live: list[Event] = []
    marked = len(await transcript.mark_read(session, live, room, reader="agent"))
    out = await views.messages_read(session, room)
    publish_after_commit(session, principal.tenant_id, live)
    return ChatMessagesRead(chat_room_id=room.id, messages=[m.model_dump(mode="json") for m in out],
                            total_messages=len(out), auto_marked_read=marked, chat_status=room.status)  # fmt: skip


@router.get("/recent_chats/", response_model=RecentMessagesRead, summary="Mensajes recientes")
async def list_recent_messages(
    principal: CanAnswer, session: SessionDep, limit: Annotated[int, Query(ge=1, le=100)] = 10
) -> RecentMessagesRead:
    """Los últimos mensajes (`?limit=`, 10 por defecto) de los chats de quien llama como agente,
    los más nuevos primero."""
    agent = await agents.of(session, principal, default_max=settings.default_max_chats)
    found = await service.recent(session, agent.id, limit)
    out = [views.message_read(m, {}, None).model_dump(mode="json") for m in found]
    return RecentMessagesRead(recent_messages=out, total_returned=len(out))


@router.post("/{id}/mark_read/", response_model=MarkedMessageRead, summary="Marcar un mensaje como leído")
async def mark_message_read(id: uuid.UUID, principal: CanAnswer, session: LiveSessionDep) -> MarkedMessageRead:
    """Marca leído un mensaje de un chat del espacio (chat:actualizar); uno de otro espacio: 404."""
    live: list[Event] = []
    message = await service.mark_one_read(session, live, tenant_id=principal.tenant_id, message_id=id)
    publish_after_commit(session, principal.tenant_id, live)
    return MarkedMessageRead(data=ReadStateRead(id=message.id, is_read=message.is_read, read_at=message.read_at))
