"""004's catalogue: `/api/cultivos/`, `/api/variedades/`, `/api/etapas/`, `/api/reglas/`.

Everyone with `cultivos:ver` reads it (a farmer picks a variety for a field); only platform
admins write it, since every workspace shares it.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Request, Response

from agro.catalog import service
from agro.catalog.schemas import (
    CropFields,
    CropPatch,
    CropRead,
    RuleCreate,
    RuleFields,
    RulePatch,
    RuleRead,
    StageCreate,
    StageFields,
    StagePatch,
    StageRead,
    VarietyCreate,
    VarietyFields,
    VarietyPatch,
    VarietyRead,
)
from shared.pagination import Page, Pagination, build_page
from shared.security import PlatformAdmin, Principal, RequirePermission
from shared.sessions import SessionDep
from shared.validation import Id

router = APIRouter(tags=["catalogo"])

Reader = Annotated[Principal, Depends(RequirePermission("cultivos", "ver"))]


# The catalogue is shared by every workspace: a workspace's own administrador may not edit it.
Editor = PlatformAdmin


# -- crops -----------------------------------------------------------------------------------
@router.get("/api/cultivos/", response_model=list[CropRead], summary="Listar cultivos")
async def list_crops(_: Reader, session: SessionDep) -> list[CropRead]:
    """Todos los cultivos del catálogo (sin paginar). Requiere el permiso `cultivos:ver`."""
    return [CropRead.model_validate(row) for row in await service.crop_list(session)]


@router.post("/api/cultivos/", response_model=CropRead, status_code=201, summary="Crear cultivo")
async def create_crop(body: CropFields, _: Editor, session: SessionDep) -> CropRead:
    """Añade un cultivo al catálogo, que comparten todos los espacios de trabajo: solo un
    administrador de la plataforma puede hacerlo (403 a cualquier otro)."""
    return CropRead.model_validate(await service.create_crop(session, body))


@router.get("/api/cultivos/{id}/", response_model=CropRead, summary="Ver cultivo")
async def get_crop(id: Id, _: Reader, session: SessionDep) -> CropRead:
    """Un cultivo del catálogo; 404 si no existe. Requiere el permiso `cultivos:ver`."""
    return CropRead.model_validate(await service.get_crop(session, id))


@router.put("/api/cultivos/{id}/", response_model=CropRead, summary="Reemplazar cultivo")
async def replace_crop(id: Id, body: CropFields, _: Editor, session: SessionDep) -> CropRead:
    """Reescribe el cultivo entero (un campo omitido vuelve a su valor por defecto). Solo
    administradores de la plataforma."""
    return CropRead.model_validate(await service.update_crop(session, id, body))


@router.patch("/api/cultivos/{id}/", response_model=CropRead, summary="Modificar cultivo")
async def patch_crop(id: Id, body: CropPatch, _: Editor, session: SessionDep) -> CropRead:
    """Cambia solo los campos enviados. Solo administradores de la plataforma."""
    return CropRead.model_validate(await service.update_crop(session, id, body))


@router.delete("/api/cultivos/{id}/", status_code=204, response_class=Response, summary="Eliminar cultivo")
async def delete_crop(id: Id, _: Editor, session: SessionDep) -> Response:
    """Borra el cultivo. Se rechaza (400) mientras alguna variedad lo use. Solo
    administradores de la plataforma."""
    await service.delete_crop(session, id)
    return Response(status_code=204)


# -- varieties -------------------------------------------------------------------------------
@router.get(
    "/api/cultivos/{cultivo_id}/variedades/",
    response_model=list[VarietyRead],
    summary="Listar variedades de un cultivo",
)
async def list_crop_varieties(cultivo_id: Id, _: Reader, session: SessionDep) -> list[VarietyRead]:
    """Las variedades del cultivo (sin paginar). Requiere el permiso `cultivos:ver`."""
    return [VarietyRead.model_validate(row) for row in await service.varieties_of(session, cultivo_id)]


@router.post(
    "/api/cultivos/{cultivo_id}/variedades/",
    response_model=VarietyRead,
    status_code=201,
    summary="Crear variedad de un cultivo",
)
async def create_crop_variety(cultivo_id: Id, body: VarietyFields, _: Editor, session: SessionDep) -> VarietyRead:
    """Añade una variedad al cultivo de la ruta (404 si no existe). Solo administradores de la
    plataforma."""
    await service.get_crop(session, cultivo_id)
    return VarietyRead.model_validate(await service.create_variety(session, cultivo_id, body))


@router.get("/api/variedades/", response_model=Page[VarietyRead], summary="Listar variedades")
async def list_varieties(_: Reader, session: SessionDep, request: Request, params: Pagination) -> Page[VarietyRead]:
    """Las variedades de todos los cultivos, paginadas (`page`, `page_size`). Requiere el permiso
    `cultivos:ver`."""
    count, rows = await service.variety_page(session, params)
    return build_page(request, params, count=count, results=rows, item=VarietyRead)


@router.post("/api/variedades/", response_model=VarietyRead, status_code=201, summary="Crear variedad")
async def create_variety(body: VarietyCreate, _: Editor, session: SessionDep) -> VarietyRead:
    """Añade una variedad al cultivo que indica `cultivo_id` (400 si no existe). Solo
    administradores de la plataforma."""
    return VarietyRead.model_validate(await service.create_variety(session, body.cultivo_id, body))


@router.get("/api/variedades/{id}/", response_model=VarietyRead, summary="Ver variedad")
async def get_variety(id: Id, _: Reader, session: SessionDep) -> VarietyRead:
    """Una variedad; 404 si no existe. Requiere el permiso `cultivos:ver`."""
    return VarietyRead.model_validate(await service.get_variety(session, id))


@router.put("/api/variedades/{id}/", response_model=VarietyRead, summary="Reemplazar variedad")
async def replace_variety(id: Id, body: VarietyCreate, _: Editor, session: SessionDep) -> VarietyRead:
    """Reescribe la variedad entera, su cultivo incluido. Solo administradores de la plataforma."""
    return VarietyRead.model_validate(await service.update_variety(session, id, body))


@router.patch("/api/variedades/{id}/", response_model=VarietyRead, summary="Modificar variedad")
async def patch_variety(id: Id, body: VarietyPatch, _: Editor, session: SessionDep) -> VarietyRead:
    """Cambia solo los campos enviados. Solo administradores de la plataforma."""
    return VarietyRead.model_validate(await service.update_variety(session, id, body))


@router.delete("/api/variedades/{id}/", status_code=204, response_class=Response, summary="Eliminar variedad")
async def delete_variety(id: Id, _: Editor, session: SessionDep) -> Response:
    """Borra la variedad. Se rechaza (400) mientras alguna etapa o parcela la use. Solo
    administradores de la plataforma."""
    await service.delete_variety(session, id)
    return Response(status_code=204)


# -- stages ----------------------------------------------------------------------------------
@router.get("/api/etapas/", response_model=Page[StageRead], summary="Listar etapas")
async def list_stages(_: Reader, session: SessionDep, request: Request, params: Pagination) -> Page[StageRead]:
    """Las etapas de todas las variedades, paginadas. Requiere el permiso `cultivos:ver`."""
    count, rows = await service.stage_page(session, params)
    return build_page(request, params, count=count, results=rows, item=StageRead)


@router.post("/api/etapas/", response_model=StageRead, status_code=201, summary="Crear etapa")
async def create_stage(body: StageCreate, _: Editor, session: SessionDep) -> StageRead:
    """Añade una etapa a la variedad que indica `variedad_id`. Solo administradores de la
    plataforma."""
    return StageRead.model_validate(await service.create_stage(session, body.variedad_id, body))


@router.get(
    "/api/variedades/{variedad_id}/etapas/", response_model=Page[StageRead], summary="Listar etapas de una variedad"
)
async def list_variety_stages(
    variedad_id: Id, _: Reader, session: SessionDep, request: Request, params: Pagination
) -> Page[StageRead]:
    """Las etapas de la variedad, en su orden, paginadas. Requiere el permiso `cultivos:ver`."""
    count, rows = await service.stage_page(session, params, variety_id=variedad_id)
    return build_page(request, params, count=count, results=rows, item=StageRead)


@router.post(
    "/api/variedades/{variedad_id}/etapas/",
    response_model=StageRead,
    status_code=201,
    summary="Crear etapa de una variedad",
)
async def create_variety_stage(variedad_id: Id, body: StageFields, _: Editor, session: SessionDep) -> StageRead:
    """Añade una etapa a la variedad de la ruta (404 si no existe). Solo administradores de la
    plataforma."""
    await service.get_variety(session, variedad_id)
    return StageRead.model_validate(await service.create_stage(session, variedad_id, body))


@router.get("/api/etapas/{id}/", response_model=StageRead, summary="Ver etapa")
async def get_stage(id: Id, _: Reader, session: SessionDep) -> StageRead:
    """Una etapa; 404 si no existe. Requiere el permiso `cultivos:ver`."""
    return StageRead.model_validate(await service.get_stage(session, id))


@router.put("/api/etapas/{id}/", response_model=StageRead, summary="Reemplazar etapa")
async def replace_stage(id: Id, body: StageCreate, _: Editor, session: SessionDep) -> StageRead:
    """Reescribe la etapa entera, su variedad incluida. Solo administradores de la plataforma."""
    return StageRead.model_validate(await service.update_stage(session, id, body))


@router.patch("/api/etapas/{id}/", response_model=StageRead, summary="Modificar etapa")
async def patch_stage(id: Id, body: StagePatch, _: Editor, session: SessionDep) -> StageRead:
    """Cambia solo los campos enviados. Solo administradores de la plataforma."""
    return StageRead.model_validate(await service.update_stage(session, id, body))


@router.delete("/api/etapas/{id}/", status_code=204, response_class=Response, summary="Eliminar etapa")
async def delete_stage(id: Id, _: Editor, session: SessionDep) -> Response:
    """Borra la etapa y, con ella, sus reglas. Solo administradores de la plataforma."""
    await service.delete_stage(session, id)
    return Response(status_code=204)


# -- rules -----------------------------------------------------------------------------------
@router.get("/api/etapas/{etapa_id}/reglas/", response_model=Page[RuleRead], summary="Listar reglas de una etapa")
async def list_stage_rules(
    etapa_id: Id, _: Reader, session: SessionDep, request: Request, params: Pagination
) -> Page[RuleRead]:
    """Las reglas de la etapa, paginadas: con ellas Brain sugiere tareas cuando una lectura
    sale de su rango. Requiere el permiso `cultivos:ver`."""
    count, rows = await service.rule_page(session, params, stage_id=etapa_id)
    return build_page(request, params, count=count, results=rows, item=RuleRead)


@router.post(
    "/api/etapas/{etapa_id}/reglas/", response_model=RuleRead, status_code=201, summary="Crear regla de una etapa"
)
async def create_stage_rule(etapa_id: Id, body: RuleFields, _: Editor, session: SessionDep) -> RuleRead:
    """Añade una regla a la etapa de la ruta (404 si no existe): un parámetro, su rango y la
    acción sugerida por debajo y por encima. Solo administradores de la plataforma."""
    await service.get_stage(session, etapa_id)
    return RuleRead.model_validate(await service.create_rule(session, etapa_id, body))


@router.get("/api/reglas/", response_model=Page[RuleRead], summary="Listar reglas")
async def list_rules(_: Reader, session: SessionDep, request: Request, params: Pagination) -> Page[RuleRead]:
    """Las reglas de todas las etapas, paginadas. Requiere el permiso `cultivos:ver`."""
    count, rows = await service.rule_page(session, params)
    return build_page(request, params, count=count, results=rows, item=RuleRead)


@router.post("/api/reglas/", response_model=RuleRead, status_code=201, summary="Crear regla")
async def create_rule(body: RuleCreate, _: Editor, session: SessionDep) -> RuleRead:
    """Añade una regla a la etapa que indica `etapa_id`. Solo administradores de la plataforma."""
    return RuleRead.model_validate(await service.create_rule(session, body.etapa_id, body))


@router.get("/api/reglas/{id}/", response_model=RuleRead, summary="Ver regla")
async def get_rule(id: Id, _: Reader, session: SessionDep) -> RuleRead:
    """Una regla; 404 si no existe. Requiere el permiso `cultivos:ver`."""
    return RuleRead.model_validate(await service.get_rule(session, id))


@router.put("/api/reglas/{id}/", response_model=RuleRead, summary="Reemplazar regla")
async def replace_rule(id: Id, body: RuleCreate, _: Editor, session: SessionDep) -> RuleRead:
    """Reescribe la regla entera, su etapa incluida. Solo administradores de la plataforma."""
    return RuleRead.model_validate(await service.update_rule(session, id, body))


@router.patch("/api/reglas/{id}/", response_model=RuleRead, summary="Modificar regla")
async def patch_rule(id: Id, body: RulePatch, _: Editor, session: SessionDep) -> RuleRead:
    """Cambia solo los campos enviados (p. ej. `activo: false` la pausa). Solo administradores
    de la plataforma."""
    return RuleRead.model_validate(await service.update_rule(session, id, body))


@router.delete("/api/reglas/{id}/", status_code=204, response_class=Response, summary="Eliminar regla")
async def delete_rule(id: Id, _: Editor, session: SessionDep) -> Response:
    """Borra la regla. Solo administradores de la plataforma."""
    await service.delete_rule(session, id)
    return Response(status_code=204)
