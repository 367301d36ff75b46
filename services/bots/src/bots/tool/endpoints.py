"""002's `/api/tools` (the tools available) and `/api/tools/execute` (run one directly)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Request

from bots.access import CanChat, CanRead
from bots.errors import ToolError, ToolNotFound
from bots.tool import service
from bots.tool.schemas import ToolCallCreate, ToolCallRead, ToolList, ToolRead
from bots.tooling import ToolContext
from shared.errors import NotAuthenticated, documented
from shared.security.dependencies import bearer_token
from shared.sessions import SessionDep

router = APIRouter(prefix="/api/tools", tags=["tools"])


@router.get("", response_model=ToolList, summary="Listar herramientas")
async def list_tools(principal: CanRead, session: SessionDep, request: Request) -> ToolList:
    """Las herramientas disponibles (002): las de la plataforma y las de las APIs aprendidas del
    espacio, con el esquema de sus parámetros; `mutating` dice si cambian algo (ia:ver)."""
    tools = await service.for_workspace(session, principal.tenant_id, request.app.state.outbound)
    return ToolList(tools=[
        ToolRead(name=t.name, description=t.description, category=t.category, parameters=t.parameters,
                mutating=t.mutating)
        for t in sorted(tools.values(), key=lambda tool: (tool.category, tool.name))
    ])  # fmt: skip


@router.post(
    "/execute",
    response_model=ToolCallRead,
    summary="Ejecutar una herramienta",
    responses=documented(ToolNotFound, ToolError),
)
async def execute_tool(
    body: ToolCallCreate,
    principal: CanChat,
    request: Request,
    session: SessionDep,
    token: Annotated[str | None, Depends(bearer_token)],
) -> ToolCallRead:
    """Ejecuta una herramienta directamente como quien llama (002), con sus parámetros validados
    contra su esquema. Una herramienta que no existe: 404; una que no pudo responder: 502."""
    if token is None:
        raise NotAuthenticated()
    workspace_tools = await service.for_workspace(session, principal.tenant_id, request.app.state.outbound)
    tool = service.find(workspace_tools, body.tool)
    state = request.app.state
    context = ToolContext(principal, token, state.platform, state.sessionmaker, embedder=state.embedder)
    result = await service.execute(request.app.state.sessionmaker, tool, body.parameters, context)
    return ToolCallRead(tool=tool.name, result=result)
