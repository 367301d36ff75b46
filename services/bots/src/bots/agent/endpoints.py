"""000's `/api/v1/agents/`: list, create, detail, update, delete. Chatting with an agent is
`POST /api/v1/agents/{id}/chat/` (bots.turn.endpoints), the same machinery as `/api/chat`."""

from fastapi import APIRouter, Request, Response

from bots.access import CanChangeBots, CanCreateBots, CanSeeBots
from bots.agent import service
from bots.agent.schemas import AgentCreate, AgentRead, AgentUpdate
from bots.errors import UnknownTools
from bots.toolbox.service import delete as delete_bot
from bots.toolbox.service import editable, in_workspace
from shared.errors import documented
from shared.pagination import Page, Pagination, build_page
from shared.sessions import SessionDep
from shared.validation import Id

router = APIRouter(prefix="/api/v1/agents", tags=["agents"])


@router.get("/", response_model=Page[AgentRead], summary="Listar agentes de IA")
async def list_agents(
    principal: CanSeeBots, session: SessionDep, request: Request, params: Pagination
) -> Page[AgentRead]:
    """Los agentes de IA (bots) del espacio, paginados (ia:ver)."""
    count, rows = await service.page(session, principal.tenant_id, params)
    return build_page(request, params, count=count, results=[service.as_out(b) for b in rows], item=AgentRead)


@router.post(
    "/", response_model=AgentRead, status_code=201, summary="Crear un agente de IA", responses=documented(UnknownTools)
)
async def create_agent(body: AgentCreate, principal: CanCreateBots, session: SessionDep) -> AgentRead:
    """Un agente con instrucciones, un modelo, las herramientas que puede usar (todas si se omiten;
    ninguna con `[]`) y las bases de conocimiento de las que responde. Una herramienta que no
    existe: 400."""
    return service.as_out(await service.create(session, principal, body))


@router.get("/{agent_id}/", response_model=AgentRead, summary="Ver un agente de IA")
async def get_agent(agent_id: Id, principal: CanSeeBots, session: SessionDep) -> AgentRead:
    """Un agente del espacio (ia:ver); el de otro espacio: 404."""
    return service.as_out(await in_workspace(session, principal.tenant_id, agent_id))


@router.put(
    "/{agent_id}/", response_model=AgentRead, summary="Reemplazar un agente de IA", responses=documented(UnknownTools)
)
async def replace_agent(agent_id: Id, body: AgentCreate, principal: CanChangeBots, session: SessionDep) -> AgentRead:
    """El agente entero: lo omitido vuelve a su valor por defecto (todas las herramientas, sin bases
    de conocimiento). Su dueño o quien administra la IA del espacio (ia:actualizar); otro: 404."""
    bot = await editable(session, principal, agent_id)
    return service.as_out(await service.update(session, bot, body))


@router.patch(
    "/{agent_id}/", response_model=AgentRead, summary="Actualizar un agente de IA", responses=documented(UnknownTools)
)
async def update_agent(agent_id: Id, body: AgentUpdate, principal: CanChangeBots, session: SessionDep) -> AgentRead:
    """Cambia solo los campos enviados de un agente (su dueño o quien administra la IA del espacio)."""
    bot = await editable(session, principal, agent_id)
    return service.as_out(await service.update(session, bot, body))


@router.delete("/{agent_id}/", status_code=204, response_class=Response, summary="Eliminar un agente de IA")
async def delete_agent(agent_id: Id, principal: CanChangeBots, session: SessionDep) -> Response:
    """Elimina un agente (su dueño o quien administra la IA del espacio)."""
    await delete_bot(session, await editable(session, principal, agent_id))
    return Response(status_code=204)
