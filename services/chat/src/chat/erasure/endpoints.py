"""A guest's right to erasure, by an administrator of the desk (`chat:eliminar`)."""

from fastapi import APIRouter

from chat.access import Supervisor
from chat.erasure import service
from chat.erasure.schemas import GuestErasureCreate, GuestErasureRead
from chat.hub import Event
from chat.sessions import LiveSessionDep, publish_after_commit

router = APIRouter(prefix="/api/chat", tags=["guests"])


@router.post("/guests/erase/", response_model=GuestErasureRead, summary="Borrar los datos de un invitado")
async def erase_guest(body: GuestErasureCreate, principal: Supervisor, session: LiveSessionDep) -> GuestErasureRead:
    """Derecho al olvido: borra todo lo que el soporte guarda del invitado del espacio de trabajo
    con este email (sin distinguir mayúsculas): sus chats con cada mensaje, las notificaciones
    sobre ellos, sus sesiones y sus datos de contacto. Sus WebSockets abiertos se cierran (código
    4410) y se publica `chat.guest.erased` (los webhooks borran sus copias). Responde lo borrado;
    todo en cero si no hay tal invitado. Solo quien administra el soporte (`chat:eliminar`).

    \f
    Another workspace's guest with the same email is not touched."""
    live: list[Event] = []
    erased = await service.erase(session, live, tenant_id=principal.tenant_id, email=str(body.email))
    publish_after_commit(session, principal.tenant_id, live)
    return erased
