"""003's `/api/chat-rooms/...`: the queues and lists, a room's messages, and the moves
(take, resolve, close, assign, transfer, unassign). Agents need `chat:ver`/`chat:actualizar`;
`all_chats`, `assign_agent` and `unassign_agent` are for supervisors (`chat:eliminar`)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response

from chat.access import CanAnswer, CanSee, Supervisor
from chat.agent import service as agents
from chat.config import settings
from chat.errors import AgentUnavailable, AssignedElsewhere, AtCapacity, RoomNotFound, WrongMove
from chat.hub import Event, Hub, event
from chat.room import lifecycle, service, views
from chat.room.schemas import (
    AgentMessageCreate,
    AssignmentUpdate,
    MessageRead,
    MyRoomList,
    RoomList,
    RoomRead,
    Status,
    TypingUpdate,
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


@router.get("/filtered_chats/", response_model=RoomList, summary="Listar chats filtrados")
async def list_filtered_chats(
    principal: CanSee, session: SessionDep, status: Status | None = None, agent_id: AgentFilter = None,
    page: Page = 1, page_size: PageSize = 20,
) -> RoomList:  # fmt: skip
    """Los chats del espacio por `?status=` y `?agent_id=`, paginados, sin sus mensajes (chat:ver)."""
    query = service.filtered(principal.tenant_id, status=status, agent_id=agent_id)
    rows, pagination = await service.page(session, query, page, page_size)
    return RoomList(chats=await views.rooms_read(session, rows, with_messages=False), pagination=pagination)


@router.get("/waiting_chats/", response_model=WaitingList, summary="Listar chats en espera")
async def list_waiting_chats(
    principal: CanSee, session: SessionDep, page: Page = 1, page_size: PageSize = 50
) -> WaitingList:
    """Los chats que esperan un agente (chat:ver), por prioridad y los más antiguos primero dentro de
    cada una; uno que espera 15 minutos o más tiene prioridad `high`."""
    query = service.filtered(principal.tenant_id, status="waiting")
    rows, pagination = await service.page(session, query, page, page_size, order=service.OLDEST_FIRST)
    return WaitingList(chats=await views.waiting_read(session, rows), pagination=pagination)


@router.get("/my_chats/", response_model=MyRoomList, summary="Listar mis chats")
async def list_my_chats(
    principal: CanAnswer, session: SessionDep, status: Status | None = None, page: Page = 1, page_size: PageSize = 20
) -> MyRoomList:
    """Los chats asignados a quien llama como agente, con sus mensajes, filtrables por `?status=`
    (chat:actualizar)."""
    agent = await agents.of(session, principal, default_max=settings.default_max_chats)
    query = service.filtered(principal.tenant_id, status=status, agent_id=agent.id)
    rows, pagination = await service.page(session, query, page, page_size)
    return await views.my_rooms_read(session, agent, rows, pagination)


@router.get("/all_chats/", response_model=RoomList, summary="Listar todos los chats")
async def list_all_chats(
    principal: Supervisor, session: SessionDep, status: Status | None = None, agent_id: AgentFilter = None,
    page: Page = 1, page_size: PageSize = 50,
) -> RoomList:  # fmt: skip
    """Todos los chats del espacio con sus mensajes, por `?status=` y `?agent_id=` (solo
    supervisores, chat:eliminar)."""
    query = service.filtered(principal.tenant_id, status=status, agent_id=agent_id)
    rows, pagination = await service.page(session, query, page, page_size)
    return RoomList(chats=await views.rooms_read(session, rows, with_messages=True), pagination=pagination)


@router.get("/{id}/", response_model=RoomRead, summary="Ver un chat del mostrador", responses=documented(RoomNotFound))
async def get_chat_room(id: uuid.UUID, principal: CanSee, session: SessionDep) -> RoomRead:
    """Más allá de 003: un chat del espacio con su estado, su invitado, su agente y sus mensajes
    (chat:ver); no cambia su estado de lectura."""
    return await views.room_read(session, await service.get(session, principal.tenant_id, id))


@router.get(
    "/{id}/messages/",
    response_model=list[MessageRead],
    summary="Ver los mensajes de un chat",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": [
                        {
                            "id": "5a7d3c1e-2b4f-4d6a-8c9e-0f1b3d5e7a92",
                            "chat_room": "3f6c2a9e-8b1d-4c7e-9a2f-5d8e1b4c7a90",
                            "sender_type": "user",
                            "content": "Mensaje del usuario",
                            "message_type": "text",
                            "is_read": True,
                            "created_at": "2024-01-01T12:00:00Z",
                            "agent_sender": None,
                            "user_sender": {"full_name": "Ana Torres", "email": "ana.torres@ejemplo.com"},
                        }
                    ]
                }
            }
        }
    },
)
async def list_room_messages(id: uuid.UUID, principal: CanSee, session: SessionDep) -> list[MessageRead]:
    """Los mensajes de un chat del espacio, en orden (chat:ver); no cambia su estado de lectura."""
    return await views.messages_read(session, await service.get(session, principal.tenant_id, id))


@router.post("/{id}/send_message/", response_model=MessageRead, status_code=201, summary="Responder en un chat")
async def send_agent_message(
    id: uuid.UUID, body: AgentMessageCreate, principal: CanAnswer, session: LiveSessionDep
) -> MessageRead:
    """Un mensaje de quien llama, como agente, en el chat (chat:actualizar): el suyo, uno sin agente
    o, para un supervisor, cualquiera. Un chat cerrado: 400."""
    live: list[Event] = []
    message, agent, person = await service.send_as_agent(
        session, live, principal=principal, room_id=id, content=body.content,
        message_type=body.message_type, default_max=settings.default_max_chats,
    )  # fmt: skip
    out = views.sent_read(message, agent, person)
    publish_after_commit(session, principal.tenant_id, live)
    return out


@router.post("/{id}/take_chat/", response_model=RoomRead, summary="Tomar un chat", responses=_MOVES)
async def take_chat(id: uuid.UUID, principal: CanAnswer, session: LiveSessionDep) -> RoomRead:
    """Quien llama atiende un chat en espera (chat:actualizar): queda activo y asignado a él. Si ya
    no está en espera o el agente está en su capacidad: 400."""
    live: list[Event] = []
    room = await lifecycle.take(session, live, principal=principal, room_id=id, default_max=settings.default_max_chats)
    publish_after_commit(session, principal.tenant_id, live)
    return await views.room_read(session, room)


@router.post("/{id}/resolve/", response_model=RoomRead, summary="Resolver un chat", responses=_MOVES)
async def resolve_chat(id: uuid.UUID, principal: CanAnswer, session: LiveSessionDep) -> RoomRead:
    """Marca resuelto un chat activo (su agente o un supervisor); el invitado recibe la
    notificación. Un chat que no está activo: 400."""
    live: list[Event] = []
    room = await lifecycle.resolve(
        session, live, principal=principal, room_id=id, default_max=settings.default_max_chats
    )
    publish_after_commit(session, principal.tenant_id, live)
    return await views.room_read(session, room)


@router.post("/{id}/close/", response_model=RoomRead, summary="Cerrar un chat", responses=_MOVES)
async def close_chat(id: uuid.UUID, principal: CanAnswer, session: LiveSessionDep) -> RoomRead:
    """Cierra un chat resuelto (su agente o un supervisor): ya no admite mensajes. Uno que no está
    resuelto: 400."""
    live: list[Event] = []
    room = await lifecycle.close(session, live, principal=principal, room_id=id, default_max=settings.default_max_chats)
    publish_after_commit(session, principal.tenant_id, live)
    return await views.room_read(session, room)


@router.post("/{id}/assign_agent/", response_model=RoomRead, summary="Asignar un agente", responses=_MOVES)
async def assign_agent(
    id: uuid.UUID, body: AssignmentUpdate, principal: Supervisor, session: LiveSessionDep
) -> RoomRead:
    """Asigna un chat en espera a un agente del espacio (solo supervisores, chat:eliminar). Un chat
    que no está en espera, o un agente no disponible o en su capacidad: 400."""
    live: list[Event] = []
    room = await lifecycle.assign(session, live, principal=principal, room_id=id, agent_id=body.agent_id)
    publish_after_commit(session, principal.tenant_id, live)
    return await views.room_read(session, room)


@router.post("/{id}/transfer_chat/", response_model=RoomRead, summary="Transferir un chat", responses=_MOVES)
async def transfer_chat(
    id: uuid.UUID, body: AssignmentUpdate, principal: CanAnswer, session: LiveSessionDep
) -> RoomRead:
    """Pasa un chat activo a otro agente disponible y con capacidad: lo hace su agente o un
    supervisor. Un chat que no está activo, o un agente no disponible o en su capacidad: 400."""
    live: list[Event] = []
    room = await lifecycle.transfer(session, live, principal=principal, room_id=id, agent_id=body.agent_id,
                                    default_max=settings.default_max_chats)  # fmt: skip
    publish_after_commit(session, principal.tenant_id, live)
    return await views.room_read(session, room)


@router.post("/{id}/unassign_agent/", response_model=RoomRead, summary="Desasignar el agente", responses=_MOVES)
async def unassign_agent(id: uuid.UUID, principal: Supervisor, session: LiveSessionDep) -> RoomRead:
    """Quita el agente de un chat activo, que vuelve a la espera (solo supervisores, chat:eliminar)."""
    live: list[Event] = []
    room = await lifecycle.unassign(session, live, principal=principal, room_id=id)
    publish_after_commit(session, principal.tenant_id, live)
    return await views.room_read(session, room)


@router.post(
    "/{id}/typing/",
    status_code=204,
    summary="Avisar que se escribe",
    responses=documented(RoomNotFound, AssignedElsewhere),
)
async def signal_typing(
    id: uuid.UUID, body: TypingUpdate, principal: CanAnswer, session: SessionDep, request: Request
) -> Response:
    """Más allá de 003: quien llama, como agente, escribe (o dejó de escribir) en un chat suyo, sin
    agente o, para un supervisor, cualquiera (chat:actualizar); el invitado lo ve en vivo. No se
    guarda: es el mismo aviso que el marco `typing` del WebSocket."""
    room = await service.typing_in(session, principal=principal, room_id=id, default_max=settings.default_max_chats)
    hub: Hub = request.app.state.hub
    data = {"sender": "agent", "is_typing": body.is_typing}
    await hub.signal(principal.tenant_id, event("typing", room.id, data, agent_id=room.agent_id))
    return Response(status_code=204)
