"""The per-replica credential cache (`ingest.node.cache`) against a real PostgreSQL: emptied by
a committed change's notification, and never used while its listener is away."""

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime

import asyncpg
import pytest
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import create_async_engine

from devstack.stack import Stack
from devstack.waiting import eventually
from ingest.node.cache import Cached, CredentialCache, notify_change

NOW = datetime.now(UTC)


@pytest.fixture
async def cache(platform_engines: Stack) -> AsyncIterator[CredentialCache[str]]:
    found: CredentialCache[str] = CredentialCache()
    url = make_url(platform_engines.superuser_dsn.replace("postgresql://", "postgresql+asyncpg://"))
    following = asyncio.create_task(found.follow(url))
    await eventually(lambda: found.listening, "the cache listens")
    try:
        yield found
    finally:
        following.cancel()
        await asyncio.gather(following, return_exceptions=True)


async def test_a_committed_change_empties_the_cache_and_a_lookup_from_before_it_is_not_kept(
    cache: CredentialCache[str], platform_engines: Stack
) -> None:
    before = cache.generation
    cache.put("digest-a", Cached("node a", NOW), generation=before)
    assert cache.get("digest-a") == Cached("node a", NOW)

    engine = create_async_engine(platform_engines.superuser_dsn.replace("postgresql://", "postgresql+asyncpg://"))
    try:
        async with engine.connect() as connection:  # rolled back: nobody is told
            await connection.execute(notify_change())
            await connection.rollback()
        assert cache.get("digest-a") is not None
        async with engine.begin() as connection:
            await connection.execute(notify_change())
    finally:
        await engine.dispose()

    await eventually(lambda: cache.get("digest-a") is None, "the commit empties the cache")
    # A lookup that read the table before the change must not store what it read.
    cache.put("digest-b", Cached("node b", NOW), generation=before)
    assert cache.get("digest-b") is None
    cache.put("digest-b", Cached("node b", NOW), generation=cache.generation)
    assert cache.get("digest-b") == Cached("node b", NOW)


async def test_nothing_is_cached_while_the_listener_is_away(
    cache: CredentialCache[str], platform_engines: Stack
) -> None:
    cache.put("digest-a", Cached("node a", NOW), generation=cache.generation)
    server = await asyncpg.connect(platform_engines.superuser_dsn)
    try:  # every credential listener on this server: any other one reconnects the same way
        await server.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = 'ingest-credentials'"
        )
    finally:
        await server.close()
    await eventually(lambda: not cache.listening, "the listener notices its connection is gone")
    assert cache.get("digest-a") is None
    cache.put("digest-a", Cached("node a", NOW), generation=cache.generation)
    assert cache.get("digest-a") is None  # notifications meanwhile would be lost: nothing kept

    await eventually(lambda: cache.listening, "the listener reconnects", seconds=5)
    cache.put("digest-a", Cached("node a", NOW), generation=cache.generation)
    assert cache.get("digest-a") == Cached("node a", NOW)
