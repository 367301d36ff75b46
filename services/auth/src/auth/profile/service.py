from sqlalchemy.ext.asyncio import AsyncSession

from auth import events
from auth.account import repository as accounts
from auth.models import Profile
from auth.profile.schemas import ProfileCreate, ProfileUpdate
from shared.errors import InvalidRequest, NotFound
from shared.validation import changes


def display_name(nombres: str, apellidos: str) -> str | None:
    """What other services show for a person: "nombres apellidos", or None when both are empty."""
    return " ".join(part.strip() for part in (nombres, apellidos) if part.strip()) or None


async def get(session: AsyncSession, user_id: int) -> Profile | None:
    return await session.get(Profile, user_id)


async def require(session: AsyncSession, user_id: int) -> Profile:
    profile = await get(session, user_id)
    if profile is None:
        raise NotFound("Perfil no encontrado.")
    return profile


async def announce_names(session: AsyncSession, user_id: int, name: str | None) -> None:
    """`auth.user.profile_changed`, for a profile whose names are now `name`."""
    user = await accounts.get(session, user_id)
    if user is None:
        return
    await events.outbox.emit(
        session,
        events.UserProfileChanged(user_id=user_id, tenant_id=user.tenant_id, display_name=name),
        tenant_id=user.tenant_id,
    )


async def create(session: AsyncSession, user_id: int, body: ProfileCreate) -> Profile:
    values = changes(body)
    if await get(session, user_id) is not None:
        raise InvalidRequest("El perfil ya existe; use PUT o PATCH.")
    profile = Profile(user_id=user_id, **values)
    session.add(profile)
    await session.flush()
    if (name := display_name(profile.nombres or "", profile.apellidos or "")) is not None:
        await announce_names(session, user_id, name)
    return profile


async def update(session: AsyncSession, user_id: int, body: ProfileCreate | ProfileUpdate) -> Profile:
    """PUT replaces the whole profile (creating it if missing); PATCH changes the given fields."""
    values = changes(body)
    profile = await get(session, user_id)
    if profile is None:
        if isinstance(body, ProfileUpdate):
            raise NotFound("Perfil no encontrado.")
        return await create(session, user_id, body)
    before = display_name(profile.nombres, profile.apellidos)
    for field, value in values.items():
        setattr(profile, field, value)
    await session.flush()
    if (after := display_name(profile.nombres, profile.apellidos)) != before:
        await announce_names(session, user_id, after)
    return profile
