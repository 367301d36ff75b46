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
@router.get("/api/cultivos/", response_model=list[CropRead])
async def list_crops(_: Reader, session: SessionDep) -> list[CropRead]:
    return [CropRead.model_validate(row) for row in await service.crop_list(session)]


@router.post("/api/cultivos/", response_model=CropRead, status_code=201)
async def create_crop(body: CropFields, _: Editor, session: SessionDep) -> CropRead:
    return CropRead.model_validate(await service.create_crop(session, body))


@router.get("/api/cultivos/{crop_id}/", response_model=CropRead)
async def get_crop(crop_id: Id, _: Reader, session: SessionDep) -> CropRead:
    return CropRead.model_validate(await service.get_crop(session, crop_id))


@router.put("/api/cultivos/{crop_id}/", response_model=CropRead)
async def replace_crop(crop_id: Id, body: CropFields, _: Editor, session: SessionDep) -> CropRead:
    return CropRead.model_validate(await service.update_crop(session, crop_id, body))


@router.patch("/api/cultivos/{crop_id}/", response_model=CropRead)
async def patch_crop(crop_id: Id, body: CropPatch, _: Editor, session: SessionDep) -> CropRead:
    return CropRead.model_validate(await service.update_crop(session, crop_id, body))


@router.delete("/api/cultivos/{crop_id}/", status_code=204, response_class=Response)
async def delete_crop(crop_id: Id, _: Editor, session: SessionDep) -> Response:
    """Refused (400) while varieties use the crop."""
    await service.delete_crop(session, crop_id)
    return Response(status_code=204)


# -- varieties -------------------------------------------------------------------------------
@router.get("/api/cultivos/{crop_id}/variedades/", response_model=list[VarietyRead])
async def list_crop_varieties(crop_id: Id, _: Reader, session: SessionDep) -> list[VarietyRead]:
    return [VarietyRead.model_validate(row) for row in await service.varieties_of(session, crop_id)]


@router.post("/api/cultivos/{crop_id}/variedades/", response_model=VarietyRead, status_code=201)
async def create_crop_variety(crop_id: Id, body: VarietyFields, _: Editor, session: SessionDep) -> VarietyRead:
    await service.get_crop(session, crop_id)
    return VarietyRead.model_validate(await service.create_variety(session, crop_id, body))


@router.get("/api/variedades/", response_model=Page[VarietyRead])
async def list_varieties(_: Reader, session: SessionDep, request: Request, params: Pagination) -> Page[VarietyRead]:
    count, rows = await service.variety_page(session, params)
    return build_page(request, params, count=count, results=rows, item=VarietyRead)


@router.post("/api/variedades/", response_model=VarietyRead, status_code=201)
async def create_variety(body: VarietyCreate, _: Editor, session: SessionDep) -> VarietyRead:
    return VarietyRead.model_validate(await service.create_variety(session, body.cultivo_id, body))


@router.get("/api/variedades/{variety_id}/", response_model=VarietyRead)
async def get_variety(variety_id: Id, _: Reader, session: SessionDep) -> VarietyRead:
    return VarietyRead.model_validate(await service.get_variety(session, variety_id))


@router.put("/api/variedades/{variety_id}/", response_model=VarietyRead)
async def replace_variety(variety_id: Id, body: VarietyCreate, _: Editor, session: SessionDep) -> VarietyRead:
    return VarietyRead.model_validate(await service.update_variety(session, variety_id, body))


@router.patch("/api/variedades/{variety_id}/", response_model=VarietyRead)
async def patch_variety(variety_id: Id, body: VarietyPatch, _: Editor, session: SessionDep) -> VarietyRead:
    return VarietyRead.model_validate(await service.update_variety(session, variety_id, body))


@router.delete("/api/variedades/{variety_id}/", status_code=204, response_class=Response)
async def delete_variety(variety_id: Id, _: Editor, session: SessionDep) -> Response:
    """Refused (400) while stages or fields use the variety."""
    await service.delete_variety(session, variety_id)
    return Response(status_code=204)


# -- stages ----------------------------------------------------------------------------------
@router.get("/api/etapas/", response_model=Page[StageRead])
async def list_stages(_: Reader, session: SessionDep, request: Request, params: Pagination) -> Page[StageRead]:
    count, rows = await service.stage_page(session, params)
    return build_page(request, params, count=count, results=rows, item=StageRead)


@router.post("/api/etapas/", response_model=StageRead, status_code=201)
async def create_stage(body: StageCreate, _: Editor, session: SessionDep) -> StageRead:
    return StageRead.model_validate(await service.create_stage(session, body.variedad_id, body))


@router.get("/api/variedades/{variety_id}/etapas/", response_model=Page[StageRead])
async def list_variety_stages(
    variety_id: Id, _: Reader, session: SessionDep, request: Request, params: Pagination
) -> Page[StageRead]:
    count, rows = await service.stage_page(session, params, variety_id=variety_id)
    return build_page(request, params, count=count, results=rows, item=StageRead)


@router.post("/api/variedades/{variety_id}/etapas/", response_model=StageRead, status_code=201)
async def create_variety_stage(variety_id: Id, body: StageFields, _: Editor, session: SessionDep) -> StageRead:
    await service.get_variety(session, variety_id)
    return StageRead.model_validate(await service.create_stage(session, variety_id, body))


@router.get("/api/etapas/{stage_id}/", response_model=StageRead)
async def get_stage(stage_id: Id, _: Reader, session: SessionDep) -> StageRead:
    return StageRead.model_validate(await service.get_stage(session, stage_id))


@router.put("/api/etapas/{stage_id}/", response_model=StageRead)
async def replace_stage(stage_id: Id, body: StageCreate, _: Editor, session: SessionDep) -> StageRead:
    return StageRead.model_validate(await service.update_stage(session, stage_id, body))


@router.patch("/api/etapas/{stage_id}/", response_model=StageRead)
async def patch_stage(stage_id: Id, body: StagePatch, _: Editor, session: SessionDep) -> StageRead:
    return StageRead.model_validate(await service.update_stage(session, stage_id, body))


@router.delete("/api/etapas/{stage_id}/", status_code=204, response_class=Response)
async def delete_stage(stage_id: Id, _: Editor, session: SessionDep) -> Response:
    """Deletes the stage's rules with it."""
    await service.delete_stage(session, stage_id)
    return Response(status_code=204)


# -- rules -----------------------------------------------------------------------------------
@router.get("/api/etapas/{stage_id}/reglas/", response_model=Page[RuleRead])
async def list_stage_rules(
    stage_id: Id, _: Reader, session: SessionDep, request: Request, params: Pagination
) -> Page[RuleRead]:
    count, rows = await service.rule_page(session, params, stage_id=stage_id)
    return build_page(request, params, count=count, results=rows, item=RuleRead)


@router.post("/api/etapas/{stage_id}/reglas/", response_model=RuleRead, status_code=201)
async def create_stage_rule(stage_id: Id, body: RuleFields, _: Editor, session: SessionDep) -> RuleRead:
    await service.get_stage(session, stage_id)
    return RuleRead.model_validate(await service.create_rule(session, stage_id, body))


@router.get("/api/reglas/", response_model=Page[RuleRead])
async def list_rules(_: Reader, session: SessionDep, request: Request, params: Pagination) -> Page[RuleRead]:
    count, rows = await service.rule_page(session, params)
    return build_page(request, params, count=count, results=rows, item=RuleRead)


@router.post("/api/reglas/", response_model=RuleRead, status_code=201)
async def create_rule(body: RuleCreate, _: Editor, session: SessionDep) -> RuleRead:
    return RuleRead.model_validate(await service.create_rule(session, body.etapa_id, body))


@router.get("/api/reglas/{rule_id}/", response_model=RuleRead)
async def get_rule(rule_id: Id, _: Reader, session: SessionDep) -> RuleRead:
    return RuleRead.model_validate(await service.get_rule(session, rule_id))


@router.put("/api/reglas/{rule_id}/", response_model=RuleRead)
async def replace_rule(rule_id: Id, body: RuleCreate, _: Editor, session: SessionDep) -> RuleRead:
    return RuleRead.model_validate(await service.update_rule(session, rule_id, body))


@router.patch("/api/reglas/{rule_id}/", response_model=RuleRead)
async def patch_rule(rule_id: Id, body: RulePatch, _: Editor, session: SessionDep) -> RuleRead:
    return RuleRead.model_validate(await service.update_rule(session, rule_id, body))


@router.delete("/api/reglas/{rule_id}/", status_code=204, response_class=Response)
async def delete_rule(rule_id: Id, _: Editor, session: SessionDep) -> Response:
    await service.delete_rule(session, rule_id)
    return Response(status_code=204)
