"""The crop catalogue: crops > varieties > stages > rules. Platform reference data.

Deleting refuses while something still uses the row (a crop with varieties, a variety with
stages or fields); deleting a stage deletes its rules. Stage and rule changes are published
so brain can evaluate the rules of each field's current stage; a stage change also re-publishes
the variety's stages whose start day it moved (`agro.field.stages.start_days`).
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import Select, exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from agro import events
from agro.catalog.schemas import (
    CropFields,
    CropPatch,
    RuleCreate,
    RuleFields,
    RulePatch,
    StageCreate,
    StageFields,
    StagePatch,
    VarietyCreate,
    VarietyFields,
    VarietyPatch,
)
from agro.errors import InUse
from agro.field.service import publish_field
from agro.field.stages import start_days
from agro.models import Crop, Field, Rule, Stage, Variety
from shared.errors import InvalidRequest
from shared.pagination import PageParams
from shared.repository import assign, fetch_page, get_or_404, save_unique
from shared.validation import changes

Page = tuple[int, Sequence[Any]]


async def _unique(session: AsyncSession, row: Any, field: str) -> None:
    await save_unique(session, row, field=field, message="Ya existe un registro con este valor.")


# -- reads -----------------------------------------------------------------------------------
async def crop_list(session: AsyncSession) -> Sequence[Crop]:
    return (await session.scalars(select(Crop).order_by(Crop.id))).all()


async def get_crop(session: AsyncSession, crop_id: int) -> Crop:
    return await get_or_404(session, Crop, crop_id)


async def varieties_of(session: AsyncSession, crop_id: int) -> Sequence[Variety]:
    await get_crop(session, crop_id)
    return (await session.scalars(varieties(crop_id=crop_id))).all()


async def variety_page(session: AsyncSession, params: PageParams) -> Page:
    return await fetch_page(session, varieties(), params)


async def get_variety(session: AsyncSession, variety_id: int) -> Variety:
    return await get_or_404(session, Variety, variety_id)


async def stage_page(session: AsyncSession, params: PageParams, *, variety_id: int | None = None) -> Page:
    """All stages, or one variety's (NotFound if it does not exist)."""
    if variety_id is not None:
        await get_variety(session, variety_id)
    return await fetch_page(session, stages(variety_id=variety_id), params)


async def get_stage(session: AsyncSession, stage_id: int) -> Stage:
    return await get_or_404(session, Stage, stage_id)


async def rule_page(session: AsyncSession, params: PageParams, *, stage_id: int | None = None) -> Page:
    """All rules, or one stage's (NotFound if it does not exist)."""
    if stage_id is not None:
        await get_stage(session, stage_id)
    return await fetch_page(session, rules(stage_id=stage_id), params)


async def get_rule(session: AsyncSession, rule_id: int) -> Rule:
    return await get_or_404(session, Rule, rule_id)


# -- crops -----------------------------------------------------------------------------------


async def create_crop(session: AsyncSession, body: CropFields) -> Crop:
    values = changes(body)
    crop = Crop(**values)
    await _unique(session, crop, "nombre")
    return crop


async def update_crop(session: AsyncSession, crop_id: int, body: CropFields | CropPatch) -> Crop:
    values = changes(body)
    crop = await get_crop(session, crop_id)
    assign(crop, values)
    await _unique(session, crop, "nombre")
    return crop


async def delete_crop(session: AsyncSession, crop_id: int) -> None:
    crop = await get_crop(session, crop_id)
    if await session.scalar(select(exists().where(Variety.cultivo_id == crop.id))):
        raise InUse("El cultivo tiene variedades; elimínelas primero.")
    await session.delete(crop)


# -- varieties -------------------------------------------------------------------------------
def varieties(*, crop_id: int | None = None) -> Select[Variety]:
    query = select(Variety).order_by(Variety.id)
    return query.where(Variety.cultivo_id == crop_id) if crop_id is not None else query


async def create_variety(session: AsyncSession, crop_id: int, body: VarietyFields) -> Variety:
    values = changes(body, exclude=frozenset({"cultivo_id"}))
    await _existing(session, Crop, crop_id, "cultivo_id")
    variety = Variety(cultivo_id=crop_id, **values)
    await _unique(session, variety, "nombre")
    return variety


async def update_variety(session: AsyncSession, variety_id: int, body: VarietyCreate | VarietyPatch) -> Variety:
    values = changes(body)
    variety = await get_variety(session, variety_id)
    if "cultivo_id" in values:
        await _existing(session, Crop, values["cultivo_id"], "cultivo_id")
    assign(variety, values)
    await _unique(session, variety, "nombre")
    return variety


async def delete_variety(session: AsyncSession, variety_id: int) -> None:
    variety = await get_variety(session, variety_id)
    if await session.scalar(select(exists().where(Stage.variedad_id == variety.id))):
        raise InUse("La variedad tiene etapas; elimínelas primero.")
    if await session.scalar(select(exists().where(Field.variedad_id == variety.id))):
        raise InUse("Hay parcelas sembradas con esta variedad.")
    await session.delete(variety)


# -- stages ----------------------------------------------------------------------------------
def stages(*, variety_id: int | None = None) -> Select[Stage]:
    query = select(Stage).order_by(Stage.variedad_id, Stage.orden, Stage.id)
    return query.where(Stage.variedad_id == variety_id) if variety_id is not None else query


async def create_stage(session: AsyncSession, variety_id: int, body: StageFields) -> Stage:
    values = changes(body, exclude=frozenset({"variedad_id"}))
    await _existing(session, Variety, variety_id, "variedad_id")
    before = await _start_days_locked(session, {variety_id})
    stage = Stage(variedad_id=variety_id, **values)
    session.add(stage)
    await session.flush()
    await _publish_stages(session, {variety_id}, before, changed=stage.id)
    return stage


async def update_stage(session: AsyncSession, stage_id: int, body: StageCreate | StagePatch) -> Stage:
    values = changes(body)
    stage = await get_stage(session, stage_id)
    if "variedad_id" in values:
        await _existing(session, Variety, values["variedad_id"], "variedad_id")
    varieties = {stage.variedad_id, values.get("variedad_id", stage.variedad_id)}
    before = await _start_days_locked(session, varieties)
    assign(stage, values)
    await session.flush()
    await _publish_stages(session, varieties, before, changed=stage.id)
    return stage


async def delete_stage(session: AsyncSession, stage_id: int) -> None:
    """The stage goes with its rules, and fields pinned to it are unpinned: all published,
    and so are the later stages of its variety, which now start earlier."""
    stage = await get_stage(session, stage_id)
    variety_id = stage.variedad_id
    before = await _start_days_locked(session, {variety_id})
    for rule_id in await session.scalars(select(Rule.id).where(Rule.etapa_id == stage.id)):
        await events.outbox.emit(session, events.RuleDeleted(regla_id=rule_id), tenant_id=None)
    # Unpinned here rather than by the database's SET NULL, so the published state is at hand.
    for field in await session.scalars(select(Field).where(Field.etapa_id == stage.id)):
        field.etapa_id = None
        await publish_field(session, field)
    await session.delete(stage)
    await session.flush()
    await events.outbox.emit(session, events.StageDeleted(etapa_id=stage_id), tenant_id=None)
    await _publish_stages(session, {variety_id}, before, changed=None)


async def _placed(session: AsyncSession, variety_id: int) -> list[tuple[Stage, int]]:
    """The variety's stages in `orden`, each with its start day counted from sowing."""
    found = (await session.scalars(stages(variety_id=variety_id))).all()
    return list(zip(found, start_days(found), strict=True))


async def _start_days_locked(session: AsyncSession, variety_ids: set[int]) -> dict[int, int]:
    """Start day by stage id, before a change, with the varieties locked until commit: two
    concurrent changes to one variety's stages would otherwise each publish start days
    counted without the other's change. `FOR NO KEY UPDATE`, so fields that reference the
    variety (`FOR KEY SHARE`) are not held up."""
    locked = select(Variety.id).where(Variety.id.in_(variety_ids)).order_by(Variety.id)
    await session.execute(locked.with_for_update(key_share=True))
    return {stage.id: start for variety_id in variety_ids for stage, start in await _placed(session, variety_id)}


async def _publish_stages(
    session: AsyncSession, variety_ids: set[int], before: dict[int, int], *, changed: int | None
) -> None:
    """Publish the `changed` stage and every stage of these varieties whose start day moved."""
    for variety_id in sorted(variety_ids):
        for stage, start in await _placed(session, variety_id):
            if stage.id == changed or before.get(stage.id) != start:
                await _publish_stage(session, stage, start)


async def _publish_stage(session: AsyncSession, stage: Stage, start: int) -> None:
    event = events.StageUpserted(
        etapa_id=stage.id,
        variedad_id=stage.variedad_id,
        nombre=stage.nombre,
        orden=stage.orden,
        duracion_dias=stage.duracion_dias,
        inicio_dias=start,
    )
    await events.outbox.emit(session, event, tenant_id=None)


# -- rules -----------------------------------------------------------------------------------
def rules(*, stage_id: int | None = None) -> Select[Rule]:
    query = select(Rule).order_by(Rule.id)
    return query.where(Rule.etapa_id == stage_id) if stage_id is not None else query


def _check_bounds(minimo: float, maximo: float) -> None:
    if minimo > maximo:
        raise InvalidRequest("Datos inválidos.", fields={"minimo": ["minimo no puede ser mayor que maximo."]})


async def create_rule(session: AsyncSession, stage_id: int, body: RuleFields) -> Rule:
    values = changes(body, exclude=frozenset({"etapa_id"}))
    await _existing(session, Stage, stage_id, "etapa_id")
    _check_bounds(values["minimo"], values["maximo"])
    rule = Rule(etapa_id=stage_id, **values)
    session.add(rule)
    await session.flush()
    await _publish_rule(session, rule)
    return rule


async def update_rule(session: AsyncSession, rule_id: int, body: RuleCreate | RulePatch) -> Rule:
    values = changes(body)
    rule = await get_rule(session, rule_id)
    if "etapa_id" in values:
        await _existing(session, Stage, values["etapa_id"], "etapa_id")
    _check_bounds(values.get("minimo", rule.minimo), values.get("maximo", rule.maximo))
    assign(rule, values)
    await session.flush()
    await _publish_rule(session, rule)
    return rule


async def delete_rule(session: AsyncSession, rule_id: int) -> None:
    rule = await get_rule(session, rule_id)
    await session.delete(rule)
    await events.outbox.emit(session, events.RuleDeleted(regla_id=rule_id), tenant_id=None)


async def _publish_rule(session: AsyncSession, rule: Rule) -> None:
    event = events.RuleUpserted(
        regla_id=rule.id,
        etapa_id=rule.etapa_id,
        parametro=rule.parametro,
        minimo=rule.minimo,
        maximo=rule.maximo,
        accion_si_menor=rule.accion_si_menor,
        accion_si_mayor=rule.accion_si_mayor,
        activo=rule.activo,
    )
    await events.outbox.emit(session, event, tenant_id=None)


async def _existing(session: AsyncSession, model: type[Any], ident: int, field: str) -> None:
    if await session.get(model, ident) is None:
        raise InvalidRequest("Datos inválidos.", fields={field: ["No existe."]})
