"""Scheduled maintenance and the events' clean-up, against the real PostgreSQL."""

import asyncio
import contextlib
import itertools
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import timedelta
from typing import Any

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from prometheus_client import REGISTRY
from sqlalchemy import MetaData, Table, func, insert, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from devstack.pytest_plugin import ScratchSchema
from devstack.waiting import eventually
from shared.db import create_engine, create_sessionmaker
from shared.events import messaging_tables
from shared.events.retention import delete_old_inbox, delete_published_outbox
from shared.maintenance import MaintenanceJob, MaintenanceRunner
from shared.migrations import create_messaging_tables


@dataclass
class Database:
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    schema: str
    outbox: Table
    inbox: Table


@pytest.fixture
async def database(scratch_schema: ScratchSchema) -> AsyncIterator[Database]:
    outbox, inbox = messaging_tables(MetaData(schema=scratch_schema.name))
    engine = create_engine(scratch_schema.url, schema=scratch_schema.name)

    def migrate(connection: Any) -> None:
        with Operations.context(MigrationContext.configure(connection)):
            create_messaging_tables()

    async with engine.begin() as conn:
        await conn.run_sync(migrate)
    yield Database(engine, create_sessionmaker(engine), scratch_schema.name, outbox, inbox)
    await engine.dispose()


@contextlib.asynccontextmanager
async def running(runner: MaintenanceRunner) -> AsyncIterator[asyncio.Task[None]]:
    task = asyncio.create_task(runner.run())
    try:
        yield task
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def metric(name: str, service: str, job: str) -> float:
    return REGISTRY.get_sample_value(name, {"service": service, "job": job}) or 0.0


async def test_one_runner_among_two_runs_a_job_and_the_other_takes_over_when_it_stops(database: Database) -> None:
    runs: list[tuple[str, float, float]] = []  # (runner, start, end)

    def job(label: str) -> MaintenanceJob:
        async def record(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
            start = asyncio.get_running_loop().time()
            await asyncio.sleep(0.02)
            runs.append((label, start, asyncio.get_running_loop().time()))
            return 1

        return MaintenanceJob("count", 0.05, record)

    runners = {
        label: MaintenanceRunner(database.engine, database.sessionmaker, [job(label)], service=database.schema)
        for label in ("a", "b")
    }

    async def six_runs() -> bool:
        return len(runs) >= 6

    async def taken_over() -> bool:
        return any(label != runs[0][0] for label, _, _ in runs)

    tasks = {label: asyncio.create_task(runner.run()) for label, runner in runners.items()}
    try:
        await eventually(six_runs, "six runs")
        leader = runs[0][0]
        assert {label for label, _, _ in runs} == {leader}, runs
        ordered = sorted(runs, key=lambda run: run[1])
        assert all(a[2] <= b[1] for a, b in itertools.pairwise(ordered)), "runs overlapped"
        # The leader stops (its lock session closes): the other replica leads from its next try.
        tasks[leader].cancel()
        await eventually(taken_over, "the other runner to lead")
    finally:
        for task in tasks.values():
            task.cancel()
        await asyncio.gather(*tasks.values(), return_exceptions=True)
    assert metric("maintenance_rows_removed_total", database.schema, "count") >= len(runs) - 1
    assert metric("maintenance_last_run_timestamp_seconds", database.schema, "count") > 0


async def test_a_failing_job_is_counted_and_run_again_at_its_next_interval(database: Database) -> None:
    attempts = 0

    async def flaky(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
        nonlocal attempts
        attempts += 1
        if attempts == 1:
            raise RuntimeError("first run fails")
        return 0

    runner = MaintenanceRunner(
        database.engine, database.sessionmaker, [MaintenanceJob("flaky", 0.05, flaky)], service=database.schema
    )
    async with running(runner) as task:

        async def ran_again() -> bool:
            return attempts >= 3

        await eventually(ran_again, "runs after the failure")
        assert not task.done()
    assert metric("maintenance_failures_total", database.schema, "flaky") == 1


async def _outbox_row(database: Database, *, created: timedelta, published: timedelta | None) -> uuid.UUID:
    """A row created `created` ago, published `published` ago or never."""
    row_id = uuid.uuid4()
    async with database.sessionmaker() as session, session.begin():
        await session.execute(
            insert(database.outbox).values(
                id=row_id,
                subject="t.thing.happened",
                payload={},
                created_at=func.now() - created,
                published_at=None if published is None else func.now() - published,
            )
        )
    return row_id


async def test_the_outbox_clean_up_deletes_only_rows_published_before_the_margin(database: Database) -> None:
    hours = timedelta(hours=1)
    old = [await _outbox_row(database, created=3 * hours, published=2 * hours) for _ in range(5)]
    recent = await _outbox_row(database, created=3 * hours, published=timedelta(minutes=10))
    unpublished = await _outbox_row(database, created=30 * 24 * hours, published=None)

    removed = await delete_published_outbox(
        database.sessionmaker, database.outbox, older_than=timedelta(hours=1), batch_size=2
    )

    assert removed == len(old)
    async with database.sessionmaker() as session:
        left = set(await session.scalars(select(database.outbox.c.id)))
    assert left == {recent, unpublished}


async def test_the_inbox_clean_up_deletes_only_rows_processed_before_the_margin(database: Database) -> None:
    async with database.sessionmaker() as session, session.begin():
        for hours, consumer in [(48, "a"), (48, "b"), (25, "a"), (1, "a")]:
            await session.execute(
                insert(database.inbox).values(
                    consumer=consumer,
                    event_id=uuid.uuid4(),
                    event_type="t",
                    processed_at=func.now() - timedelta(hours=hours),
                )
            )

    removed = await delete_old_inbox(database.sessionmaker, database.inbox, older_than=timedelta(days=1), batch_size=2)

    assert removed == 3
    async with database.sessionmaker() as session:
        assert await session.scalar(select(func.count()).select_from(database.inbox)) == 1
