"""000's `/api/v1/chats/` (list, create, detail, update, delete) over the desk's rooms, in
000's conventions: `{count, next, previous, results}` pages and 004's error shape. Deleting
is a supervisor's (`chat:eliminar`)."""

import uuid

from fastapi import APIRouter, Request, Response

from chat.access import CanAnswer, CanSee, Supervisor
from chat.conversation import service
from chat.conversation.schemas import ChatCreate, ChatUpdate
from chat.hub import Event
from chat.room.schemas import RoomRead, Status
from chat.sessions import LiveSessionDep, publish_after_commit
from shared.pagination import Page, Pagination, build_page
from shared.sessions import SessionDep
from shared.validation import changes

router = APIRouter(prefix="/api/v1/chats", tags=["chats"])


@router.get("/", response_model=Page[RoomRead], summary="Listar chats")
async def list_chats(
    principal: CanSee, session: SessionDep, request: Request, params: Pagination, status: Status | None = None
) -> Page[RoomRead]:
    """Los chats de soporte del espacio, paginados, filtrables por `?status=` (chat:ver)."""
    count, found = await service.page(session, principal, status=status, page=params.page, page_size=params.page_size)
    return build_page(request, params, count=count, results=found, item=RoomRead)


@router.post("/", response_model=RoomRead, status_code=201, summary="Abrir un chat para un contacto")
async def create_chat(body: ChatCreate, principal: CanAnswer, session: LiveSessionDep) -> RoomRead:
    """Abre un chat en nombre de un contacto (una llamada, un correo); queda en espera como el de
    un invitado (chat:actualizar)."""
    live: list[Event] = []
    out = await service.open_for_contact(session, live, principal=principal, values=changes(body))
    publish_after_commit(session, principal.tenant_id, live)
    return out


@router.get("/{chat_id}/", response_model=RoomRead, summary="Ver un chat")
async def get_chat(chat_id: uuid.UUID, principal: CanSee, session: SessionDep) -> RoomRead:
    """Un chat del espacio con su contacto y su agente (chat:ver); el de otro espacio: 404."""
    return await service.get(session, principal, chat_id)


@router.put("/{chat_id}/", response_model=RoomRead, summary="Reemplazar un chat", operation_id="replace_chat")
@router.patch("/{chat_id}/", response_model=RoomRead, summary="Actualizar un chat")
async def update_chat(chat_id: uuid.UUID, body: ChatUpdate, principal: CanAnswer, session: SessionDep) -> RoomRead:
    """Cambia la prioridad de un chat (chat:actualizar). Su estado cambia con las acciones de
    `/api/chat-rooms/{id}/...` (tomar, resolver, cerrar)."""
    return await service.update(session, principal, chat_id, values=changes(body))


@router.delete("/{chat_id}/", status_code=204, response_class=Response, summary="Eliminar un chat")
async def delete_chat(chat_id: uuid.UUID, principal: Supervisor, session: SessionDep) -> Response:
    """Elimina un chat con sus mensajes y notificaciones (solo supervisores, chat:eliminar)."""
    await service.delete(session, principal, chat_id)
    return Response(status_code=204)
