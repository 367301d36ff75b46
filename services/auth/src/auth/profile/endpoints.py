"""004's `/api/user/profile/`: the caller's own profile."""

from fastapi import APIRouter

from auth.profile import service
from auth.profile.schemas import ProfileData, ProfilePatch
from shared.security import CurrentPrincipal
from shared.sessions import SessionDep

router = APIRouter(prefix="/api/user/profile", tags=["profile"])


@router.get("/", response_model=ProfileData)
async def read_profile(principal: CurrentPrincipal, session: SessionDep) -> ProfileData:
    return ProfileData.model_validate(await service.require(session, principal.user_id))


@router.post("/", response_model=ProfileData, status_code=201)
async def create_profile(body: ProfileData, principal: CurrentPrincipal, session: SessionDep) -> ProfileData:
    profile = await service.create(session, principal.user_id, body)
    return ProfileData.model_validate(profile)


@router.put("/", response_model=ProfileData)
async def replace_profile(body: ProfileData, principal: CurrentPrincipal, session: SessionDep) -> ProfileData:
    profile = await service.update(session, principal.user_id, body)
    return ProfileData.model_validate(profile)


@router.patch("/", response_model=ProfileData)
async def patch_profile(body: ProfilePatch, principal: CurrentPrincipal, session: SessionDep) -> ProfileData:
    profile = await service.update(session, principal.user_id, body)
    return ProfileData.model_validate(profile)
