import asyncio
import time
from collections.abc import AsyncIterator, Awaitable, Callable

import asyncpg
import httpx
import pytest

from devstack.stack import Stack

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
    """`await refused_soon(path, credential)`: whether the gateway answers 401 within a second
    (revocations reach it as events, a few milliseconds after the commit)."""

    async def check(path: str, credential: str) -> bool:
        deadline = time.monotonic() + 1.0
        while True:
            response = await gateway.get(path, headers={"Authorization": f"Bearer {credential}"})
            if response.status_code == 401:
                return True
            if time.monotonic() > deadline:
                return False
            await asyncio.sleep(0.05)

    return check
