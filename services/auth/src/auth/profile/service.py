from sqlalchemy.ext.asyncio import AsyncSession

from auth.models import Profile
from auth.profile.schemas import ProfileData, ProfilePatch
from shared.errors import InvalidRequest, NotFound
from shared.validation import changes


async def get(session: AsyncSession, user_id: int) -> Profile | None:
    return await session.get(Profile, user_id)


async def require(session: AsyncSession, user_id: int) -> Profile:
    profile = await get(session, user_id)
    if profile is None:
        raise NotFound("Perfil no encontrado.")
    return profile


async def create(session: AsyncSession, user_id: int, body: ProfileData) -> Profile:
    values = changes(body)
    if await get(session, user_id) is not None:
        raise InvalidRequest("El perfil ya existe; use PUT o PATCH.")
    profile = Profile(user_id=user_id, **values)
    session.add(profile)
    await session.flush()
    return profile


async def update(session: AsyncSession, user_id: int, body: ProfileData | ProfilePatch) -> Profile:
    """PUT replaces the whole profile (creating it if missing); PATCH changes the given fields."""
    values = changes(body)
    profile = await get(session, user_id)
    if profile is None:
        if isinstance(body, ProfilePatch):
            raise NotFound("Perfil no encontrado.")
        return await create(session, user_id, body)
    for field, value in values.items():
        setattr(profile, field, value)
    await session.flush()
    return profile
