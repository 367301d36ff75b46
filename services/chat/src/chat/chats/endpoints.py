"""000's `/api/v1/chats/` (list, create, detail, update, delete) over the desk's rooms, in
000's conventions: `{count, next, previous, results}` pages and 004's error shape. Deleting
is a supervisor's (`chat:eliminar`)."""

import uuid

from fastapi import APIRouter, Request, Response

from chat.access import CanAnswer, CanSee, Supervisor
from chat.chats.schemas import ChatIn, ChatPatch
from chat.live.hub import Event, commit_and_publish
from chat.rooms import service as rooms
from chat.rooms.schemas import RoomOut, Status
from shared.pagination import Page, Pagination, build_page
from shared.sessions import SessionDep
from shared.validation import changes

router = APIRouter(prefix="/api/v1/chats", tags=["chats"])


@router.get("/", response_model=Page[RoomOut])
async def list_chats(
    principal: CanSee, session: SessionDep, request: Request, params: Pagination, status: Status | None = None
) -> Page[RoomOut]:
    query = rooms.filtered(principal.tenant_id, status=status)
    found, pagination = await rooms.page(session, query, params.page, params.page_size)
    out = await rooms.rooms_out(session, found, with_messages=False)
    return build_page(request, params, count=pagination.total_chats, results=out, item=RoomOut)


@router.post("/", response_model=RoomOut, status_code=201)
async def create_chat(body: ChatIn, principal: CanAnswer, session: SessionDep, request: Request) -> RoomOut:
    live: list[Event] = []
    room = await rooms.open_for_contact(session, live, principal.tenant_id, changes(body))
    out = (await rooms.rooms_out(session, [room], with_messages=True))[0]
    await commit_and_publish(session, request.app.state.hub, room.tenant_id, live)
    return out


@router.get("/{chat_id}/", response_model=RoomOut)
async def get_chat(chat_id: uuid.UUID, principal: CanSee, session: SessionDep) -> RoomOut:
    room = await rooms.get(session, principal.tenant_id, chat_id)
    return (await rooms.rooms_out(session, [room], with_messages=True))[0]


@router.put("/{chat_id}/", response_model=RoomOut)
@router.patch("/{chat_id}/", response_model=RoomOut)
async def update_chat(chat_id: uuid.UUID, body: ChatPatch, principal: CanAnswer, session: SessionDep) -> RoomOut:
    """Its priority (its status moves through `/api/chat-rooms/{id}/...`)."""
    room = await rooms.get(session, principal.tenant_id, chat_id, lock=True)
    await rooms.update(session, room, changes(body))
    return (await rooms.rooms_out(session, [room], with_messages=True))[0]


@router.delete("/{chat_id}/", status_code=204, response_class=Response)
async def delete_chat(chat_id: uuid.UUID, principal: Supervisor, session: SessionDep) -> Response:
    """With its messages and notifications; its agent's count is recounted."""
    await rooms.delete(session, await rooms.get(session, principal.tenant_id, chat_id, lock=True))
    return Response(status_code=204)
