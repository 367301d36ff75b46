"""The engine every service uses: a pooled connection the server closed is never handed out."""

import asyncpg
from sqlalchemy import text

from devstack.pytest_plugin import ScratchSchema
from devstack.stack import Stack
from devstack.waiting import eventually
from shared.db import create_engine


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
