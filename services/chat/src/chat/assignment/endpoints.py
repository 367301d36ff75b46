"""003's agent moves that let waiting chats drain to agents: an agent's own availability and
capacity (`PATCH /api/agents/me/`) and the desk's auto-assignment switch (supervisors)."""

from fastapi import APIRouter

from chat.access import CanAnswer, CanSee, Supervisor
from chat.agent import service as agents
from chat.agent.schemas import AgentRead, AgentUpdate
from chat.assignment import service
from chat.assignment.schemas import AutoAssignmentRead, AutoAssignmentUpdate
from chat.config import settings
from chat.hub import Event
from chat.sessions import LiveSessionDep, publish_after_commit
from shared.sessions import SessionDep
from shared.validation import changes

# `chat.agent.endpoints`' prefix: these are 003's `/api/agents/...` too.
router = APIRouter(prefix="/api/agents", tags=["agents"])


@router.patch("/me/", response_model=AgentRead, summary="Cambiar mi disponibilidad")
async def update_own_agent(body: AgentUpdate, principal: CanAnswer, session: LiveSessionDep) -> AgentRead:
    """La disponibilidad y la capacidad (chats a la vez) de quien llama como agente (chat:actualizar).
    Con la asignación automática activa, quedar disponible (o aceptar más) le asigna chats en
    espera. Al cerrarse su último WebSocket queda no disponible."""
    live: list[Event] = []
    out = await service.update_own(
        session, live, principal=principal, values=changes(body), default_max=settings.default_max_chats
    )
    publish_after_commit(session, principal.tenant_id, live)
    return out


@router.get("/auto_assignment/", response_model=AutoAssignmentRead, summary="Ver la asignación automática")
async def get_auto_assignment(principal: CanSee, session: SessionDep) -> AutoAssignmentRead:
    """Si los chats nuevos del espacio se asignan solos a un agente disponible (chat:ver)."""
    return AutoAssignmentRead(enabled=await agents.auto_assign(session, principal.tenant_id))


@router.put(
    "/auto_assignment/", response_model=AutoAssignmentRead, summary="Activar o desactivar la asignación automática"
)
async def set_auto_assignment(
    body: AutoAssignmentUpdate, principal: Supervisor, session: LiveSessionDep
) -> AutoAssignmentRead:
    """Solo supervisores (chat:eliminar). Apagada (por defecto), los chats nuevos esperan a que un
    agente los tome; encendida, van al agente disponible menos ocupado."""
    live: list[Event] = []
    await service.set_auto_assignment(session, live, tenant_id=principal.tenant_id, enabled=body.enabled)
    publish_after_commit(session, principal.tenant_id, live)
    return AutoAssignmentRead(enabled=body.enabled)
