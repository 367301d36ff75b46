"""Permissions (global, written by platform admins) and users' roles (within a tenant)."""

from collections.abc import Sequence

from sqlalchemy.ext.asyncio import AsyncSession

from auth.models import Module, Permission, Role
from auth.rbac import repository
from auth.rbac.schemas import ModuleRead, OperationRead, PermissionRead, RoleRead
from shared.errors import InvalidRequest, NotFound
from shared.pagination import PageParams
from shared.repository import fetch_page


async def module_page(session: AsyncSession, params: PageParams) -> tuple[int, Sequence[Module]]:
    return await fetch_page(session, repository.modules(), params)


async def get_module(session: AsyncSession, module_id: int) -> Module:
    module = await repository.get_module(session, module_id)
    if module is None:
        raise NotFound()
    return module


async def role_page(session: AsyncSession, params: PageParams) -> tuple[int, Sequence[Role]]:
    return await fetch_page(session, repository.roles(), params)


async def get_role(session: AsyncSession, role_id: int) -> Role:
    role = await repository.get_role(session, role_id)
    if role is None:
        raise NotFound()
    return role


async def permission_page(
    session: AsyncSession, params: PageParams, *, role_id: int | None, module_id: int | None
) -> tuple[int, list[PermissionRead]]:
    count, rows = await fetch_page(session, repository.permissions(role_id=role_id, module_id=module_id), params)
    return count, await describe(session, rows)


async def get_permission(session: AsyncSession, permission_id: int) -> PermissionRead:
    permission = await repository.get_permission(session, permission_id)
    if permission is None:
        raise NotFound()
    return (await describe(session, [permission]))[0]


async def describe(session: AsyncSession, permissions: Sequence[Permission]) -> list[PermissionRead]:
    roles, modules, operations = await repository.lookups(session, permissions)
    described = []
    for permission in permissions:
        operation = operations[permission.operation_id]
        described.append(
            PermissionRead(
                id=permission.id,
                rol=RoleRead.model_validate(roles[permission.role_id]),
                modulo=ModuleRead.model_validate(modules[permission.module_id]),
                operacion=OperationRead(
                    id=operation.id,
                    nombre=operation.nombre,
                    modulo=ModuleRead.model_validate(modules[operation.module_id]),
                ),
            )
        )
    return described


async def grant(session: AsyncSession, *, role_id: int, module_id: int, operation_id: int) -> Permission:
    role = await repository.get_role(session, role_id)
    module = await repository.get_module(session, module_id)
    operation = await repository.get_operation(session, operation_id)
    fields: dict[str, list[str]] = {}
    if role is None:
        fields["rol_id"] = ["Rol no encontrado."]
    if module is None:
        fields["modulo_id"] = ["Módulo no encontrado."]
    if operation is None:
        fields["operacion_id"] = ["Operación no encontrada."]
    elif module is not None and operation.module_id != module.id:
        fields["operacion_id"] = ["La operación no pertenece al módulo."]
    if fields:
        raise InvalidRequest("Datos inválidos.", fields=fields)
    if await repository.find_permission(session, role_id=role_id, operation_id=operation_id):
        raise InvalidRequest("El rol ya tiene ese permiso.", fields={"operacion_id": ["Permiso duplicado."]})
    permission = Permission(role_id=role_id, module_id=module_id, operation_id=operation_id)
    session.add(permission)
    await session.flush()
    return permission


async def revoke(session: AsyncSession, permission_id: int) -> None:
    permission = await repository.get_permission(session, permission_id)
    if permission is None:
        raise NotFound()
    await session.delete(permission)
