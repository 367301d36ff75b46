"""An answer whose bots process is killed mid-stream is closed as interrupted by the sweeper of
the process that comes next, on a suite of its own (a 3 s lease instead of a minute)."""

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from auth.testing import auth_header
from bots.testing import OPENAI_KEY, LoopbackProvider
from devstack.catalog import discover
from devstack.pytest_plugin import TEST_ENV
from devstack.stack import Stack, StackConfig
from devstack.waiting import eventually

# The client never leaves, so the process would never abandon the answer by itself.
ENV = {"BOTS_STREAMING_LEASE_SECONDS": "3", "BOTS_ABANDON_AFTER_SECONDS": "300"}


@pytest.fixture
def sweeping_stack(tmp_path: Path) -> Iterator[Stack]:
    services = discover()
    stack = Stack(StackConfig.ephemeral(tmp_path, services, **{**TEST_ENV, **ENV}), services)
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


async def _owner(client: httpx.AsyncClient) -> str:
    account = {"email": "sweeper@example.com", "password": "una-clave-segura"}
    assert (await client.post("/users/", json=account)).status_code == 200
    login = await client.post("/api/auth/login", json={"username": account["email"], **account})
    assert login.status_code == 200, login.text
    return str(login.json()["access_token"])


async def _slow_bot(client: httpx.AsyncClient, token: str, provider: LoopbackProvider) -> int:
    body = {"nombre": "openai", "provider": "openai", "api_key": OPENAI_KEY, "base_url": provider.openai_url,
            "enabled": True}  # fmt: skip
    assert (await client.post("/api/ai/config/", json=body, headers=auth_header(token))).status_code == 201
    created = await client.post("/bots/", json={"name": "Lento"}, headers=auth_header(token))
    bot_id = int(created.json()["id"])
    model = {"provider": "openai", "model_id": "gpt-slow", "task_type": "simple"}
    assert (await client.post(f"/bots/{bot_id}/models/", json=model, headers=auth_header(token))).status_code == 200
    return bot_id


@pytest.mark.timeout(300)
async def test_an_answer_whose_process_was_killed_is_closed_as_interrupted(
    sweeping_stack: Stack, provider: LoopbackProvider
) -> None:
    stack = sweeping_stack
    async with httpx.AsyncClient(base_url=stack.url("gateway"), timeout=30.0) as client:
        token = await _owner(client)
        bot_id = await _slow_bot(client, token, provider)
        question = " ".join(f"palabra{i}" for i in range(200))  # 30 s of answer at 0.15 s a word
        async with client.stream(
            "POST", "/api/chat", json={"message": question, "bot_id": bot_id, "stream": True},
            headers=auth_header(token),
        ) as response:  # fmt: skip
            assert response.status_code == 200
            conversation_id = response.headers["x-conversation-id"]
            async for line in response.aiter_lines():
                if '"type": "message"' in line or '"type":"message"' in line:
                    break

            async def stored_as_streaming() -> bool:
                detail = await client.get(f"/api/conversations/{conversation_id}", headers=auth_header(token))
                return bool(detail.json()["messages"][1]["status"] == "streaming")

            await eventually(stored_as_streaming, "the answer's row committed as streaming")
            stack.stop_service("bots", kill=True)  # SIGKILL: nothing of the process closes it
        stack.start_service("bots")
        stack.wait_healthy("bots")

        async def answer() -> dict[str, Any] | None:
            detail = await client.get(f"/api/conversations/{conversation_id}", headers=auth_header(token))
            found: dict[str, Any] = detail.json()["messages"][1]
            return found if found["status"] != "streaming" else None

        closed = await eventually(answer, "the sweeper to close the dead process's answer", seconds=30)
    assert closed["status"] == "interrupted"
    # The sweeper's mark: it closes with what the row held, while a process abandoning its own
    # answer stores the words said so far.
    assert closed["content"] == ""
    assert provider.finished == 0
