"""004's tasks (`/api/parcelas/{id}/tareas/`, `/api/tareas/...`) and recommendations.

Recommendations are `ia` tasks (004 says so): their endpoints are views over the same rows.
"""

from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request, Response

from agro.field import service as fields
from agro.task import service
from agro.task.schemas import (
    Decision,
    Estado,
    Origen,
    TaskCreate,
    TaskCreateGlobal,
    TaskDecisionRead,
    TaskPatch,
    TaskRead,
    TaskUpdate,
)
from shared.pagination import Page, PageParams, Pagination, build_page
from shared.security import Principal, RequirePermission, RequireWholeWorkspace
from shared.sessions import SessionDep
from shared.validation import Id, Text

router = APIRouter(tags=["tareas"])

Viewer = Annotated[Principal, Depends(RequirePermission("tareas", "ver"))]
Creator = Annotated[Principal, Depends(RequirePermission("tareas", "crear"))]
# Deleting is soft, so it is an update.
Updater = Annotated[Principal, Depends(RequirePermission("tareas", "actualizar"))]


Staff = Annotated[Principal, Depends(RequireWholeWorkspace("tareas", "ver"))]
StaffWriter = Annotated[Principal, Depends(RequireWholeWorkspace("tareas", "actualizar"))]


class TaskFilters:
    def __init__(
        self,
        estado: Estado | None = None,
        origen: Origen | None = None,
        decision: Decision | None = None,
        since: Annotated[datetime | None, Query(alias="from", description="fecha_programada desde (ISO)")] = None,
        until: Annotated[datetime | None, Query(alias="to", description="fecha_programada hasta (ISO)")] = None,
        search: Annotated[Text | None, Query(description="en tipo o descripción")] = None,
        include_deleted: bool = False,
    ) -> None:
        self.values: dict[str, Any] = {
            "estado": estado,
            "origen": origen,
            "decision": decision,
            "since": since,
            "until": until,
            "search": search,
            "include_deleted": include_deleted,
        }


Filters = Annotated[TaskFilters, Depends()]


async def _page(
    session: SessionDep, request: Request, params: PageParams, principal: Principal, **filters: Any
) -> Page[TaskRead]:
    count, rows = await service.page(session, principal, params, **filters)
    return build_page(request, params, count=count, results=rows, item=TaskRead)


# -- per field -------------------------------------------------------------------------------
@router.get("/api/parcelas/{field_id}/tareas/", response_model=Page[TaskRead])
async def list_field_tasks(
    field_id: Id, principal: Viewer, session: SessionDep, request: Request, params: Pagination, filters: Filters
) -> Page[TaskRead]:
    """Active tasks of the field; `include_deleted=true` for the history."""
    field = await fields.get(session, principal, field_id)
    return await _page(session, request, params, principal, field_id=field.id, **filters.values)


@router.post("/api/parcelas/{field_id}/tareas/", response_model=TaskRead, status_code=201)
async def create_field_task(field_id: Id, body: TaskCreate, principal: Creator, session: SessionDep) -> TaskRead:
    field = await fields.get(session, principal, field_id)
    return TaskRead.model_validate(await service.create(session, field, body))


# -- global ----------------------------------------------------------------------------------
@router.get("/api/tareas/", response_model=Page[TaskRead])
async def list_tasks(
    principal: Staff, session: SessionDep, request: Request, params: Pagination, filters: Filters
) -> Page[TaskRead]:
    """Every task of the workspace (administrador, tecnico)."""
    return await _page(session, request, params, principal, **filters.values)


@router.post("/api/tareas/", response_model=TaskRead, status_code=201)
async def create_task(body: TaskCreateGlobal, principal: Staff, session: SessionDep) -> TaskRead:
    field = await fields.get(session, principal, body.parcela)
    return TaskRead.model_validate(await service.create(session, field, body))


@router.get("/api/tareas/{task_id}/", response_model=TaskRead)
async def get_task(task_id: Id, principal: Viewer, session: SessionDep) -> TaskRead:
    return TaskRead.model_validate(await service.get(session, principal, task_id))


@router.put("/api/tareas/{task_id}/", response_model=TaskRead)
async def replace_task(task_id: Id, body: TaskUpdate, principal: Updater, session: SessionDep) -> TaskRead:
    task = await service.get(session, principal, task_id)
    return TaskRead.model_validate(await service.update(session, task, body))


@router.patch("/api/tareas/{task_id}/", response_model=TaskRead)
async def patch_task(task_id: Id, body: TaskPatch, principal: Updater, session: SessionDep) -> TaskRead:
    """`{"decision": "rechazada"}` on an `ia` task rejects it (and hides it), as `/reject/` does."""
    task = await service.get(session, principal, task_id)
    return TaskRead.model_validate(await service.update(session, task, body))


@router.delete("/api/tareas/{task_id}/", status_code=204, response_class=Response)
async def delete_task(task_id: Id, principal: Updater, session: SessionDep) -> Response:
    """Soft delete: the task leaves the lists and stays in the history."""
    await service.soft_delete(session, await service.get(session, principal, task_id))
    return Response(status_code=204)


@router.post("/api/tareas/{task_id}/accept/", response_model=TaskDecisionRead)
async def accept_task(task_id: Id, principal: Updater, session: SessionDep) -> TaskDecisionRead:
    await service.decide(session, await service.get(session, principal, task_id), "aceptada")
    return TaskDecisionRead(detail="Aceptado")


@router.post("/api/tareas/{task_id}/reject/", response_model=TaskDecisionRead)
async def reject_task(task_id: Id, principal: Updater, session: SessionDep) -> TaskDecisionRead:
    """Reject; an `ia` task is soft-deleted too."""
    await service.decide(session, await service.get(session, principal, task_id), "rechazada")
    return TaskDecisionRead(detail="Rechazado")


# -- recommendations (ia tasks) --------------------------------------------------------------
@router.get("/api/parcelas/{field_id}/recomendaciones/", response_model=Page[TaskRead])
async def list_field_recommendations(
    field_id: Id, principal: Viewer, session: SessionDep, request: Request, params: Pagination, filters: Filters
) -> Page[TaskRead]:
    field = await fields.get(session, principal, field_id)
    values = {**filters.values, "origen": "ia"}
    return await _page(session, request, params, principal, field_id=field.id, **values)


@router.post("/api/parcelas/{field_id}/recomendaciones/", response_model=TaskRead, status_code=201)
async def create_field_recommendation(
    field_id: Id, body: TaskCreate, principal: Creator, session: SessionDep
) -> TaskRead:
    """A recommendation written by a person (an agronomist): an `ia`-origin task pending decision."""
    field = await fields.get(session, principal, field_id)
    return TaskRead.model_validate(await service.create(session, field, body, origen="ia"))


@router.get("/api/recomendaciones/", response_model=Page[TaskRead])
async def list_recommendations(
    principal: Staff, session: SessionDep, request: Request, params: Pagination, filters: Filters
) -> Page[TaskRead]:
    return await _page(session, request, params, principal, **{**filters.values, "origen": "ia"})


@router.get("/api/recomendaciones/{task_id}/", response_model=TaskRead)
async def get_recommendation(task_id: Id, principal: Staff, session: SessionDep) -> TaskRead:
    return TaskRead.model_validate(await service.get(session, principal, task_id, origen="ia"))


@router.put("/api/recomendaciones/{task_id}/", response_model=TaskRead)
async def replace_recommendation(
    task_id: Id, body: TaskUpdate, principal: StaffWriter, session: SessionDep
) -> TaskRead:
    task = await service.get(session, principal, task_id, origen="ia")
    return TaskRead.model_validate(await service.update(session, task, body))


@router.patch("/api/recomendaciones/{task_id}/", response_model=TaskRead)
async def patch_recommendation(task_id: Id, body: TaskPatch, principal: StaffWriter, session: SessionDep) -> TaskRead:
    task = await service.get(session, principal, task_id, origen="ia")
    return TaskRead.model_validate(await service.update(session, task, body))


@router.delete("/api/recomendaciones/{task_id}/", status_code=204, response_class=Response)
async def delete_recommendation(task_id: Id, principal: StaffWriter, session: SessionDep) -> Response:
    await service.soft_delete(session, await service.get(session, principal, task_id, origen="ia"))
    return Response(status_code=204)
