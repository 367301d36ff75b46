"""003's notifications of an agent (`/api/notifications/`). A guest's, for their room, with
their guest token (`/api/user-notifications/`), are `chat.guest.endpoints`'."""

from fastapi import APIRouter

from chat.access import CanSee
from chat.agent import service as agents
from chat.config import settings
from chat.notification import service
from chat.notification.schemas import (
    NotificationList,
    NotificationMarkRead,
    NotificationMarkUpdate,
    UnreadNotificationsRead,
)
from shared.sessions import SessionDep

router = APIRouter(prefix="/api/notifications", tags=["notifications"])


@router.get("/", response_model=NotificationList, summary="Notificaciones del agente")
async def list_agent_notifications(principal: CanSee, session: SessionDep) -> NotificationList:
    """Las últimas 100 notificaciones de quien llama como agente (chat nuevo, mensaje, asignado,
    transferido, resuelto), las más nuevas primero, con los totales (chat:ver)."""
    agent = await agents.of(session, principal, default_max=settings.default_max_chats)
    return await service.listing(session, agent_id=agent.id)


@router.post("/mark_read/", response_model=NotificationMarkRead, summary="Marcar notificaciones como leídas")
async def mark_notifications_read(
    body: NotificationMarkUpdate, principal: CanSee, session: SessionDep
) -> NotificationMarkRead:
    """Marca leídas las notificaciones indicadas de quien llama (las de otros no cuentan)."""
    agent = await agents.of(session, principal, default_max=settings.default_max_chats)
    count = await service.mark_read(session, list(body.notification_ids), agent_id=agent.id)
    return NotificationMarkRead(message=f"{count} notificaciones marcadas como leídas", updated_count=count)


@router.post(
    "/mark_all_read/", response_model=NotificationMarkRead, summary="Marcar todas las notificaciones como leídas"
)
async def mark_all_notifications_read(principal: CanSee, session: SessionDep) -> NotificationMarkRead:
    """Marca leídas todas las notificaciones de quien llama como agente."""
    agent = await agents.of(session, principal, default_max=settings.default_max_chats)
    count = await service.mark_read(session, None, agent_id=agent.id)
    return NotificationMarkRead(message=f"Todas las notificaciones ({count}) marcadas como leídas", updated_count=count)


@router.get("/unread_count/", response_model=UnreadNotificationsRead, summary="Contar notificaciones no leídas")
async def count_unread_notifications(principal: CanSee, session: SessionDep) -> UnreadNotificationsRead:
    """Cuántas notificaciones de quien llama como agente siguen sin leer."""
    agent = await agents.of(session, principal, default_max=settings.default_max_chats)
    return UnreadNotificationsRead(unread_count=await service.unread(session, agent_id=agent.id))
