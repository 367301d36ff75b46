"""The in-process tier: agro over ASGI, each test in a rolled-back transaction (no NATS, no gateway)."""

from collections.abc import AsyncIterator
from datetime import date, timedelta
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from agro.field.stages import current_stage
from agro.main import create_app
from agro.models import Crop, Field, Stage, Variety, outbox_table
from agro.plan import service as plans
from agro.plan.schemas import PlanFields, PlanPatch
from devstack.inprocess import InProcess, in_process
from devstack.stack import Stack

FAST_TIER_TENANT = 900_000_001  # no real workspace has it; rolled back anyway
FARMER_PERMISSIONS = ["parcelas:ver", "parcelas:crear", "parcelas:actualizar"]


@pytest.fixture
async def agro(platform_database: Stack) -> AsyncIterator[InProcess]:
    url = platform_database.superuser_dsn.replace("postgresql://", "postgresql+asyncpg://")
    async with in_process(create_app(), database_url=url, schema="agro") as harness:
        yield harness


async def _variety_with_stages(agro: InProcess, *durations: int) -> tuple[Variety, list[Stage]]:
    crop = Crop(nombre="Quinua-prueba", descripcion="")
    agro.session.add(crop)
    await agro.session.flush()
    variety = Variety(cultivo_id=crop.id, nombre="Blanca", descripcion="")
    agro.session.add(variety)
    await agro.session.flush()
    stages = [
        Stage(variedad_id=variety.id, nombre=f"E{n}", orden=n, duracion_dias=days, descripcion="")
        for n, days in enumerate(durations, start=1)
    ]
    agro.session.add_all(stages)
    await agro.session.flush()
    return variety, stages


@pytest.mark.parametrize(("days_since_sowing", "expected"), [(0, 0), (9, 0), (10, 1), (29, 1), (30, 2), (400, 2)])
async def test_the_stage_follows_the_calendar(agro: InProcess, days_since_sowing: int, expected: int) -> None:
    variety, stages = await _variety_with_stages(agro, 10, 20, 15)
    sown = date(2025, 1, 1)
    field = Field(variedad_id=variety.id, fecha_siembra=sown, etapa_id=None)
    assert current_stage(field, stages, sown + timedelta(days=days_since_sowing)) == stages[expected].id


async def test_a_pinned_stage_wins_and_no_sowing_date_means_no_stage(agro: InProcess) -> None:
    variety, stages = await _variety_with_stages(agro, 10, 20)
    assert current_stage(Field(etapa_id=stages[1].id, fecha_siembra=date(2025, 1, 1)), stages, date(2025, 1, 2)) == (
        stages[1].id
    )
    assert current_stage(Field(variedad_id=variety.id, fecha_siembra=None, etapa_id=None), stages, date.today()) is None
    assert (
        current_stage(Field(fecha_siembra=date.today() + timedelta(days=3), etapa_id=None), stages, date.today())
        is None
    )


async def test_a_field_created_over_http_is_rolled_back_afterwards(agro: InProcess) -> None:
    variety, stages = await _variety_with_stages(agro, 5, 5)
    token = agro.token(tenant=FAST_TIER_TENANT, role="agricultor", permissions=FARMER_PERMISSIONS)
    sown = (date.today() - timedelta(days=6)).isoformat()
    body = {"nombre": "Rápida", "tamano_hectareas": "1.5", "variedad_id": variety.id, "fecha_siembra": sown}
    created = await agro.client.post("/api/parcelas/", json=body, headers={"Authorization": f"Bearer {token}"})
    assert created.status_code == 201, created.text
    field_id = created.json()["parcela_id"]
    read = await agro.client.get(f"/api/parcelas/{field_id}/", headers={"Authorization": f"Bearer {token}"})
    assert read.json()["etapa_actual"] == stages[1].id
    assert (
        await agro.session.scalar(select(func.count()).select_from(Field).where(Field.tenant_id == FAST_TIER_TENANT))
        == 1
    )


async def test_a_plans_retention_has_defaults_and_goes_out_with_its_subscriptions(agro: InProcess) -> None:
    plan = await plans.create_plan(
        agro.session,
        PlanFields(nombre="Retención-prueba", veces_por_dia=1, limite_lecturas_dia=10, precio=Decimal(1)),
    )
    assert (plan.retencion_lecturas_dias, plan.retencion_horaria_meses, plan.retencion_diaria_anios) == (30, 12, 10)
    field = Field(tenant_id=FAST_TIER_TENANT, usuario_id=1, nombre="R", tamano_hectareas=Decimal(1))
    agro.session.add(field)
    await agro.session.flush()
    await plans.subscribe(agro.session, field, plan.id)
    await plans.update_plan(agro.session, plan.id, PlanPatch(retencion_lecturas_dias=7))

    payloads = (
        await agro.session.scalars(
            select(outbox_table.c.payload)
            .where(outbox_table.c.subject == "agro.subscription.changed")
            .where(outbox_table.c.payload["data"]["parcela_id"].as_integer() == field.id)
            .order_by(outbox_table.c.created_at)
        )
    ).all()
    terms = ("retencion_lecturas_dias", "retencion_horaria_meses", "retencion_diaria_anios")
    retention = [tuple(payload["data"][term] for term in terms) for payload in payloads]
    assert retention == [(30, 12, 10), (7, 12, 10)]  # subscribed, then the plan changed
