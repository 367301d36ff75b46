from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import httpx
import pytest

from devstack.stack import Stack
from devstack.waiting import eventually

Refused = Callable[[str, str], Awaitable[bool]]


@pytest.fixture
async def auth_db(platform_stack: Stack) -> AsyncIterator[asyncpg.Connection]:
    """A connection to the suite's database, to look at what auth stores (`auth.` tables)."""
    connection = await asyncpg.connect(platform_stack.superuser_dsn)
    try:
        yield connection
    finally:
        await connection.close()


@pytest.fixture
def refused_soon(gateway: httpx.AsyncClient) -> Refused:
    """`await refused_soon(path, credential)`: True once the gateway answers 401, failing the test
    after a second (revocations reach it as events, a few milliseconds after the commit)."""

    async def check(path: str, credential: str) -> bool:
        async def refused() -> bool:
            response = await gateway.get(path, headers={"Authorization": f"Bearer {credential}"})
            return response.status_code == 401

        return await eventually(refused, f"the gateway refuses the credential on {path}", seconds=1.0)

    return check
