"""The delivery log's own retention, and a guest's erasure reaching it (issue 22): deliveries go
WEBHOOKS_DELIVERY_RETENTION_SECONDS after their event (the job run at once, its rows moved back in
time), and on `chat.guest.erased` the log drops every delivery about that guest's chats."""

import secrets
from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker, create_async_engine

from auth.testing import Workspace, auth_header
from devstack.stack import Stack
from devstack.waiting import eventually
from webhooks.config import Settings
from webhooks.delivery.jobs import retention_job

Sessions = async_sessionmaker[AsyncSession]
DAY = 24 * 3600.0


@pytest.fixture
async def database(platform_stack: Stack) -> AsyncIterator[Sessions]:
    engine = create_async_engine(platform_stack.superuser_dsn.replace("postgresql://", "postgresql+asyncpg://"))
    try:
        yield async_sessionmaker(engine, expire_on_commit=False)
    finally:
        await engine.dispose()


async def open_chat(gateway: httpx.AsyncClient, tenant_id: int, email: str) -> str:
    started = await gateway.post("/api/chat/start_chat/", json={"initial_message": "Hola", "tenant": tenant_id})
    assert started.status_code == 200, started.text
    completed = await gateway.post("/api/chat/complete_chat/", json={
        "session_id": started.json()["session_id"], "email": email, "full_name": "Ana Invitada",
        "phone_number": "+51 999 888 777", "recaptcha_token": "",
    })  # fmt: skip
    assert completed.status_code == 201, completed.text
    return str(completed.json()["chat_room_id"])


async def logged_rooms(gateway: httpx.AsyncClient, owner: dict[str, str], hook_id: str) -> list[str]:
    response = await gateway.get(f"/api/webhooks/{hook_id}/deliveries", headers=owner)
    assert response.status_code == 200, response.text
    return sorted(d["payload"]["data"]["chat_room_id"] for d in response.json()["deliveries"])


def test_the_retention_may_not_be_shorter_than_the_retry_window() -> None:
    assert Settings().delivery_retention_seconds == 30 * DAY
    with pytest.raises(ValueError, match="WEBHOOKS_DELIVERY_RETENTION_SECONDS"):
        Settings(delivery_retention_seconds=3600, retry_window_seconds=DAY)


async def test_a_guests_erasure_drops_the_deliveries_about_their_chats_and_old_ones_go(
    gateway: httpx.AsyncClient, workspace: Workspace, receiver: Any, database: Sessions
) -> None:
    owner = auth_header(workspace.owner_token)
    created = await gateway.post("/api/webhooks", headers=owner,
                                 json={"url": f"{receiver.url}/chats", "events": ["chat.created"]})  # fmt: skip
    assert created.status_code == 201, created.text
    hook = created.json()["id"]
    email = f"borrame-{secrets.token_hex(4)}@example.com"
    erased_rooms = sorted([await open_chat(gateway, workspace.tenant_id, email) for _ in range(2)])
    kept = await open_chat(gateway, workspace.tenant_id, f"otra-{email}")
    await receiver.wait_for("/chats", 3)
    assert await logged_rooms(gateway, owner, hook) == sorted([*erased_rooms, kept])

    erased = await gateway.post("/api/chat/guests/erase/", headers=owner, json={"email": email})
    assert erased.json()["chat_rooms"] == 2, erased.text

    async def only_kept() -> bool:
        return await logged_rooms(gateway, owner, hook) == [kept]

    await eventually(only_kept, "the log dropped the erased guest's deliveries")

    # Retention: a delivery older than WEBHOOKS_DELIVERY_RETENTION_SECONDS goes, a younger one stays.
    young = await open_chat(gateway, workspace.tenant_id, f"joven-{email}")
    await receiver.wait_for("/chats", 4)
    await eventually(lambda: _logged(gateway, owner, hook, 2), "the young delivery is logged")
    async with database() as session, session.begin():
        await session.execute(
            text("UPDATE webhooks.deliveries SET created_at = now() - interval '31 days'"
                 " WHERE tenant_id = :t AND payload->'data'->>'chat_room_id' = :r"),
            {"t": workspace.tenant_id, "r": kept},
        )  # fmt: skip
    job = retention_job(interval_seconds=60, retention_seconds=30 * DAY, batch_size=1)
    assert await job.run(database) >= 1
    assert await logged_rooms(gateway, owner, hook) == [young]


async def _logged(gateway: httpx.AsyncClient, owner: dict[str, str], hook: str, count: int) -> bool:
    return len(await logged_rooms(gateway, owner, hook)) == count
