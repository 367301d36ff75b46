from collections.abc import Sequence

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession

from auth.models import Module, Operation, Permission, Role


async def permission_names(session: AsyncSession, role: str) -> list[str]:
    """`["parcelas:ver", ...]` granted to the role named `role`."""
    rows = await session.execute(
        select(Module.nombre, Operation.nombre)
        .join(Permission, Permission.operation_id == Operation.id)
        .join(Module, Module.id == Operation.module_id)
        .join(Role, Role.id == Permission.role_id)
        .where(Role.nombre == role)
        .order_by(Module.nombre, Operation.nombre)
    )
    return [f"{module}:{operation}" for module, operation in rows]


def modules() -> Select[Module]:
    return select(Module).order_by(Module.id)


def roles() -> Select[Role]:
    return select(Role).order_by(Role.id)


def permissions(*, role_id: int | None, module_id: int | None) -> Select[Permission]:
    query = select(Permission).order_by(Permission.id)
    if role_id is not None:
        query = query.where(Permission.role_id == role_id)
    if module_id is not None:
        query = query.where(Permission.module_id == module_id)
    return query


async def get_module(session: AsyncSession, module_id: int) -> Module | None:
    return await session.get(Module, module_id)


async def get_role(session: AsyncSession, role_id: int) -> Role | None:
    return await session.get(Role, role_id)


async def get_operation(session: AsyncSession, operation_id: int) -> Operation | None:
    return await session.get(Operation, operation_id)


async def get_permission(session: AsyncSession, permission_id: int) -> Permission | None:
    return await session.get(Permission, permission_id)


async def find_permission(session: AsyncSession, *, role_id: int, operation_id: int) -> Permission | None:
    return await session.scalar(
        select(Permission).where(Permission.role_id == role_id, Permission.operation_id == operation_id)
    )


async def lookups(
    session: AsyncSession, permissions: Sequence[Permission]
) -> tuple[dict[int, Role], dict[int, Module], dict[int, Operation]]:
    """Roles, modules and operations referenced by `permissions`, in three queries."""
    role_ids = {p.role_id for p in permissions}
    module_ids = {p.module_id for p in permissions}
    operation_ids = {p.operation_id for p in permissions}
    roles_ = {r.id: r for r in await session.scalars(select(Role).where(Role.id.in_(role_ids)))}
    operations = {o.id: o for o in await session.scalars(select(Operation).where(Operation.id.in_(operation_ids)))}
    module_ids |= {o.module_id for o in operations.values()}
    modules_ = {m.id: m for m in await session.scalars(select(Module).where(Module.id.in_(module_ids)))}
    return roles_, modules_, operations


async def get_role_by_name(session: AsyncSession, name: str) -> Role | None:
    return await session.scalar(select(Role).where(Role.nombre == name))
