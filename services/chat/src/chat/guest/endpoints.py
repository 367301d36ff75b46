"""003's guest flow under `/api/chat/`: no token; a guest's room needs its guest token
(`X-Guest-Token`, returned by complete_chat), and so do the guest's notifications
(`/api/user-notifications/`)."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request

from chat.config import settings
from chat.errors import RecaptchaFailed, SessionExpired, TooManyChats, WorkspaceInactive, WorkspaceNotFound
from chat.guest import service
from chat.guest.dependencies import GuestToken
from chat.guest.schemas import (
    ChatStatusRead,
    GuestChatCreate,
    GuestChatRead,
    GuestMessageCreate,
    GuestSessionCreate,
    GuestSessionRead,
    SessionCheckCreate,
    SessionCheckRead,
    WidgetSettingsRead,
)
from chat.hub import Event
from chat.notification import service as notifications
from chat.notification.schemas import GuestNotificationMarkUpdate, NotificationList, NotificationMarkRead
from chat.room import views
from chat.room.schemas import MessageRead
from chat.sessions import LiveSessionDep, publish_after_commit
from chat.workspace import service as workspaces
from shared.clients import client_address
from shared.errors import documented
from shared.service import CatchUp, read_model_catch_up
from shared.sessions import SessionDep

router = APIRouter(prefix="/api/chat", tags=["guests"])
# A guest's notifications, for their room (an agent's are `chat.notification.endpoints`').
notification_router = APIRouter(prefix="/api/user-notifications", tags=["notifications"])


# The consumers whose writes decide whether a workspace takes guests (see start_chat).
WorkspacesCaughtUp = Annotated[CatchUp, Depends(read_model_catch_up(*workspaces.READ_MODEL_CONSUMERS))]


@router.post(
    "/start_chat/",
    response_model=GuestSessionRead,
    summary="Iniciar chat de invitado",
    responses=documented(WorkspaceNotFound, WorkspaceInactive),
)
async def start_guest_chat(
    body: GuestSessionCreate, session: SessionDep, caught_up: WorkspacesCaughtUp
) -> GuestSessionRead:
    """Paso 1 del invitado (público, sin token): abre una sesión de 30 minutos con el mensaje
    inicial; el paso 2 es `complete_chat`. `tenant` es el espacio cuyo soporte responde (el
    predeterminado si se omite): uno que no existe, 404; uno desactivado, 400."""
    guest = await service.start(session, body.tenant or settings.default_tenant, body.initial_message,
                                settings.session_seconds, caught_up=caught_up)  # fmt: skip
    return GuestSessionRead(session_id=guest.id, expires_in=settings.session_seconds)


@router.post(
    "/complete_chat/",
    response_model=GuestChatRead,
    status_code=201,
    summary="Completar chat de invitado",
    responses=documented(SessionExpired, TooManyChats, RecaptchaFailed, WorkspaceInactive),
)
async def complete_guest_chat(body: GuestChatCreate, session: LiveSessionDep, request: Request) -> GuestChatRead:
    """Paso 2 del invitado (público): con sus datos de contacto crea el chat (en espera) con su
    primer mensaje. La respuesta trae `guest_token`, la credencial del invitado para su chat
    (cabecera `X-Guest-Token` o el primer mensaje del WebSocket). Sesión vencida o reCAPTCHA
    inválido: 400; demasiados chats por hora desde la misma dirección o email: 429. El `guest_token`
    vale `CHAT_GUEST_TOKEN_SECONDS` (7 días por defecto); después, 404.

    \f
    The reCAPTCHA is checked when CHAT_RECAPTCHA_MODE is `verify`; the hourly limit is
    CHAT_CHATS_PER_HOUR."""
    await request.app.state.recaptcha.check(body.recaptcha_token, client_address(request))
    live: list[Event] = []
    room, token = await service.complete(
        session,
        live,
        body,
        address=client_address(request),
        chats_per_hour=settings.chats_per_hour,
        token_seconds=settings.guest_token_seconds,
    )
    publish_after_commit(session, room.tenant_id, live)
    return GuestChatRead(chat_room_id=room.id, user_name=body.full_name, guest_token=token)


@router.get("/widget_settings/", response_model=WidgetSettingsRead, summary="Ajustes del widget de invitado")
async def get_widget_settings() -> WidgetSettingsRead:
    """Lo que el widget de chat del invitado debe mostrar antes de `complete_chat` (público): si
    se exige reCAPTCHA y con qué clave de sitio."""
    required = settings.recaptcha_mode == "verify"
    return WidgetSettingsRead(
        recaptcha_required=required, recaptcha_site_key=settings.recaptcha_site_key if required else None
    )


@router.post("/validate_session/", response_model=SessionCheckRead, summary="Validar sesión de invitado")
async def validate_guest_session(body: SessionCheckCreate, session: SessionDep) -> SessionCheckRead:
    """Si una sesión de `start_chat` sigue vigente (público). Una vencida o desconocida responde
    200 con `valid: false`."""
    guest = await service.live_session(session, body.session_id)
    if guest is None:
        return SessionCheckRead(valid=False, message="Sesión expirada o no encontrada")
    return SessionCheckRead(valid=True, has_message=bool(guest.initial_message), created_at=guest.created_at)


@router.post("/send_message/", response_model=MessageRead, status_code=201, summary="Enviar mensaje como invitado")
async def send_guest_message(
    body: GuestMessageCreate, session: LiveSessionDep, token: GuestToken = None
) -> MessageRead:
    """Un mensaje del invitado en su chat, con su `X-Guest-Token`; sin él o con uno de otro chat,
    404. En un chat cerrado, 400."""
    live: list[Event] = []
    message = await service.send(session, live, room_id=body.chat_room_id, token=token, content=body.content)
    publish_after_commit(session, message.tenant_id, live)
    return views.sent_read(message)


@router.get("/get_chat_status/", response_model=ChatStatusRead, summary="Estado del chat de invitado")
async def get_guest_chat_status(
    chat_room_id: Annotated[uuid.UUID, Query()], session: SessionDep, token: GuestToken = None
) -> ChatStatusRead:
    """El estado del chat del invitado (en espera, activo, resuelto, cerrado), su agente y los
    mensajes que no leyó; con su `X-Guest-Token` (sin él, 404)."""
    return await service.status(session, await service.room_of_guest(session, chat_room_id, token))


@notification_router.get("/get_notifications/", response_model=NotificationList, summary="Notificaciones del invitado")
async def list_guest_notifications(
    chat_room_id: Annotated[uuid.UUID, Query()], session: SessionDep, token: GuestToken = None
) -> NotificationList:
    """Las notificaciones del chat del invitado (un agente se unió, un mensaje nuevo, chat resuelto),
    con su `X-Guest-Token`."""
    room = await service.room_of_guest(session, chat_room_id, token)
    return await notifications.listing(session, room_id=room.id)


@notification_router.post(
    "/mark_read/", response_model=NotificationMarkRead, summary="Marcar leídas las notificaciones del invitado"
)
async def mark_guest_notifications_read(
    body: GuestNotificationMarkUpdate, session: SessionDep, token: GuestToken = None
) -> NotificationMarkRead:
    """Marca leídas las notificaciones indicadas del chat del invitado (todas si se omiten los ids),
    con su `X-Guest-Token`."""
    room = await service.room_of_guest(session, body.chat_room_id, token)
    ids = list(body.notification_ids) if body.notification_ids is not None else None
    count = await notifications.mark_read(session, ids, room_id=room.id)
    return NotificationMarkRead(message=f"{count} notificaciones marcadas como leídas", updated_count=count)
