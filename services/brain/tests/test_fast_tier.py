"""brain in-process, each test in a rolled-back transaction: storage, day buckets, stale sensors."""

from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import func, select

from brain import events
from brain.alert import service as alerts
from brain.main import create_app
from brain.models import Alert, Field, Hourly, Reading, Subscription, outbox_table
from brain.reading.handlers import on_readings_received
from devstack.inprocess import InProcess, in_process
from devstack.stack import Stack
from shared.events import Envelope

TENANT = 900_000_002
OWNER = 41


@pytest.fixture
async def brain(platform_database: Stack) -> AsyncIterator[InProcess]:
    url = platform_database.superuser_dsn.replace("postgresql://", "postgresql+asyncpg://")
    async with in_process(create_app(), database_url=url, schema="brain") as harness:
        yield harness


async def _field(brain: InProcess, parcela_id: int) -> None:
    brain.session.add(
        Field(parcela_id=parcela_id, tenant_id=TENANT, usuario_id=OWNER, version=datetime.now(UTC), deleted=False)
    )
    await brain.session.flush()


async def _keeping_everything(brain: InProcess, parcela_id: int) -> None:
    """The field on a plan that keeps every level for years: these tests' fixed dates stay visible."""
    brain.session.add(
        Subscription(suscripcion_id=parcela_id, parcela_id=parcela_id, estado="activo", version=datetime.now(UTC),
                     deleted=False, retencion_lecturas_dias=3660, retencion_horaria_meses=120,
                     retencion_diaria_anios=100)
    )  # fmt: skip
    await brain.session.flush()


def _batch(parcela_id: int, *values: tuple[datetime, float], nodo: str = "N1") -> list[tuple[Envelope, Any]]:
    batch = []
    for moment, value in values:
        sensores = [{"sensor": "temperatura", "valor": value, "unidad": "C"}]
        lecturas = [{"nodo_codigo": nodo, "timestamp": moment, "sensores": sensores}]
        event = events.ReadingsReceived.model_validate({"parcela_id": parcela_id, "lecturas": lecturas})
        batch.append((Envelope(type=event.subject, tenant_id=TENANT, source="test", data=event.model_dump()), event))
    return batch


async def _history(brain: InProcess, query: str) -> dict[str, Any]:
    token = brain.token(tenant=TENANT, role="agricultor", user_id=OWNER)
    response = await brain.client.get(f"/api/brain/history/?{query}", headers={"Authorization": f"Bearer {token}"})
    assert response.status_code == 200, response.text
    return dict(response.json())


async def test_a_redelivered_batch_is_stored_and_aggregated_once(brain: InProcess) -> None:
    await _field(brain, 880_001)
    at = datetime(2025, 10, 23, 10, 15, tzinfo=UTC)
    batch = _batch(880_001, (at, 20.0), (at + timedelta(minutes=5), 22.0), (at + timedelta(minutes=5), 99.0))
    await on_readings_received(brain.session, batch)
    await on_readings_received(brain.session, batch)  # JetStream redelivers after a crash before the ack

    stored = await brain.session.scalar(select(func.count()).select_from(Reading).where(Reading.parcela_id == 880_001))
    hour = await brain.session.scalar(select(Hourly).where(Hourly.parcela_id == 880_001))
    assert stored == 2  # the same node, sensor and instant twice in one batch is one reading
    assert hour is not None
    assert (hour.n, hour.total, hour.lo, hour.hi) == (2, 42.0, 20.0, 22.0)


async def test_day_buckets_follow_the_zone_across_a_dst_change(brain: InProcess) -> None:
    await _field(brain, 880_002)
    await _keeping_everything(brain, 880_002)
    # New York left DST on 2025-11-02 at 06:00 UTC: that local day lasted 25 hours.
    hours = [datetime(2025, 11, 1, 4, tzinfo=UTC) + timedelta(hours=h) for h in range(24 + 25)]
    await on_readings_received(brain.session, _batch(880_002, *((moment, 1.0) for moment in hours)))
    body = await _history(
        brain,
        "parcela_id=880002&bucket=day&tz=America/New_York&from=2025-11-01T04:00:00Z&to=2025-11-03T05:00:00Z",
    )
    assert [(p["t"], p["avg"]) for p in body["series"]] == [
        ("2025-11-01T00:00:00-04:00", 1.0),
        ("2025-11-02T00:00:00-04:00", 1.0),
    ]
    local_day = func.date_trunc("day", func.timezone("America/New_York", Hourly.hour))
    counts = await brain.session.execute(
        select(local_day, func.sum(Hourly.n))
        .where(Hourly.parcela_id == 880_002)
        .group_by(local_day)
        .order_by(local_day)
    )
    assert [n for _, n in counts] == [24, 25]


async def test_day_buckets_in_a_half_hour_zone_are_counted_from_readings(brain: InProcess) -> None:
    await _field(brain, 880_003)
    await _keeping_everything(brain, 880_003)
    # 18:45 UTC is 00:15 the next day in Kolkata (+05:30): hourly buckets cannot say so.
    batch = _batch(
        880_003, (datetime(2025, 6, 1, 18, 20, tzinfo=UTC), 10.0), (datetime(2025, 6, 1, 18, 45, tzinfo=UTC), 30.0)
    )
    await on_readings_received(brain.session, batch)
    body = await _history(
        brain, "parcela_id=880003&bucket=day&tz=Asia/Kolkata&from=2025-06-01T00:00:00Z&to=2025-06-03T00:00:00Z"
    )
    assert [(p["t"], p["avg"]) for p in body["series"]] == [
        ("2025-06-01T00:00:00+05:30", 10.0),
        ("2025-06-02T00:00:00+05:30", 30.0),
    ]


async def test_a_silent_sensor_raises_stale_once_and_clears_when_it_reports(brain: InProcess) -> None:
    await _field(brain, 880_004)
    brain.session.add(
        Subscription(suscripcion_id=880_004, parcela_id=880_004, estado="activo", frecuencia_minutos=15,
                     version=datetime.now(UTC), deleted=False)
    )  # fmt: skip
    await brain.session.flush()
    now = datetime.now(UTC)
    await on_readings_received(brain.session, _batch(880_004, (now - timedelta(minutes=45), 20.0)))

    assert await alerts.flag_stale_sensors(brain.session, now=now) == 1  # 45 min > 2 x 15 min
    assert await alerts.flag_stale_sensors(brain.session, now=now + timedelta(minutes=5)) == 0  # once
    stale = await brain.session.scalar(select(Alert).where(Alert.parcela_id == 880_004))
    assert stale is not None
    assert (stale.tipo, stale.severity, stale.cleared_at) == ("sensor.stale", "warning", None)

    await on_readings_received(brain.session, _batch(880_004, (now, 21.0)))
    await brain.session.refresh(stale)
    assert stale.cleared_at is not None
    subjects = (
        await brain.session.scalars(
            select(outbox_table.c.subject).where(outbox_table.c.payload["data"]["parcela_id"].as_integer() == 880_004)
        )
    ).all()
    assert sorted(subjects) == ["brain.alert.cleared", "brain.alert.raised"]
