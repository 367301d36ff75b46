"""Prospective farmers apply publicly; an admin of the workspace turns one into a user."""

from collections.abc import Sequence

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.account import service as accounts
from auth.errors import AccountExists, UsernameTaken
from auth.models import Profile, Prospect, Tenant, User
from auth.profile import service as profiles
from auth.prospect.schemas import ProspectAcceptanceCreate, ProspectCreate
from auth.rbac import names as roles
from shared.errors import InvalidRequest, NotFound


async def _platform_tenant(session: AsyncSession) -> int | None:
    return await session.scalar(
        select(User.tenant_id).where(User.is_platform_admin.is_(True)).order_by(User.id).limit(1)
    )


async def apply(session: AsyncSession, application: ProspectCreate) -> Prospect:
    tenant_id = application.tenant or await _platform_tenant(session)
    tenant = await session.get(Tenant, tenant_id) if tenant_id else None
    if tenant is None or not tenant.is_active:
        raise InvalidRequest("Datos inválidos.", fields={"tenant": ["Espacio de trabajo no encontrado."]})
    values = application.model_dump(exclude={"tenant"})
    values["correo"] = str(application.correo)
    prospect = Prospect(tenant_id=tenant.id, estado="pendiente", **values)
    session.add(prospect)
    await session.flush()
    return prospect


async def list_for(session: AsyncSession, tenant_id: int) -> Sequence[Prospect]:
    return (await session.scalars(select(Prospect).where(Prospect.tenant_id == tenant_id).order_by(Prospect.id))).all()


async def get_for(session: AsyncSession, tenant_id: int, prospect_id: int) -> Prospect:
    prospect = await session.get(Prospect, prospect_id)
    if prospect is None or prospect.tenant_id != tenant_id:
        raise NotFound()
    return prospect


async def accept(session: AsyncSession, tenant_id: int, prospect_id: int, body: ProspectAcceptanceCreate) -> User:
    prospect = await get_for(session, tenant_id, prospect_id)
    if prospect.estado != "pendiente":
        raise InvalidRequest("El prospecto ya fue procesado.")
    name = profiles.display_name(prospect.nombre_completo, "")
    try:
        user = await accounts.add_member(
            session,
            tenant_id=prospect.tenant_id,
            username=body.username,
            email=str(body.correo) if body.correo else prospect.correo,
            password=body.password,
            role=roles.FARMER,
            display_name=name,
        )
    except AccountExists as exc:
        raise UsernameTaken() from exc
    # An application's full name may run to 200 characters, a profile's names to 150 each:
    # what does not fit the first goes on in the second, so nothing is cut nor refused.
    names_max = 150  # auth.profiles.nombres and .apellidos are VARCHAR(150)
    full = prospect.nombre_completo
    session.add(
        Profile(
            user_id=user.id,
            nombres=full[:names_max],
            apellidos=full[names_max:].strip()[:names_max],
            dni=prospect.dni,
            telefono=prospect.telefono,
        )
    )
    prospect.estado = "aprobado"
    await session.flush()
    if name is not None:
        await profiles.announce_names(session, user.id, name)
    return user
