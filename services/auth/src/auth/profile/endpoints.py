"""004's `/api/user/profile/`: the caller's own profile."""

from fastapi import APIRouter

from auth.profile import service
from auth.profile.schemas import ProfileCreate, ProfileRead, ProfileUpdate
from shared.security import CurrentPrincipal
from shared.sessions import SessionDep

router = APIRouter(prefix="/api/user/profile", tags=["profile"])


@router.get("/", response_model=ProfileRead)
async def read_profile(principal: CurrentPrincipal, session: SessionDep) -> ProfileRead:
    return ProfileRead.model_validate(await service.require(session, principal.user_id))


@router.post("/", response_model=ProfileRead, status_code=201)
async def create_profile(body: ProfileCreate, principal: CurrentPrincipal, session: SessionDep) -> ProfileRead:
    profile = await service.create(session, principal.user_id, body)
    return ProfileRead.model_validate(profile)


@router.put("/", response_model=ProfileRead)
async def replace_profile(body: ProfileCreate, principal: CurrentPrincipal, session: SessionDep) -> ProfileRead:
    profile = await service.update(session, principal.user_id, body)
    return ProfileRead.model_validate(profile)


@router.patch("/", response_model=ProfileRead)
async def patch_profile(body: ProfileUpdate, principal: CurrentPrincipal, session: SessionDep) -> ProfileRead:
    profile = await service.update(session, principal.user_id, body)
    return ProfileRead.model_validate(profile)
