"""A guest's right to erasure, by an administrator of the desk (`chat:eliminar`)."""

from fastapi import APIRouter

from chat.access import Supervisor
from chat.erasure import service
from chat.erasure.schemas import GuestErasureCreate, GuestErasureRead
from chat.hub import Event
from chat.sessions import LiveSessionDep, publish_after_commit

router = APIRouter(prefix="/api/chat", tags=["guests"])


@router.post("/guests/erase/", response_model=GuestErasureRead)
async def erase_guest(body: GuestErasureCreate, principal: Supervisor, session: LiveSessionDep) -> GuestErasureRead:
    """Erases every trace of the workspace's guest with this email (any case): their chats with
    every message, the notifications about them, their sessions and contact details. Their open
    sockets are closed (code 4410) and `chat.guest.erased` is published (webhooks then drops its
    copies). Answers what was erased; all zeros when the workspace has no such guest."""
    live: list[Event] = []
    erased = await service.erase(session, live, tenant_id=principal.tenant_id, email=str(body.email))
    publish_after_commit(session, principal.tenant_id, live)
    return erased
