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
@router.get("/api/parcelas/{parcela_id}/tareas/", response_model=Page[TaskRead], summary="Listar tareas de una parcela")
async def list_field_tasks(
    parcela_id: Id, principal: Viewer, session: SessionDep, request: Request, params: Pagination, filters: Filters
) -> Page[TaskRead]:
    """Las tareas activas de la parcela, paginadas, con filtros por estado, origen, decisión,
    fecha programada (`from`, `to`) y texto; `include_deleted=true` incluye las eliminadas (el
    historial). Requiere el permiso `tareas:ver`."""
    field = await fields.get(session, principal, parcela_id)
    return await _page(session, request, params, principal, field_id=field.id, **filters.values)


@router.post(
    "/api/parcelas/{parcela_id}/tareas/", response_model=TaskRead, status_code=201, summary="Crear tarea en una parcela"
)
async def create_field_task(parcela_id: Id, body: TaskCreate, principal: Creator, session: SessionDep) -> TaskRead:
    """Crea una tarea manual en la parcela. Requiere el permiso `tareas:crear`."""
    field = await fields.get(session, principal, parcela_id)
    return TaskRead.model_validate(await service.create(session, field, body))


# -- global ----------------------------------------------------------------------------------
@router.get("/api/tareas/", response_model=Page[TaskRead], summary="Listar tareas")
async def list_tasks(
    principal: Staff, session: SessionDep, request: Request, params: Pagination, filters: Filters
) -> Page[TaskRead]:
    """Todas las tareas del espacio de trabajo, paginadas y con los mismos filtros que las de
    una parcela. Para quien ve todo el espacio (administrador, técnico): un agricultor recibe 403."""
    return await _page(session, request, params, principal, **filters.values)


@router.post("/api/tareas/", response_model=TaskRead, status_code=201, summary="Crear tarea")
async def create_task(body: TaskCreateGlobal, principal: Staff, session: SessionDep) -> TaskRead:
    """Crea una tarea manual en la parcela que indica `parcela`. Para quien ve todo el espacio
    de trabajo (administrador, técnico)."""
    field = await fields.get(session, principal, body.parcela)
    return TaskRead.model_validate(await service.create(session, field, body))


@router.get("/api/tareas/{id}/", response_model=TaskRead, summary="Ver tarea")
async def get_task(id: Id, principal: Viewer, session: SessionDep) -> TaskRead:
    """Una tarea de una parcela visible para el usuario; 404 si no."""
    return TaskRead.model_validate(await service.get(session, principal, id))


@router.put("/api/tareas/{id}/", response_model=TaskRead, summary="Reemplazar tarea")
async def replace_task(id: Id, body: TaskUpdate, principal: Updater, session: SessionDep) -> TaskRead:
    """Reescribe la tarea entera. Requiere el permiso `tareas:actualizar`."""
    task = await service.get(session, principal, id)
    return TaskRead.model_validate(await service.update(session, task, body))


@router.patch("/api/tareas/{id}/", response_model=TaskRead, summary="Modificar tarea")
async def patch_task(id: Id, body: TaskPatch, principal: Updater, session: SessionDep) -> TaskRead:
    """Cambia solo los campos enviados. `{"decision": "rechazada"}` sobre una tarea `ia` la
    rechaza (y la oculta de los listados), como `/reject/`; `{"decision": "aceptada"}` la acepta.
    Requiere el permiso `tareas:actualizar`."""
    task = await service.get(session, principal, id)
    return TaskRead.model_validate(await service.update(session, task, body))


@router.delete("/api/tareas/{id}/", status_code=204, response_class=Response, summary="Eliminar tarea")
async def delete_task(id: Id, principal: Updater, session: SessionDep) -> Response:
    """Eliminación lógica: la tarea sale de los listados y queda en el historial
    (`include_deleted=true`). Requiere el permiso `tareas:actualizar`."""
    await service.soft_delete(session, await service.get(session, principal, id))
    return Response(status_code=204)


@router.post("/api/tareas/{id}/accept/", response_model=TaskDecisionRead, summary="Aceptar tarea")
async def accept_task(id: Id, principal: Updater, session: SessionDep) -> TaskDecisionRead:
    """Acepta la tarea (`decision=aceptada`); sigue visible. Requiere el permiso
    `tareas:actualizar`."""
    await service.decide(session, await service.get(session, principal, id), "aceptada")
    return TaskDecisionRead(detail="Aceptado")


@router.post("/api/tareas/{id}/reject/", response_model=TaskDecisionRead, summary="Rechazar tarea")
async def reject_task(id: Id, principal: Updater, session: SessionDep) -> TaskDecisionRead:
    """Rechaza la tarea (`decision=rechazada`); si es una sugerencia de la IA (`origen=ia`),
    además sale de los listados. Requiere el permiso `tareas:actualizar`."""
    await service.decide(session, await service.get(session, principal, id), "rechazada")
    return TaskDecisionRead(detail="Rechazado")


# -- recommendations (ia tasks) --------------------------------------------------------------
@router.get(
    "/api/parcelas/{parcela_id}/recomendaciones/",
    response_model=Page[TaskRead],
    summary="Listar recomendaciones de una parcela",
)
async def list_field_recommendations(
    parcela_id: Id, principal: Viewer, session: SessionDep, request: Request, params: Pagination, filters: Filters
) -> Page[TaskRead]:
    """Las recomendaciones de la parcela: sus tareas con `origen=ia`, paginadas y con los
    filtros de las tareas. Requiere el permiso `tareas:ver`."""
    field = await fields.get(session, principal, parcela_id)
    values = {**filters.values, "origen": "ia"}
    return await _page(session, request, params, principal, field_id=field.id, **values)


@router.post(
    "/api/parcelas/{parcela_id}/recomendaciones/",
    response_model=TaskRead,
    status_code=201,
    summary="Crear recomendación en una parcela",
)
async def create_field_recommendation(
    parcela_id: Id, body: TaskCreate, principal: Creator, session: SessionDep
) -> TaskRead:
    """Una recomendación escrita por una persona (un agrónomo): una tarea con `origen=ia`
    pendiente de decisión. Requiere el permiso `tareas:crear`."""
    field = await fields.get(session, principal, parcela_id)
    return TaskRead.model_validate(await service.create(session, field, body, origen="ia"))


@router.get("/api/recomendaciones/", response_model=Page[TaskRead], summary="Listar recomendaciones")
async def list_recommendations(
    principal: Staff, session: SessionDep, request: Request, params: Pagination, filters: Filters
) -> Page[TaskRead]:
    """Todas las recomendaciones (tareas `ia`) del espacio de trabajo, paginadas. Para quien ve
    todo el espacio (administrador, técnico)."""
    return await _page(session, request, params, principal, **{**filters.values, "origen": "ia"})


@router.get("/api/recomendaciones/{id}/", response_model=TaskRead, summary="Ver recomendación")
async def get_recommendation(id: Id, principal: Staff, session: SessionDep) -> TaskRead:
    """Una recomendación; 404 si no existe o la tarea no es de origen `ia`."""
    return TaskRead.model_validate(await service.get(session, principal, id, origen="ia"))


@router.put("/api/recomendaciones/{id}/", response_model=TaskRead, summary="Reemplazar recomendación")
async def replace_recommendation(id: Id, body: TaskUpdate, principal: StaffWriter, session: SessionDep) -> TaskRead:
    """Reescribe la recomendación entera. Para quien ve todo el espacio de trabajo y tiene
    `tareas:actualizar`."""
    task = await service.get(session, principal, id, origen="ia")
    return TaskRead.model_validate(await service.update(session, task, body))


@router.patch("/api/recomendaciones/{id}/", response_model=TaskRead, summary="Modificar recomendación")
async def patch_recommendation(id: Id, body: TaskPatch, principal: StaffWriter, session: SessionDep) -> TaskRead:
    """Cambia solo los campos enviados; `decision` la acepta o la rechaza. Para quien ve todo el
    espacio de trabajo y tiene `tareas:actualizar`."""
    task = await service.get(session, principal, id, origen="ia")
    return TaskRead.model_validate(await service.update(session, task, body))


@router.delete("/api/recomendaciones/{id}/", status_code=204, response_class=Response, summary="Eliminar recomendación")
async def delete_recommendation(id: Id, principal: StaffWriter, session: SessionDep) -> Response:
    """Eliminación lógica, como la de una tarea. Para quien ve todo el espacio de trabajo y
    tiene `tareas:actualizar`."""
    await service.soft_delete(session, await service.get(session, principal, id, origen="ia"))
    return Response(status_code=204)
