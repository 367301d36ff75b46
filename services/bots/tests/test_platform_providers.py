"""The platform's own providers (001's SaaS: the platform provides the models): a bots process
started with BOTS_OPENAI_* and BOTS_ANTHROPIC_* settings serves every workspace that has no
integration of that kind, a workspace's own integration winning; without either, every chat
entry point refuses with 400 before anything is called."""

import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from websockets.asyncio.client import connect

from auth.testing import Workspace, auth_header
from bots.config import Settings
from bots.testing import LoopbackProvider, loopback_provider
from devstack.processes import free_port
from devstack.stack import Stack
from devstack.waiting import eventually

PLATFORM_OPENAI_KEY = "sk-platform-openai-71c3e0"
PLATFORM_ANTHROPIC_KEY = "sk-ant-platform-2b94d8"


@pytest.fixture(scope="module")
def platform_provider() -> Iterator[LoopbackProvider]:
    """The operator's provider: a loopback server that answers "Plataforma de <model>: ..."."""
    with loopback_provider(greeting="Plataforma") as running:
        yield running


@pytest.fixture(scope="module")
async def platform_bots(
    platform_stack: Stack, platform_provider: LoopbackProvider, tmp_path_factory: pytest.TempPathFactory
) -> AsyncIterator[str]:
    """Another bots process with the platform's providers: OpenAI's key from the environment,
    Anthropic's from a file (a mounted secret). Yields its URL."""
    key_file = tmp_path_factory.mktemp("secrets") / "anthropic_key"
    key_file.write_text(PLATFORM_ANTHROPIC_KEY + "\n")
    settings = {
        "BOTS_OPENAI_API_KEY": PLATFORM_OPENAI_KEY,
        "BOTS_OPENAI_BASE_URL": platform_provider.openai_url,
        "BOTS_ANTHROPIC_API_KEY_FILE": str(key_file),
        "BOTS_ANTHROPIC_BASE_URL": platform_provider.url,
    }
    port = free_port()
    platform_stack.processes["bots-platform"] = platform_stack.spawn_service(
        "bots", port, log_name="bots-platform", extra_env=settings
    )
    url = f"http://127.0.0.1:{port}"
    try:
        ready = await _ready_within(f"{url}/readyz", seconds=60)
        assert ready, platform_stack.log_tail("bots-platform")
        yield url
    finally:
        platform_stack.stop_service("bots-platform")


async def _ready(url: str) -> bool:
    try:
        async with httpx.AsyncClient(timeout=2) as client:
            return (await client.get(url)).status_code == 200
    except httpx.HTTPError:
        return False


async def _ready_within(url: str, *, seconds: float) -> bool:
    """Whether `url` answered 200 in time (False rather than a failure: the caller adds the log)."""
    try:
        return await eventually(lambda: _ready(url), f"{url} is ready", seconds=seconds)
    except AssertionError:
        return False


async def _bot(gateway: httpx.AsyncClient, token: str, models: list[tuple[str, str, str]]) -> int:
    created = await gateway.post("/bots/", json={"name": "Asistente"}, headers=auth_header(token))
    assert created.status_code == 200, created.text
    bot_id = int(created.json()["id"])
    for provider, model_id, task_type in models:
        body = {"provider": provider, "model_id": model_id, "task_type": task_type}
        added = await gateway.post(f"/bots/{bot_id}/models/", json=body, headers=auth_header(token))
        assert added.status_code == 200, added.text
    return bot_id


def _keys_of(calls: list[Any]) -> set[str]:
    """The platform keys each call carried (in whichever header its protocol uses)."""
    found = set()
    for call in calls:
        headers = " ".join(call.headers.values())
        found |= {key for key in (PLATFORM_OPENAI_KEY, PLATFORM_ANTHROPIC_KEY) if key in headers}
    return found


async def test_a_workspace_without_integrations_chats_through_the_platforms_providers(
    gateway: httpx.AsyncClient,
    workspace: Workspace,
    platform_provider: LoopbackProvider,
    platform_bots: str,
    platform_stack: Stack,
) -> None:
    owner = auth_header(workspace.owner_token)
    bot_id = await _bot(gateway, workspace.owner_token, [("openai", "gpt-4o", "simple")])
    before = len(platform_provider.calls)
    answers: list[str] = []
    async with httpx.AsyncClient(base_url=platform_bots, headers=owner, timeout=30) as bots:
        # 001: the text stream.
        streamed = await bots.post(f"/chat/{bot_id}", params={"query": "hola"})
        assert streamed.status_code == 200, streamed.text
        assert streamed.text == "Plataforma de gpt-4o: hola"
        # 002: one JSON answer.
        answered = await bots.post("/api/chat", json={"message": "buenos días", "bot_id": bot_id})
        assert answered.status_code == 200, answered.text
        assert (answered.json()["content"], answered.json()["provider"]) == ("Plataforma de gpt-4o: buenos días",
                                                                             "openai")  # fmt: skip
        # 004: a model by name; Anthropic's key was read from its file.
        by_name = await bots.post("/api/ai/chat/", json={"prompt": "hola", "model": "claude-3.5"})
        assert by_name.status_code == 200, by_name.text
        assert by_name.json()["text"] == "Plataforma de claude-3-5-sonnet-latest: hola"
        # 000: an agent with a platform model.
        agent = await bots.post("/api/v1/agents/", json={"name": "Agrónomo", "model": "gpt-4o-mini"})
        assert agent.status_code == 201, agent.text
        asked = await bots.post(f"/api/v1/agents/{agent.json()['id']}/chat/", json={"message": "riego"})
        assert asked.status_code == 200, asked.text
        assert asked.json()["content"] == "Plataforma de gpt-4o-mini: riego"
        # Embeddings for a knowledge base, from the platform's OpenAI too.
        base = await bots.post("/api/v1/knowledge/", json={"name": "Riego", "embedding_model": "openai:emb-loop"})
        assert base.status_code == 201, base.text
        uploaded = await bots.post(
            "/api/v1/documents/", data={"knowledge_base": str(base.json()["id"])},
            files={"file": ("riego.txt", b"El tomate se riega con goteo.", "text/plain")},
        )  # fmt: skip
        assert uploaded.status_code == 201, uploaded.text
        answers += [streamed.text, answered.text, by_name.text, agent.text, asked.text, base.text, uploaded.text]
        usage = (await bots.get("/api/ai/usage/")).json()
        integrations = await bots.get("/api/ai/config/")
    calls = platform_provider.calls[before:]
    assert [(c.protocol, c.model) for c in calls] == [
        ("openai", "gpt-4o"), ("openai", "gpt-4o"), ("anthropic", "claude-3-5-sonnet-latest"),
        ("openai", "gpt-4o-mini"), ("embeddings", "emb-loop"),
    ]  # fmt: skip
    assert _keys_of(calls[:2]) == {PLATFORM_OPENAI_KEY}
    assert _keys_of(calls[2:3]) == {PLATFORM_ANTHROPIC_KEY}
    # The tokens count in the workspace's usage (and budget), as with its own integrations.
    used = {(row["bot_id"], row["provider"], row["model"]): row for row in usage["by_model"]}
    assert used[(bot_id, "openai", "gpt-4o")]["answers"] == 2
    assert used[(None, "anthropic", "claude-3.5")]["output_tokens"] > 0
    assert usage["used_tokens"] > 0
    # The platform's keys are nobody's business: no answer, no integration, no log line has them.
    assert integrations.json() == []
    logs = platform_stack.log_path("bots-platform").read_text()
    for key in (PLATFORM_OPENAI_KEY, PLATFORM_ANTHROPIC_KEY):
        assert all(key not in text for text in [*answers, json.dumps(usage), logs])


async def test_a_workspaces_own_integration_wins_over_the_platforms(
    gateway: httpx.AsyncClient,
    workspace: Workspace,
    provider: LoopbackProvider,
    integrate: Any,
    platform_provider: LoopbackProvider,
    platform_bots: str,
) -> None:
    await integrate("openai")  # the workspace's own OpenAI: the loopback answering "Respuesta de ..."
    bot_id = await _bot(
        gateway, workspace.owner_token, [("openai", "gpt-4o", "simple"), ("anthropic", "claude-propio", "complex")]
    )
    before = len(platform_provider.calls)
    async with httpx.AsyncClient(base_url=platform_bots, headers=auth_header(workspace.owner_token)) as bots:
        own = await bots.post(f"/chat/{bot_id}", params={"query": "hola"})
        # No Anthropic integration in this workspace: that kind is still the platform's.
        platforms = await bots.post(f"/chat/{bot_id}", params={"query": "analiza el riego"})
    assert (own.status_code, own.text) == (200, "Respuesta de gpt-4o: hola")
    assert provider.models_called() == ["gpt-4o"]
    assert (platforms.status_code, platforms.text) == (200, "Plataforma de claude-propio: analiza el riego")
    assert [c.model for c in platform_provider.calls[before:]] == ["claude-propio"]


async def test_without_any_provider_every_chat_entry_point_answers_400(
    gateway: httpx.AsyncClient, workspace: Workspace, platform_stack: Stack
) -> None:
    """The suite's own bots process has no platform provider, and this workspace no integration."""
    owner = auth_header(workspace.owner_token)
    bot_id = await _bot(
        gateway, workspace.owner_token, [("openai", "gpt-4o", "simple"), ("anthropic", "claude-3.5", "complex")]
    )
    how = ("/api/ai/config/", "BOTS_OPENAI_API_KEY", "BOTS_ANTHROPIC_API_KEY")

    seed_001 = await gateway.post(f"/chat/{bot_id}", params={"query": "hola"}, headers=owner)
    assert seed_001.status_code == 400, seed_001.text
    assert set(seed_001.json()) == {"detail"}
    assert all(part in seed_001.json()["detail"] for part in how)

    for stream in (False, True):
        seed_002 = await gateway.post("/api/chat", json={"message": "hola", "bot_id": bot_id, "stream": stream},
                                      headers=owner)  # fmt: skip
        assert seed_002.status_code == 400, seed_002.text
        assert seed_002.json()["error"]["code"] == "PROVIDER_NOT_CONFIGURED"
        assert all(part in seed_002.json()["error"]["message"] for part in how)

    async with connect(platform_stack.url("gateway").replace("http://", "ws://") + "/ws") as ws:
        await ws.send(json.dumps({"type": "auth", "token": workspace.owner_token}))
        assert json.loads(await ws.recv())["type"] == "auth_ok"
        await ws.send(json.dumps({"type": "chat", "message": "hola", "bot_id": bot_id}))
        frame = json.loads(await ws.recv())
    assert (frame["type"], frame["error"]["code"]) == ("error", "PROVIDER_NOT_CONFIGURED")

    seed_004 = await gateway.post("/api/ai/chat/", json={"prompt": "hola", "model": "gpt-4o"}, headers=owner)
    assert seed_004.status_code == 400, seed_004.text
    assert "BOTS_OPENAI_API_KEY" in seed_004.json()["detail"]
    assert seed_004.json()["model"] == ["Sin proveedor openai."]

    agent = await gateway.post("/api/v1/agents/", json={"name": "Agrónomo", "model": "claude-3.5"}, headers=owner)
    assert agent.status_code == 201, agent.text
    seed_000 = await gateway.post(f"/api/v1/agents/{agent.json()['id']}/chat/", json={"message": "hola"},
                                  headers=owner)  # fmt: skip
    assert seed_000.status_code == 400, seed_000.text
    assert "BOTS_ANTHROPIC_API_KEY" in seed_000.json()["detail"]

    embeddings = await gateway.post("/api/v1/knowledge/", json={"name": "x", "embedding_model": "openai:emb"},
                                    headers=owner)  # fmt: skip
    assert embeddings.status_code == 400, embeddings.text
    assert "BOTS_OPENAI_API_KEY" in embeddings.json()["detail"]
    # Refused before anything was stored.
    assert (await gateway.get("/api/conversations", headers=owner)).json() == {"conversations": []}


def test_a_missing_key_file_stops_the_start_up(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOTS_OPENAI_API_KEY_FILE", str(tmp_path / "absent"))
    with pytest.raises(ValueError, match="BOTS_OPENAI_API_KEY_FILE"):
        Settings()
    (tmp_path / "key").write_text("sk-de-un-fichero\n")
    monkeypatch.setenv("BOTS_OPENAI_API_KEY_FILE", str(tmp_path / "key"))
    loaded = Settings()
    assert loaded.openai_api_key is not None
    assert loaded.openai_api_key.get_secret_value() == "sk-de-un-fichero"
    assert "sk-de-un-fichero" not in repr(loaded)
