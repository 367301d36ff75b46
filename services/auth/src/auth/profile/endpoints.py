"""004's `/api/user/profile/`: the caller's own profile."""

from fastapi import APIRouter

from auth.profile import service
from auth.profile.schemas import ProfileCreate, ProfileRead, ProfileUpdate
from shared.security import CurrentPrincipal
from shared.sessions import SessionDep

router = APIRouter(prefix="/api/user/profile", tags=["profile"])


@router.get("/", response_model=ProfileRead, summary="Ver mi perfil")
async def get_profile(principal: CurrentPrincipal, session: SessionDep) -> ProfileRead:
    """El perfil de quien llama (004). 404 si aún no lo creó (`POST /api/user/profile/`)."""
    return ProfileRead.model_validate(await service.require(session, principal.user_id))


@router.post("/", response_model=ProfileRead, status_code=201, summary="Crear mi perfil")
async def create_profile(body: ProfileCreate, principal: CurrentPrincipal, session: SessionDep) -> ProfileRead:
    """Crea el perfil de quien llama (004). Si ya tiene uno, 400: se cambia con PUT o PATCH."""
    profile = await service.create(session, principal.user_id, body)
    return ProfileRead.model_validate(profile)


@router.put("/", response_model=ProfileRead, summary="Reemplazar mi perfil")
async def replace_profile(body: ProfileCreate, principal: CurrentPrincipal, session: SessionDep) -> ProfileRead:
    """Escribe el perfil entero de quien llama (004): lo omitido vuelve a su valor vacío.
    404 si aún no lo creó."""
    profile = await service.update(session, principal.user_id, body)
    return ProfileRead.model_validate(profile)


@router.patch("/", response_model=ProfileRead, summary="Actualizar mi perfil")
async def update_profile(body: ProfileUpdate, principal: CurrentPrincipal, session: SessionDep) -> ProfileRead:
    """Cambia solo los campos enviados del perfil de quien llama (004). 404 si aún no lo creó."""
    profile = await service.update(session, principal.user_id, body)
    return ProfileRead.model_validate(profile)
