"""Run once after migrations: a small demo catalogue and three plans, if there are none yet.

So a new user can try the flow at once: create a field planted with a variety and a plan.
Never in production (`PLATFORM_ENV=production`): there the operator's catalogue is the only one.
"""

import asyncio
from decimal import Decimal
from typing import Any

from sqlalchemy import exists, select
from sqlalchemy.ext.asyncio import AsyncSession

from agro.catalog import service as catalog
from agro.catalog.schemas import CropFields, RuleFields, StageFields, VarietyFields
from agro.config import settings
from agro.models import SCHEMA, Crop, Plan
from agro.plan import service as plans
from agro.plan.schemas import PlanFields
from shared.db import create_engine, create_sessionmaker

PLANS: list[dict[str, Any]] = [
    {"nombre": "Básico", "descripcion": "Monitoreo básico", "frecuencia_minutos": 480, "veces_por_dia": 3,
     "horarios_por_defecto": ["07:00", "15:00", "22:00"], "limite_lecturas_dia": 8, "precio": Decimal("0.00")},
    {"nombre": "Estándar", "descripcion": "Lecturas cada hora", "frecuencia_minutos": 60, "veces_por_dia": 24,
     "horarios_por_defecto": [], "limite_lecturas_dia": 48, "precio": Decimal("19.90")},
    {"nombre": "Premium", "descripcion": "Lecturas cada 15 minutos y alertas", "frecuencia_minutos": 15,
     "veces_por_dia": 96, "horarios_por_defecto": [], "limite_lecturas_dia": 200, "precio": Decimal("49.90")},
]  # fmt: skip

# crop -> variety -> [(stage, days, [(parameter, min, max, if below, if above)])]
CATALOGUE: dict[str, dict[str, list[tuple[str, int, list[tuple[str, float, float, str, str]]]]]] = {
    "Tomate": {
        "Cherry": [
            ("Germinación", 10, [("humedad_suelo", 60, 80, "regar", "reducir_riego"),
                                 ("temperatura", 18, 30, "cubrir_plantulas", "sombrear")]),
            ("Crecimiento vegetativo", 35, [("humedad_suelo", 50, 70, "regar", "reducir_riego")]),
            ("Floración y fructificación", 45, [("humedad_suelo", 55, 75, "regar", "reducir_riego"),
                                                ("temperatura", 15, 32, "proteger_del_frio", "sombrear")]),
        ],
        "Río Grande": [
            ("Crecimiento", 40, [("humedad_suelo", 45, 70, "regar", "reducir_riego")]),
            ("Producción", 60, [("humedad_suelo", 50, 75, "regar", "reducir_riego")]),
        ],
    },
    "Papa": {
        "Huayro": [
            ("Brotamiento", 30, [("humedad_suelo", 20, 35, "regar", "reducir_riego")]),
            ("Tuberización", 60, [("humedad_suelo", 25, 40, "regar", "mejorar_drenaje"),
                                  ("temperatura", 8, 24, "proteger_de_heladas", "aporcar")]),
        ],
    },
}  # fmt: skip


async def seed(session: AsyncSession) -> bool:
    """Seed if empty; returns whether anything was written."""
    wrote = False
    if not await session.scalar(select(exists().where(Plan.id.is_not(None)))):
        for plan in PLANS:
            await plans.create_plan(session, PlanFields.model_validate(plan))
        wrote = True
    if not await session.scalar(select(exists().where(Crop.id.is_not(None)))):
        for crop_name, varieties in CATALOGUE.items():
            crop = await catalog.create_crop(session, CropFields(nombre=crop_name))
            for variety_name, stages in varieties.items():
                variety = await catalog.create_variety(session, crop.id, VarietyFields(nombre=variety_name))
                for order, (stage_name, days, rules) in enumerate(stages, start=1):
                    stage = await catalog.create_stage(
                        session, variety.id, StageFields(nombre=stage_name, orden=order, duracion_dias=days)
                    )
                    for parameter, low, high, below, above in rules:
                        await catalog.create_rule(
                            session,
                            stage.id,
                            RuleFields(parametro=parameter, minimo=low, maximo=high,
                                   accion_si_menor=below, accion_si_mayor=above, activo=True),
                        )  # fmt: skip
        wrote = True
    return wrote


async def main() -> None:
    if settings.production:
        print("agro: production, the demo catalogue is not loaded.")
        return
    engine = create_engine(settings.database_url, schema=SCHEMA, pool_size=1)
    async with create_sessionmaker(engine)() as session, session.begin():
        if await seed(session):
            print("agro: loaded the demo catalogue (Tomate, Papa) and the plans Básico, Estándar, Premium.")
    await engine.dispose()


if __name__ == "__main__":
    asyncio.run(main())
