from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from auth.testing import Workspace
from devstack.stack import Stack

Guest = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def guest(gateway: httpx.AsyncClient, workspace: Workspace) -> Guest:
    """`await guest("Hola")`: a guest of the workspace's desk through start_chat and
    complete_chat; the complete_chat answer (with `chat_room_id` and `guest_token`)."""

    async def open_chat(message: str = "Hola, necesito ayuda", *, email: str | None = None) -> dict[str, Any]:
        started = await gateway.post("/api/chat/start_chat/", json={"initial_message": message,
                                                                    "tenant": workspace.tenant_id})  # fmt: skip
        assert started.status_code == 200, started.text
        assert started.json()["expires_in"] == 1800
        completed = await gateway.post("/api/chat/complete_chat/", json={
            "session_id": started.json()["session_id"], "email": email or "invitada@example.com",
            "full_name": "Ana Invitada", "phone_number": "+51 999 888 777", "recaptcha_token": "",
        })  # fmt: skip
        assert completed.status_code == 201, completed.text
        return dict(completed.json())

    return open_chat


@pytest.fixture
async def database(platform_stack: Stack) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on the suite's database (as its superuser): to move a row back in time, or to
    run a maintenance job now instead of waiting for its interval."""
    engine = create_async_engine(platform_stack.superuser_dsn.replace("postgresql://", "postgresql+asyncpg://"))
    try:
        yield async_sessionmaker(engine, expire_on_commit=False)
    finally:
        await engine.dispose()
