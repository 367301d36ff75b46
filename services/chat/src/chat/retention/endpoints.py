"""A workspace's retention settings: what the desk keeps, and for how long (README "What is
kept, and for how long"). Read by the desk's staff, set by its supervisors (`chat:eliminar`)."""

from fastapi import APIRouter

from chat.access import CanSee, Supervisor
from chat.retention import service
from chat.retention.schemas import RetentionRead, RetentionUpdate
from shared.sessions import SessionDep

router = APIRouter(prefix="/api/chat", tags=["retention"])


@router.get("/retention/", response_model=RetentionRead)
async def get_retention(principal: CanSee, session: SessionDep) -> RetentionRead:
    """How long the workspace keeps notifications and finished chats (defaults: 90 days; forever)."""
    return await service.settings_of(session, principal.tenant_id)


@router.put("/retention/", response_model=RetentionRead)
async def set_retention(body: RetentionUpdate, principal: Supervisor, session: SessionDep) -> RetentionRead:
    """Notifications are deleted `notification_retention_days` after they were made; a resolved
    or closed chat is deleted whole (messages, notifications, the guest's details once no chat of
    theirs is left) `transcript_retention_days` after its last change, never when null. The
    retention jobs apply it within CHAT_RETENTION_INTERVAL_SECONDS."""
    return await service.set_settings(session, tenant_id=principal.tenant_id,
                                      notification_days=body.notification_retention_days,
                                      transcript_days=body.transcript_retention_days)  # fmt: skip
