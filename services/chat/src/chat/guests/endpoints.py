"""003's guest flow under `/api/chat/`: no token; a guest's room needs its guest token
(`X-Guest-Token`, returned by complete_chat)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Header, Query, Request

from chat.config import settings
from chat.guests import service
from chat.guests.recaptcha import RecaptchaFailed
from chat.guests.schemas import (
    CompleteIn,
    CompleteOut,
    GuestMessageIn,
    SessionIn,
    SessionOut,
    StartIn,
    StartOut,
    StatusOut,
)
from chat.live.hub import Event, commit_and_publish
from chat.messages import service as messages
from chat.rooms.schemas import MessageOut
from chat.rooms.service import message_out
from chat.workspaces import service as workspaces
from shared.clients import client_address
from shared.errors import documented
from shared.service import CatchUp, read_model_catch_up
from shared.sessions import SessionDep

router = APIRouter(prefix="/api/chat", tags=["guests"])
GuestToken = Annotated[str | None, Header(alias="X-Guest-Token", max_length=200, description="El guest_token")]


# The consumers whose writes decide whether a workspace takes guests (see start_chat).
WorkspacesCaughtUp = Annotated[CatchUp, Depends(read_model_catch_up(*workspaces.READ_MODEL_CONSUMERS))]


@router.post(
    "/start_chat/",
    response_model=StartOut,
    responses=documented(workspaces.WorkspaceNotFound, workspaces.WorkspaceInactive),
)
async def start_chat(body: StartIn, session: SessionDep, caught_up: WorkspacesCaughtUp) -> StartOut:
    """A session with the desk of `tenant` (CHAT_DEFAULT_TENANT when omitted): 404 for a
    workspace that does not exist, 400 for a deactivated one."""
    guest = await service.start(session, body.tenant or settings.default_tenant, body.initial_message,
                                settings.session_seconds, caught_up=caught_up)  # fmt: skip
    return StartOut(session_id=guest.id, expires_in=settings.session_seconds)


@router.post(
    "/complete_chat/",
    response_model=CompleteOut,
    status_code=201,
    responses=documented(service.SessionExpired, service.TooManyChats, RecaptchaFailed, workspaces.WorkspaceInactive),
)
async def complete_chat(body: CompleteIn, session: SessionDep, request: Request) -> CompleteOut:
    """Creates the room (status `waiting`) with the guest's first message; the reCAPTCHA is
    checked when CHAT_RECAPTCHA_MODE is `verify`; one address or email may open
    CHAT_CHATS_PER_HOUR chats an hour."""
    await request.app.state.recaptcha.check(body.recaptcha_token, client_address(request))
    live: list[Event] = []
    room, token = await service.complete(
        session, live, body, address=client_address(request), chats_per_hour=settings.chats_per_hour
    )
    await commit_and_publish(session, request.app.state.hub, room.tenant_id, live)
    return CompleteOut(chat_room_id=room.id, user_name=body.full_name, guest_token=token)


@router.post("/validate_session/", response_model=SessionOut)
async def validate_session(body: SessionIn, session: SessionDep) -> SessionOut:
    guest = await service.live_session(session, body.session_id)
    if guest is None:
        return SessionOut(valid=False, message="Sesión expirada o no encontrada")
    return SessionOut(valid=True, has_message=bool(guest.initial_message), created_at=guest.created_at)


async def send_as_guest(body: GuestMessageIn, token: str | None, session: SessionDep, request: Request) -> MessageOut:
    room = await service.room_of_guest(session, body.chat_room_id, token, lock=True)
    live: list[Event] = []
    message = await messages.add(session, live, room, body.content, sender="user")
    await commit_and_publish(session, request.app.state.hub, room.tenant_id, live)
    return message_out(message, {}, None)


@router.post("/send_message/", response_model=MessageOut, status_code=201)
async def send_message(
    body: GuestMessageIn, session: SessionDep, request: Request, token: GuestToken = None
) -> MessageOut:
    return await send_as_guest(body, token, session, request)


@router.get("/get_chat_status/", response_model=StatusOut)
async def get_chat_status(
    chat_room_id: Annotated[uuid.UUID, Query()], session: SessionDep, token: GuestToken = None
) -> StatusOut:
    return await service.status(session, await service.room_of_guest(session, chat_room_id, token))
