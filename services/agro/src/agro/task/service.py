"""Tasks: manual ones from people, `ia` ones suggested by brain and decided by people.

Deleting is soft (`deleted_at`); lists hide deleted tasks unless asked. Rejecting an `ia`
task soft-deletes it too. Every decision is published for brain's KPIs.
"""

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from agro import events
from agro.models import Field, Task
from agro.task.schemas import TaskCreate, TaskPatch, TaskUpdate
from shared.errors import NotFound
from shared.pagination import PageParams
from shared.repository import assign, fetch_page
from shared.security import Principal
from shared.validation import changes


def visible(principal: Principal) -> Select[Task]:
    query = select(Task).where(Task.tenant_id == principal.tenant_id)
    if not principal.sees_whole_workspace:
        owned = select(Field.id).where(Field.usuario_id == principal.user_id)
        query = query.where(Task.parcela_id.in_(owned))
    return query


async def page(
    session: AsyncSession, principal: Principal, params: PageParams, **filters: Any
) -> tuple[int, Sequence[Task]]:
    """One page of `listing(principal, **filters)`."""
    return await fetch_page(session, listing(principal, **filters), params)


def listing(
    principal: Principal,
    *,
    field_id: int | None = None,
    estado: str | None = None,
    origen: str | None = None,
    decision: str | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    search: str | None = None,
    include_deleted: bool = False,
) -> Select[Task]:
    query = visible(principal)
    if field_id is not None:
        query = query.where(Task.parcela_id == field_id)
    if not include_deleted:
        query = query.where(Task.deleted_at.is_(None))
    for column, value in ((Task.estado, estado), (Task.origen, origen), (Task.decision, decision)):
        if value is not None:
            query = query.where(column == value)
    if since is not None:
        query = query.where(Task.fecha_programada >= since)
    if until is not None:
        query = query.where(Task.fecha_programada <= until)
    if search:
        query = query.where(or_(Task.tipo.ilike(f"%{search}%"), Task.descripcion.ilike(f"%{search}%")))
    return query.order_by(Task.fecha_programada.desc().nulls_last(), Task.id.desc())


async def get(session: AsyncSession, principal: Principal, task_id: int, *, origen: str | None = None) -> Task:
    """A deleted task is still reachable by id (its history), but not another farmer's."""
    query = visible(principal).where(Task.id == task_id)
    if origen is not None:
        query = query.where(Task.origen == origen)
    task = await session.scalar(query)
    if task is None:
        raise NotFound("Tarea no encontrada.")
    return task


async def create(
    session: AsyncSession, field: Field, body: TaskCreate, *, origen: str = "manual", regla_id: int | None = None
) -> Task:
    values = changes(body, exclude=frozenset({"parcela"}))
    task = Task(
        tenant_id=field.tenant_id, parcela_id=field.id, origen=origen, decision="pendiente", regla_id=regla_id, **values
    )
    session.add(task)
    await session.flush()
    created = events.TaskCreated(tarea_id=task.id, parcela_id=task.parcela_id, origen=origen, regla_id=regla_id)
    await events.outbox.emit(session, created, tenant_id=task.tenant_id)
    return task


async def update(session: AsyncSession, task: Task, body: TaskUpdate | TaskPatch) -> Task:
    values = changes(body)
    decision = values.pop("decision", None)
    assign(task, values)
    if decision is not None and decision != task.decision:
        await decide(session, task, decision)
    await session.flush()
    return task


async def decide(session: AsyncSession, task: Task, decision: str) -> None:
    """Accept or reject; rejecting an `ia` suggestion removes it from the lists."""
    task.decision = decision
    if decision == "rechazada" and task.origen == "ia" and task.deleted_at is None:
        task.deleted_at = datetime.now(UTC)
    await session.flush()
    event = events.TaskDecided(
        tarea_id=task.id, parcela_id=task.parcela_id, origen=task.origen, decision=decision, regla_id=task.regla_id
    )
    await events.outbox.emit(session, event, tenant_id=task.tenant_id)


async def soft_delete(session: AsyncSession, task: Task) -> None:
    if task.deleted_at is None:
        task.deleted_at = datetime.now(UTC)
        await session.flush()
        deleted = events.TaskDeleted(
            tarea_id=task.id, parcela_id=task.parcela_id, origen=task.origen, regla_id=task.regla_id
        )
        await events.outbox.emit(session, deleted, tenant_id=task.tenant_id)


async def suggest(session: AsyncSession, *, tenant_id: int, suggestion: events.TaskSuggested) -> Task | None:
    """Create the `ia` task brain suggests, unless the field is gone or an identical one is open."""
    field = await session.scalar(
        select(Field).where(Field.id == suggestion.parcela_id, Field.tenant_id == tenant_id).with_for_update()
    )
    if field is None:
        return None
    regla_id = suggestion.regla_id
    tipo = suggestion.tipo or "recomendacion"
    open_same = await session.scalar(
        select(Task.id).where(
            Task.parcela_id == field.id,
            Task.origen == "ia",
            Task.decision == "pendiente",
            Task.deleted_at.is_(None),
            Task.regla_id == regla_id if regla_id is not None else Task.tipo == tipo,
        )
    )
    if open_same is not None:
        return None
    body = TaskCreate(tipo=tipo[:100], descripcion=suggestion.descripcion, fecha_programada=suggestion.fecha_programada)
    task = await create(session, field, body, origen="ia", regla_id=regla_id)
    suggested = events.SuggestedTaskCreated(
        tarea_id=task.id, parcela_id=task.parcela_id, regla_id=task.regla_id, tipo=task.tipo,
        descripcion=task.descripcion, fecha_programada=task.fecha_programada,
    )  # fmt: skip
    await events.outbox.emit(session, suggested, tenant_id=task.tenant_id)
    return task
