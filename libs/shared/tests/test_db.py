"""The engine every service uses: a pooled connection the server closed is never handed out;
and `DriverRead`, a Core SELECT that asyncpg runs itself on a session's connection."""

from datetime import UTC, datetime

import asyncpg
import pytest
from sqlalchemy import BigInteger, Column, DateTime, MetaData, String, Table, bindparam, func, literal, select, text
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from devstack.pytest_plugin import ScratchSchema
from devstack.stack import Stack
from devstack.waiting import eventually
from shared.db import DriverRead, create_engine, create_sessionmaker


async def test_a_pooled_connection_the_server_closed_is_replaced_at_checkout(
    scratch_schema: ScratchSchema, platform_engines: Stack
) -> None:
    engine = create_engine(scratch_schema.url, schema=scratch_schema.name, pool_size=1)
    admin = await asyncpg.connect(platform_engines.superuser_dsn)
    try:
        async with engine.connect() as connection:
            first = await connection.scalar(text("SELECT pg_backend_pid()"))
        # As a restart does: the server ends the pooled connection's backend.
        assert await admin.fetchval("SELECT pg_terminate_backend($1)", first)

        async def gone() -> bool:
            return not await admin.fetchval("SELECT count(*) FROM pg_stat_activity WHERE pid = $1", first)

        await eventually(gone, "the backend is gone")
        async with engine.connect() as connection:
            second = await connection.scalar(text("SELECT pg_backend_pid()"))
        assert second != first
    finally:
        await admin.close()
        await engine.dispose()


async def test_a_driver_read_binds_by_name_decodes_as_the_engine_does_and_sees_the_transaction(
    scratch_schema: ScratchSchema,
) -> None:
    things = Table(
        "things", MetaData(schema=scratch_schema.name),
        Column("id", BigInteger, primary_key=True), Column("name", String(20)),
        Column("tags", ARRAY(String(20))), Column("extra", JSONB), Column("at", DateTime(timezone=True)),
    )  # fmt: skip
    engine = create_engine(scratch_schema.url, schema=scratch_schema.name, pool_size=1)
    at = datetime(2026, 12, 5, 10, 30, tzinfo=UTC)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(things.metadata.create_all)
        read = DriverRead.of(
            select(things.c.name, things.c.tags, things.c.extra, things.c.at, literal("x").label("constant"))
            .where(things.c.id == bindparam("id", type_=BigInteger), things.c.at >= bindparam("since"))
            .order_by(func.lower(things.c.name))
        )
        async with create_sessionmaker(engine)() as session, session.begin():
            await session.execute(things.insert(), [{"id": 1, "name": "uno", "tags": ["a", "b"],
                                                     "extra": {"k": [1]}, "at": at}])  # fmt: skip
            # Inside the transaction begun by the insert: its row is seen before any commit.
            row = await read.fetchrow(session, {"id": 1, "since": at})
            assert row is not None
            assert dict(row) == {"name": "uno", "tags": ["a", "b"], "extra": {"k": [1]}, "at": at, "constant": "x"}
            assert await read.fetchrow(session, {"id": 2, "since": at}) is None
            with pytest.raises(KeyError):
                await read.fetchrow(session, {"id": 1})
            await session.rollback()
        async with create_sessionmaker(engine)() as session:
            assert await read.fetchrow(session, {"id": 1, "since": at}) is None  # the insert was rolled back
    finally:
        await engine.dispose()
