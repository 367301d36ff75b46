"""002's `/api/config`, and the workspace's token usage and monthly budget (`/api/ai/...`)."""

from fastapi import APIRouter

from bots.access import AiAdmin, CanRead
from bots.workspace import service
from bots.workspace.schemas import BudgetUpdate, UsageRead, WorkspaceConfigRead, WorkspaceConfigUpdate
from shared.sessions import SessionDep

router = APIRouter(tags=["config"])


@router.get("/api/config", response_model=WorkspaceConfigRead, summary="Ver la configuración del asistente")
async def get_workspace_config(principal: CanRead, session: SessionDep) -> WorkspaceConfigRead:
    """La configuración del espacio (002): el modelo por defecto (`llm`), la autonomía del agente y
    los proveedores de nube habilitados (ia:ver)."""
    return service.as_out(await service.config_of(session, principal.tenant_id))


@router.put("/api/config", response_model=WorkspaceConfigRead, summary="Actualizar la configuración del asistente")
async def update_workspace_config(
    body: WorkspaceConfigUpdate, principal: AiAdmin, session: SessionDep
) -> WorkspaceConfigRead:
    """Cambia solo las partes enviadas de la configuración (002; administradores de la IA). Un `llm`
    cuyo proveedor no tiene una integración activa deja sin respuesta a los chats del espacio
    que no pidan otro modelo."""
    return service.as_out(await service.update_config(session, principal.tenant_id, body))


@router.get("/api/ai/usage/", response_model=UsageRead, tags=["ai"], summary="Ver el consumo de tokens")
async def get_token_usage(principal: AiAdmin, session: SessionDep) -> UsageRead:
    """Los tokens usados este mes (UTC) por bot y modelo, y el presupuesto mensual (administradores
    de la IA)."""
    return await service.usage(session, principal.tenant_id)


@router.put("/api/ai/budget/", response_model=UsageRead, tags=["ai"], summary="Fijar el presupuesto de tokens")
async def set_token_budget(body: BudgetUpdate, principal: AiAdmin, session: SessionDep) -> UsageRead:
    """El presupuesto mensual de tokens del espacio (`null`: sin límite). Pasado, los chats se
    rechazan con 429 antes de llamar a ningún proveedor. Responde con el consumo."""
    await service.set_budget(session, principal.tenant_id, body.monthly_tokens)
    return await service.usage(session, principal.tenant_id)
