"""004's prospects: a public application, reviewed by the workspace's admins."""

from typing import Annotated

from fastapi import APIRouter, Depends

from auth.access import PersonWithPermission
from auth.prospect import service
from auth.prospect.schemas import ProspectAcceptanceCreate, ProspectAcceptanceRead, ProspectCreate, ProspectRead
from shared.security import Principal, RequirePermission
from shared.sessions import SessionDep
from shared.validation import Id

router = APIRouter(prefix="/api/user/prospectos", tags=["prospects"])

CanViewUsers = Annotated[Principal, Depends(RequirePermission("usuarios", "ver"))]
# Making an account is managing the team: a person's act, never an API key's.
CanCreateUsers = Annotated[Principal, Depends(PersonWithPermission("usuarios", "crear"))]


@router.post("/", response_model=ProspectRead, status_code=201)
async def apply(body: ProspectCreate, session: SessionDep) -> ProspectRead:
    """Apply to become a farmer (public: no token)."""
    return ProspectRead.model_validate(await service.apply(session, body))


@router.get("/", response_model=list[ProspectRead])
async def list_prospects(principal: CanViewUsers, session: SessionDep) -> list[ProspectRead]:
    """The applications to the caller's workspace (admin)."""
    return [ProspectRead.model_validate(p) for p in await service.list_for(session, principal.tenant_id)]


@router.get("/{prospect_id}/", response_model=ProspectRead)
async def get_prospect(prospect_id: Id, principal: CanViewUsers, session: SessionDep) -> ProspectRead:
    return ProspectRead.model_validate(await service.get_for(session, principal.tenant_id, prospect_id))


@router.post("/{prospect_id}/aceptar/", response_model=ProspectAcceptanceRead, status_code=201)
async def accept(
    prospect_id: Id, body: ProspectAcceptanceCreate, principal: CanCreateUsers, session: SessionDep
) -> ProspectAcceptanceRead:
    """Create the `agricultor` user for an application (admin)."""
    await service.accept(session, principal.tenant_id, prospect_id, body)
    return ProspectAcceptanceRead()
