"""003's `/api/agents/` (the workspace's agents) and the caller as an agent (`/api/agents/me/`).
Changing one's availability and the auto-assignment switch drain the queue: they are
`chat.assignment.endpoints`'."""

from fastapi import APIRouter

from chat.access import CanAnswer, CanSee
from chat.agent import service
from chat.agent.schemas import AgentRead
from chat.config import settings
from shared.sessions import SessionDep

router = APIRouter(prefix="/api/agents", tags=["agents"])


@router.get(
    "/",
    response_model=list[AgentRead],
    summary="Listar agentes de soporte",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": [
                        {
                            "id": 1,
                            "user": {
                                "id": 3,
                                "first_name": "Lucía",
                                "last_name": "Quispe",
                                "email": "lucia.quispe@ejemplo.com",
                            },
                            "is_available": True,
                            "current_active_chats": 2,
                            "max_concurrent_chats": 5,
                        }
                    ]
                }
            }
        }
    },
)
async def list_support_agents(principal: CanSee, session: SessionDep) -> list[AgentRead]:
    """Los agentes de soporte del espacio, con su disponibilidad y su carga (chat:ver)."""
    return await service.agents_read(session, await service.listing(session, principal.tenant_id))


@router.get("/me/", response_model=AgentRead, summary="Ver mi registro de agente")
async def get_own_agent(principal: CanAnswer, session: SessionDep) -> AgentRead:
    """Quien llama como agente de soporte (chat:actualizar): su disponibilidad, sus chats activos y
    su capacidad. Se crea en su primera visita."""
    agent = await service.of(session, principal, default_max=settings.default_max_chats)
    return (await service.agents_read(session, [agent]))[0]
