"""A workspace's retention settings: what the desk keeps, and for how long (README "What is
kept, and for how long"). Read by the desk's staff, set by its supervisors (`chat:eliminar`)."""

from fastapi import APIRouter

from chat.access import CanSee, Supervisor
from chat.retention import service
from chat.retention.schemas import RetentionRead, RetentionUpdate
from shared.sessions import SessionDep

router = APIRouter(prefix="/api/chat", tags=["retention"])


@router.get("/retention/", response_model=RetentionRead, summary="Consultar la retención del chat")
async def get_retention(principal: CanSee, session: SessionDep) -> RetentionRead:
    """Cuánto tiempo guarda el espacio de trabajo las notificaciones y los chats terminados (por
    defecto: 90 días; para siempre). Para el personal del soporte."""
    return await service.settings_of(session, principal.tenant_id)


@router.put("/retention/", response_model=RetentionRead, summary="Configurar la retención del chat")
async def set_retention(body: RetentionUpdate, principal: Supervisor, session: SessionDep) -> RetentionRead:
    """Las notificaciones se eliminan `notification_retention_days` días después de creadas; un
    chat resuelto o cerrado se elimina entero (mensajes, notificaciones y los datos del invitado
    cuando no le quedan chats) `transcript_retention_days` días después de su último cambio, nunca
    si es null. Solo quien administra el soporte (`chat:eliminar`; 403 para los demás).

    \f
    The retention jobs apply it within CHAT_RETENTION_INTERVAL_SECONDS."""
    return await service.set_settings(session, tenant_id=principal.tenant_id,
                                      notification_days=body.notification_retention_days,
                                      transcript_days=body.transcript_retention_days)  # fmt: skip
