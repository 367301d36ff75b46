"""002's `/api/config`, and the workspace's token usage and monthly budget (`/api/ai/...`)."""

from fastapi import APIRouter

from bots.access import AiAdmin, CanRead
from bots.workspace import service
from bots.workspace.schemas import BudgetUpdate, UsageRead, WorkspaceConfigRead, WorkspaceConfigUpdate
from shared.sessions import SessionDep

router = APIRouter(tags=["config"])


@router.get("/api/config", response_model=WorkspaceConfigRead)
async def get_config(principal: CanRead, session: SessionDep) -> WorkspaceConfigRead:
    return service.as_out(await service.config_of(session, principal.tenant_id))


@router.put("/api/config", response_model=WorkspaceConfigRead)
async def update_config(body: WorkspaceConfigUpdate, principal: AiAdmin, session: SessionDep) -> WorkspaceConfigRead:
    """Only the parts sent change."""
    return service.as_out(await service.update_config(session, principal.tenant_id, body))


@router.get("/api/ai/usage/", response_model=UsageRead, tags=["ai"])
async def get_usage(principal: AiAdmin, session: SessionDep) -> UsageRead:
    """Tokens used this month (UTC) per bot and model, and the budget."""
    return await service.usage(session, principal.tenant_id)


@router.put("/api/ai/budget/", response_model=UsageRead, tags=["ai"])
async def set_budget(body: BudgetUpdate, principal: AiAdmin, session: SessionDep) -> UsageRead:
    """The monthly token budget; past it, chat requests are refused with 429 before any provider is called."""
    await service.set_budget(session, principal.tenant_id, body.monthly_tokens)
    return await service.usage(session, principal.tenant_id)
