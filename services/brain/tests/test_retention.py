"""Readings by day and per plan, on the real PostgreSQL: partitions, retention cuts, the levels
history and series answer from, and the migration that partitioned the table."""

import os
import secrets
import subprocess
import sys
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

import asyncpg
import pytest
from fastapi import FastAPI
from prometheus_client import REGISTRY
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from brain import events
from brain.config import settings
from brain.field import handlers as field_handlers
from brain.main import create_app
from brain.models import Daily, Field, Hourly, Reading, Subscription
from brain.reading.handlers import on_readings_received
from brain.retention import repository
from brain.retention import service as retention
from brain.retention.repository import Terms, partition_name
from devstack.catalog import discover
from devstack.inprocess import InProcess, in_process
from devstack.stack import Stack
from shared.events import Envelope

TENANT = 900_000_003
OWNER = 43


@dataclass
class Brain:
    harness: InProcess
    app: FastAPI

    @property
    def session(self) -> AsyncSession:
        return self.harness.session

    @property
    def sessionmaker(self) -> async_sessionmaker[AsyncSession]:
        return self.app.state.sessionmaker  # type: ignore[no-any-return]

    async def get(self, path: str, **params: datetime | str | int) -> dict[str, Any]:
        token = self.harness.token(tenant=TENANT, role="agricultor", user_id=OWNER)
        query = {key: value.isoformat() if isinstance(value, datetime) else value for key, value in params.items()}
        response = await self.harness.client.get(path, params=query, headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200, response.text
        return dict(response.json())


@pytest.fixture
async def brain(platform_database: Stack) -> AsyncIterator[Brain]:
    url = platform_database.superuser_dsn.replace("postgresql://", "postgresql+asyncpg://")
    app = create_app()
    async with in_process(app, database_url=url, schema="brain") as harness:
        yield Brain(harness, app)


async def _field(brain: Brain, parcela_id: int, terms: Terms | None = None) -> None:
    now = datetime.now(UTC)
    brain.session.add(Field(parcela_id=parcela_id, tenant_id=TENANT, usuario_id=OWNER, version=now, deleted=False))
    if terms is not None:
        brain.session.add(
            Subscription(suscripcion_id=parcela_id, parcela_id=parcela_id, estado="activo", version=now, deleted=False,
                         retencion_lecturas_dias=terms.raw_days, retencion_horaria_meses=terms.hourly_months,
                         retencion_diaria_anios=terms.daily_years)
        )  # fmt: skip
    await brain.session.flush()


async def _store(brain: Brain, parcela_id: int, values: list[tuple[datetime, float]]) -> None:
    batch = []
    for moment, value in values:
        sensores = [{"sensor": "temperatura", "valor": value, "unidad": "C"}]
        lecturas = [{"nodo_codigo": "N1", "timestamp": moment, "sensores": sensores}]
        event = events.ReadingsReceived.model_validate({"parcela_id": parcela_id, "lecturas": lecturas})
        batch.append((Envelope(type=event.subject, tenant_id=TENANT, source="test", data=event.model_dump()), event))
    await on_readings_received(brain.session, batch)


async def _sums(session: AsyncSession, parcela_id: int) -> dict[str, dict[datetime, tuple[int, float, float, float]]]:
    """Raw readings summed by UTC hour and day, and the hourly and daily aggregates, as stored."""

    def by(bucket: Any, *columns: Any) -> Any:
        return select(bucket, *columns).group_by(bucket)

    raw = (Reading.t, func.count(), func.sum(Reading.valor), func.min(Reading.valor), func.max(Reading.valor))
    hours = (Hourly.hour, func.sum(Hourly.n), func.sum(Hourly.total), func.min(Hourly.lo), func.max(Hourly.hi))
    utc_day = func.timezone("UTC", func.date_trunc("day", func.timezone("UTC", Hourly.hour)))
    raw_day = func.timezone("UTC", func.date_trunc("day", func.timezone("UTC", Reading.t)))
    queries = {
        "raw_hours": by(func.date_trunc("hour", Reading.t), *raw[1:]).where(Reading.parcela_id == parcela_id),
        "raw_days": by(raw_day, *raw[1:]).where(Reading.parcela_id == parcela_id),
        "hours": by(Hourly.hour, *hours[1:]).where(Hourly.parcela_id == parcela_id),
        "hours_by_day": by(utc_day, *hours[1:]).where(Hourly.parcela_id == parcela_id),
        "days": select(Daily.day, Daily.n, Daily.total, Daily.lo, Daily.hi).where(Daily.parcela_id == parcela_id),
    }
    found = {}
    for name, query in queries.items():
        found[name] = {
            row[0]: (int(row[1]), float(row[2]), float(row[3]), float(row[4])) for row in await session.execute(query)
        }
    return found


def _counted(job: str, change: str) -> float:
    return (
        REGISTRY.get_sample_value("maintenance_partitions_total", {"service": "brain", "job": job, "change": change})
        or 0.0
    )


async def _partition_of(session: AsyncSession, parcela_id: int) -> dict[str, int]:
    rows = await session.execute(
        text("SELECT tableoid::regclass::text, count(*) FROM readings WHERE parcela_id = :p GROUP BY 1"),
        {"p": parcela_id},
    )
    return {name.removeprefix("brain."): int(count) for name, count in rows}


async def test_readings_across_midnight_go_to_their_days_and_the_aggregates_add_up(brain: Brain) -> None:
    await _field(brain, 881_001)
    midnight = datetime.combine(datetime.now(UTC).date() - timedelta(days=2), time(0), tzinfo=UTC)
    # 22:00 to 01:50 around a UTC midnight, every 10 minutes; and one far ahead (a node's clock
    # gone wrong) in a day no partition was made for: stored, not lost.
    values = [(midnight + timedelta(minutes=10 * i), float(i % 7)) for i in range(-12, 12)]
    far = datetime(datetime.now(UTC).year + 3, 6, 1, 12, tzinfo=UTC)
    made_before = _counted("readings.store", "created")
    await _store(brain, 881_001, [*values, (far, 100.0)])

    assert await _partition_of(brain.session, 881_001) == {
        partition_name(midnight.date() - timedelta(days=1)): 12,
        partition_name(midnight.date()): 12,
        partition_name(far.date()): 1,
    }
    assert _counted("readings.store", "created") >= made_before + 1  # the far day at least, made on demand
    sums = await _sums(brain.session, 881_001)
    assert sums["hours"] == sums["raw_hours"]
    assert sums["days"] == sums["raw_days"] == sums["hours_by_day"]
    assert len(sums["days"]) == 3


async def test_a_retention_cut_drops_whole_days_hides_what_is_past_and_loses_nothing_kept(brain: Brain) -> None:
    now = datetime.now(UTC)
    short = Terms(raw_days=2, hourly_months=1, daily_years=1)
    await _field(brain, 881_002, short)
    await _field(brain, 881_003)  # no plan: the defaults (30 days, 12 months, 10 years)
    longest = await repository.longest_raw_days(brain.session, settings.retention_raw_days)
    old = datetime.combine((now - timedelta(days=longest + 10)).date(), time(10), tzinfo=UTC)
    recent = (now - timedelta(days=3)).replace(minute=10, second=0, microsecond=0)
    latest = now - timedelta(minutes=30)
    for field in (881_002, 881_003):
        await _store(brain, field, [(old, 1.0), (old + timedelta(minutes=10), 3.0), (old + timedelta(hours=5), 8.0)])
        await _store(brain, field, [(recent, 10.0), (recent + timedelta(minutes=1), 20.0)])
        await _store(brain, field, [(latest, 30.0)])
    before = {field: await _sums(brain.session, field) for field in (881_002, 881_003)}

    # Past its plan's two days of raw readings, the short field's window is answered by hours.
    last_day = await brain.get(
        "/api/brain/series/",
        parcela_id=881_002,
        parametro="temperatura",
        **{"from": now - timedelta(days=1), "to": now},
    )
    assert (last_day["nivel"], [p["v"] for p in last_day["points"]]) == ("crudo", [30.0])
    four_days = {"from": now - timedelta(days=4), "to": now}
    short_series = await brain.get("/api/brain/series/", parcela_id=881_002, parametro="temperatura", **four_days)
    assert (short_series["nivel"], [p["v"] for p in short_series["points"]]) == ("hora", [15.0, 30.0])
    default_series = await brain.get("/api/brain/series/", parcela_id=881_003, parametro="temperatura", **four_days)
    assert (default_series["nivel"], [p["v"] for p in default_series["points"]]) == ("crudo", [10.0, 20.0, 30.0])
    minutes = await brain.get("/api/brain/history/", parcela_id=881_002, bucket="minute", **four_days)
    assert minutes["nivel"] == "hora"

    # The old day's hours are past the short plan's month even before any pruning: its days answer.
    around_old = {"from": old - timedelta(days=1), "to": old + timedelta(days=1)}
    hours = await brain.get("/api/brain/history/", parcela_id=881_002, bucket="hour", **around_old)
    assert hours["nivel"] == "dia"
    assert [(p["t"], p["avg"], p["min"], p["max"]) for p in hours["series"]] == [
        (datetime.combine(old.date(), time(0), tzinfo=UTC).isoformat().replace("+00:00", "Z"), 4.0, 1.0, 8.0)
    ]
    default_hours = await brain.get("/api/brain/history/", parcela_id=881_003, bucket="hour", **around_old)
    assert default_hours["nivel"] == "hora"
    assert [p["avg"] for p in default_hours["series"]] == [2.0, 8.0]

    dropped_before = _counted(retention.PARTITIONS_JOB, "dropped")
    await retention.keep_partitions(brain.sessionmaker, now=now)
    assert await retention.prune_aggregates(brain.sessionmaker, now=now) >= 2  # the short field's two old hours

    # The old day went whole; every later day is still there, every reading in it kept.
    assert await brain.session.scalar(text("SELECT to_regclass(:n)"), {"n": partition_name(old.date())}) is None
    assert _counted(retention.PARTITIONS_JOB, "dropped") >= dropped_before + 1
    for field in (881_002, 881_003):
        assert partition_name(old.date()) not in await _partition_of(brain.session, field)
        assert sum((await _partition_of(brain.session, field)).values()) == 3
    after = {field: await _sums(brain.session, field) for field in (881_002, 881_003)}
    old_day = datetime.combine(old.date(), time(0), tzinfo=UTC)
    # The defaults keep the old hours; the short plan's month does not; both keep the days.
    assert after[881_003]["hours"] == before[881_003]["hours"]
    assert {hour for hour in before[881_002]["hours"] if hour >= old_day + timedelta(days=1)} == set(
        after[881_002]["hours"]
    )
    for field in (881_002, 881_003):
        assert after[field]["days"] == before[field]["days"]
        # Aggregates still add up: what raw is left equals its hours, the hours left their days.
        assert {h: v for h, v in after[field]["hours"].items() if h >= old_day + timedelta(days=1)} == after[field][
            "raw_hours"
        ]
        for day, sums in after[field]["hours_by_day"].items():
            assert after[field]["days"][day] == sums
    history = await brain.get("/api/brain/history/", parcela_id=881_003, bucket="day", **around_old)
    assert (history["nivel"], [p["avg"] for p in history["series"]]) == ("hora", [4.0])


async def test_horizons_count_months_and_years_as_postgresql_does(brain: Brain) -> None:
    for moment, months in [
        (datetime(2025, 3, 31, 12, 30, tzinfo=UTC), 1),
        (datetime(2024, 2, 29, 23, 59, tzinfo=UTC), 12),
        (datetime(2026, 1, 15, 0, 0, tzinfo=UTC), 13),
        (datetime(2026, 12, 31, 5, 0, tzinfo=UTC), 120),
    ]:
        expected = await brain.session.scalar(
            text("SELECT CAST(:now AS timestamptz) - make_interval(months => :m)"), {"now": moment, "m": months}
        )
        assert retention._months_before(moment, months) == expected, (moment, months)
    kept = retention.horizons_of(Terms(2, 1, 1), datetime(2026, 3, 31, 12, 30, tzinfo=UTC))
    assert kept == retention.Horizons(
        crudo=datetime(2026, 3, 29, 12, 30, tzinfo=UTC),
        hora=datetime(2026, 2, 28, 12, 0, tzinfo=UTC),
        dia=datetime(2025, 3, 31, 0, 0, tzinfo=UTC),
    )
    levels: tuple[retention.Level, ...] = ("crudo", "hora", "dia")
    assert retention.finest_level(kept, datetime(2026, 3, 30, tzinfo=UTC), levels) == "crudo"
    assert retention.finest_level(kept, datetime(2026, 3, 29, 12, 0, tzinfo=UTC), levels) == "hora"
    assert retention.finest_level(kept, datetime(2026, 2, 28, 12, 59, tzinfo=UTC), levels) == "hora"
    assert retention.finest_level(kept, datetime(2026, 2, 28, 11, 59, tzinfo=UTC), levels) == "dia"
    assert retention.finest_level(kept, datetime(2020, 1, 1, tzinfo=UTC), levels) == "dia"  # clipped to its horizon


KIND = "SELECT relkind::text FROM pg_class WHERE oid = 'brain.readings'::regclass"  # p: partitioned, r: plain


def _alembic(dsn: str, *args: str) -> None:
    [spec] = [spec for spec in discover() if spec.name == "brain"]
    env = {**os.environ, "BRAIN_DATABASE_URL": dsn.replace("postgresql://", "postgresql+asyncpg://")}
    result = subprocess.run(
        [sys.executable, "-m", "alembic", "-c", str(spec.alembic_ini), *args],
        env=env, cwd=spec.directory, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


async def test_the_migration_partitions_existing_readings_and_keeps_every_row(platform_engines: Stack) -> None:
    name = f"brain_upgrade_{secrets.token_hex(4)}"
    admin = await asyncpg.connect(platform_engines.superuser_dsn)
    await admin.execute(f'CREATE DATABASE "{name}"')
    dsn = platform_engines.superuser_dsn.rsplit("/", 1)[0] + f"/{name}"
    try:
        conn = await asyncpg.connect(dsn)
        try:
            await conn.execute("CREATE SCHEMA brain")
            _alembic(dsn, "upgrade", "0003")
            start = datetime(2025, 10, 23, 22, 0, tzinfo=UTC)
            rows = [
                (7, p, start + timedelta(minutes=20 * i), "N1", float(i), "%", 1)
                for p in ("ph", "co2")
                for i in range(9)
            ]
            await conn.copy_records_to_table(
                "readings", schema_name="brain", records=rows,
                columns=["parcela_id", "parametro", "t", "nodo_codigo", "valor", "unidad", "tenant_id"],
            )  # fmt: skip
            await conn.execute("""
                INSERT INTO brain.hourly SELECT parcela_id, parametro, date_trunc('hour', t), count(*), sum(valor),
                    min(valor), max(valor) FROM brain.readings GROUP BY 1, 2, 3
            """)
            listing = (
                "SELECT parcela_id, parametro, t, nodo_codigo, valor, stored_at FROM brain.readings ORDER BY 1, 2, 3"
            )
            stored = await conn.fetch(listing)

            _alembic(dsn, "upgrade", "head")
            assert await conn.fetch(listing) == stored
            assert await conn.fetchval(KIND) == "p"
            partitions = await conn.fetch(
                "SELECT tableoid::regclass::text AS partition, count(*) FROM brain.readings GROUP BY 1 ORDER BY 1"
            )
            assert [(row[0], row[1]) for row in partitions] == [
                ("brain.readings_p20251023", 6 * 2),
                ("brain.readings_p20251024", 3 * 2),
            ]
            today = datetime.now(UTC).date()
            assert await conn.fetchval("SELECT to_regclass($1)", f"brain.{partition_name(today + timedelta(days=7))}")
            daily = await conn.fetch("SELECT day, n, total FROM brain.daily WHERE parametro = 'ph' ORDER BY day")
            assert [(row["day"].date(), row["n"], row["total"]) for row in daily] == [
                (date(2025, 10, 23), 6, 15.0),
                (date(2025, 10, 24), 3, 21.0),
            ]

            _alembic(dsn, "downgrade", "0003")
            assert await conn.fetch(listing) == stored
            assert await conn.fetchval(KIND) == "r"
        finally:
            await conn.close()
    finally:
        await admin.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await admin.close()


async def test_a_fields_terms_come_from_its_active_plans_event_else_the_defaults(brain: Brain) -> None:
    await _field(brain, 881_004)
    defaults = retention.default_terms()
    assert await repository.terms_of_field(brain.session, 881_004, defaults) == Terms(30, 12, 10)

    def changed(estado: str, **terms: int) -> tuple[Envelope, events.SubscriptionChanged]:
        event = events.SubscriptionChanged(suscripcion_id=881_004, parcela_id=881_004, estado=estado, **terms)
        return Envelope(type=event.subject, tenant_id=TENANT, source="agro", data=event.model_dump()), event

    plan = {"retencion_lecturas_dias": 7, "retencion_horaria_meses": 2, "retencion_diaria_anios": 3}
    await field_handlers.on_subscription_changed(brain.session, *changed("activo", **plan))
    assert await repository.terms_of_field(brain.session, 881_004, defaults) == Terms(7, 2, 3)
    await field_handlers.on_subscription_changed(brain.session, *changed("activo"))  # sent before agro had them
    assert await repository.terms_of_field(brain.session, 881_004, defaults) == Terms(30, 12, 10)
    await field_handlers.on_subscription_changed(brain.session, *changed("suspendido", **plan))
    assert await repository.terms_of_field(brain.session, 881_004, defaults) == Terms(30, 12, 10)
