"""002's `/api/conversations`: list, create, read (with its messages), rename, delete."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from bots.access import CanChat, CanRead
from bots.conversation import service
from bots.conversation.schemas import (
    ConversationCreate,
    ConversationDetailRead,
    ConversationList,
    ConversationRead,
    ConversationUpdate,
)
from shared.sessions import SessionDep

router = APIRouter(tags=["conversations"])

ConversationId = Annotated[str, Path(pattern=r"^conv_\d{1,18}$", examples=["conv_123"])]


@router.get("/api/conversations", response_model=ConversationList, summary="Listar conversaciones")
async def list_conversations(
    principal: CanRead, session: SessionDep, limit: Annotated[int, Query(ge=1, le=500)] = 100
) -> ConversationList:
    """Las conversaciones de quien llama (002), las de actividad más reciente primero (`?limit=`,
    100 por defecto)."""
    found = await service.listing(session, principal, limit)
    return ConversationList(conversations=[service.as_out(c) for c in found])


@router.post("/api/conversations", response_model=ConversationRead, status_code=201, summary="Crear una conversación")
async def create_conversation(body: ConversationCreate, principal: CanChat, session: SessionDep) -> ConversationRead:
    """Una conversación vacía (002); con `bot_id`, la responde ese bot del espacio con su
    personalidad y sus modelos."""
    return service.as_out(await service.start(session, principal, body.title, body.bot_id))


@router.get(
    "/api/conversations/{conversation_id}", response_model=ConversationDetailRead, summary="Ver una conversación"
)
async def get_conversation(
    conversation_id: ConversationId, principal: CanRead, session: SessionDep
) -> ConversationDetailRead:
    """Una conversación de quien llama con sus mensajes (002); la de otro: 404."""
    conversation = await service.get(session, principal, conversation_id)
    return service.as_detail(conversation, await service.messages(session, conversation))


@router.patch(
    "/api/conversations/{conversation_id}", response_model=ConversationRead, summary="Renombrar una conversación"
)
async def rename_conversation(
    conversation_id: ConversationId, body: ConversationUpdate, principal: CanChat, session: SessionDep
) -> ConversationRead:
    """Cambia el título de una conversación de quien llama."""
    conversation = await service.get(session, principal, conversation_id)
    return service.as_out(await service.rename(session, conversation, body.title))


@router.delete(
    "/api/conversations/{conversation_id}",
    status_code=204,
    response_class=Response,
    summary="Eliminar una conversación",
)
async def delete_conversation(conversation_id: ConversationId, principal: CanChat, session: SessionDep) -> Response:
    """Elimina una conversación de quien llama con sus mensajes (002)."""
    await service.delete(session, await service.get(session, principal, conversation_id))
    return Response(status_code=204)
