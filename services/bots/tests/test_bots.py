"""Bots and AI chat through the gateway, against a loopback server speaking the OpenAI and
Anthropic protocols, with real PostgreSQL and NATS."""

import asyncio
import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
from websockets.asyncio.client import connect

from auth.testing import Login, Workspace, auth_header
from bots.provider.local import PREFIX as LOCAL_PREFIX
from bots.testing import ANTHROPIC_KEY, OPENAI_KEY, LoopbackProvider
from devstack.processes import free_port
from devstack.stack import Stack
from devstack.waiting import eventually


async def new_bot(gateway: httpx.AsyncClient, token: str, models: list[tuple[str, str, str]], **fields: Any) -> int:
    created = await gateway.post("/bots/", json={"name": "Asistente", **fields}, headers=auth_header(token))
    assert created.status_code == 200, created.text
    bot_id = int(created.json()["id"])
    for provider, model_id, task_type in models:
        body = {"provider": provider, "model_id": model_id, "task_type": task_type}
        added = await gateway.post(f"/bots/{bot_id}/models/", json=body, headers=auth_header(token))
        assert added.status_code == 200, added.text
    return bot_id


async def ask(gateway: httpx.AsyncClient, token: str, message: str, **fields: Any) -> dict[str, Any]:
    answered = await gateway.post("/api/chat", json={"message": message, **fields}, headers=auth_header(token))
    assert answered.status_code == 200, answered.text
    return dict(answered.json())


async def sse_events(lines: AsyncIterator[str]) -> AsyncIterator[tuple[str, dict[str, Any]]]:
    """(id, data) of each Server-Sent Event."""
    event_id, data = "", ""
    async for line in lines:
        if line.startswith("id:"):
            event_id = line[3:].strip()
        elif line.startswith("data:"):
            data = line[5:].strip()
        elif line == "" and data:
            yield event_id, json.loads(data)
            event_id, data = "", ""


async def test_toolbox_routes_by_task_type_and_falls_back_across_providers(
    gateway: httpx.AsyncClient, workspace: Workspace, provider: LoopbackProvider, integrate: Any
) -> None:
    owner = workspace.owner_token
    await integrate("openai")
    await integrate("anthropic")
    bot_id = await new_bot(
        gateway, owner,
        [("openai", "gpt-simple", "simple"), ("anthropic", "claude-complex", "complex")],
        description="Un bot para pruebas.",
    )  # fmt: skip
    updated = await gateway.put(
        f"/bots/{bot_id}", json={"system_prompt": "Eres un robot pirata."}, headers=auth_header(owner)
    )
    assert updated.json()["system_prompt"] == "Eres un robot pirata."
    listed = (await gateway.get("/bots/", headers=auth_header(owner))).json()
    assert [b["id"] for b in listed] == [bot_id]
    assert [(m["model_id"], m["task_type"]) for m in listed[0]["models"]] == [
        ("gpt-simple", "simple"), ("claude-complex", "complex"),
    ]  # fmt: skip

    simple = await ask(gateway, owner, "Hola, ¿qué tal?", bot_id=bot_id)
    assert (simple["model"], simple["provider"], simple["status"]) == ("gpt-simple", "openai", "complete")
    assert simple["content"] == "Respuesta de gpt-simple: Hola, ¿qué tal?"
    assert simple["tokens"]["output"] > 0
    complex_ = await ask(gateway, owner, "Analiza y compara el riego de mis parcelas", bot_id=bot_id)
    assert complex_["model"] == "claude-complex"
    assert complex_["provider"] == "anthropic"
    # The system prompt reached both protocols, and each its own key.
    openai_call, anthropic_call = provider.calls[0], provider.calls[1]
    assert openai_call.messages[0] == {"role": "system", "content": "Eres un robot pirata."}
    assert openai_call.headers["authorization"] == f"Bearer {OPENAI_KEY}"
    assert anthropic_call.system == "Eres un robot pirata."
    assert anthropic_call.headers["authorization"] == f"Bearer {ANTHROPIC_KEY}"

    # Fallback: the first model answers 500 (retried once by the SDK), the next provider answers.
    fallback = await new_bot(
        gateway, owner,
        [("openai", "gpt-fail500", "complex"), ("anthropic", "claude-after-500", "complex"),
         ("anthropic", "claude-fail429", "simple"), ("openai", "gpt-after-429", "simple")],
    )  # fmt: skip
    before = len(provider.calls)
    answer = await ask(gateway, owner, "Explica paso a paso cómo regar", bot_id=fallback)
    assert (answer["model"], answer["status"]) == ("claude-after-500", "complete")
    assert provider.models_called()[before:] == ["gpt-fail500", "gpt-fail500", "claude-after-500"]
    before = len(provider.calls)
    answer = await ask(gateway, owner, "Hola", bot_id=fallback)
    assert (answer["model"], answer["provider"]) == ("gpt-after-429", "openai")
    assert provider.models_called()[before:] == ["claude-fail429", "claude-fail429", "gpt-after-429"]

    # The fallback shows in the stream as a `thinking` event.
    async with gateway.stream(
        "POST", "/api/chat", json={"message": "Analiza esto", "bot_id": fallback, "stream": True},
        headers=auth_header(owner),
    ) as response:  # fmt: skip
        assert response.headers["content-type"].startswith("text/event-stream")
        kinds = [(e["type"], e.get("content", "")) async for _, e in sse_events(response.aiter_lines())]
    assert kinds[0][0] == "thinking"
    assert "no respondió (HTTP 500)" in kinds[1][1]
    assert [k for k, _ in kinds[2:]] == ["message"] * (len(kinds) - 3) + ["done"]

    # Keys are never answered, nor logged.
    integrations = await gateway.get("/api/ai/config/", headers=auth_header(owner))
    assert [i["has_api_key"] for i in integrations.json()] == [True, True]
    assert OPENAI_KEY not in integrations.text
    assert ANTHROPIC_KEY not in integrations.text
    assert "api_key" not in integrations.json()[0]


async def test_keys_stay_out_of_the_logs(
    gateway: httpx.AsyncClient, workspace: Workspace, integrate: Any, platform_stack: Stack
) -> None:
    await integrate("openai")
    await integrate("anthropic")
    bot_id = await new_bot(gateway, workspace.owner_token, [("openai", "gpt-fail500", "simple")])
    await gateway.post(
        "/api/chat", json={"message": "Hola", "bot_id": bot_id}, headers=auth_header(workspace.owner_token)
    )
    logs = "".join(platform_stack.log_path(name).read_text() for name in ("bots", "gateway"))
    assert "provider failed" in logs  # the failure was logged...
    assert OPENAI_KEY not in logs
    assert ANTHROPIC_KEY not in logs


async def test_streams_arrive_incrementally_and_resume_with_last_event_id(
    gateway: httpx.AsyncClient, workspace: Workspace, provider: LoopbackProvider, integrate: Any
) -> None:
    owner = workspace.owner_token
    await integrate("openai")
    bot_id = await new_bot(gateway, owner, [("openai", "gpt-slow", "simple")])
    question = "uno dos tres cuatro cinco seis"
    seen: list[tuple[str, dict[str, Any]]] = []
    async with gateway.stream(
        "POST", "/api/chat", json={"message": question, "bot_id": bot_id, "stream": True}, headers=auth_header(owner)
    ) as response:
        conversation_id = response.headers["x-conversation-id"]
        async for event_id, event in sse_events(response.aiter_lines()):
            seen.append((event_id, event))
            if event["type"] == "message":
                assert provider.finished == 0, "the first words came before the provider finished"
            if len([e for _, e in seen if e["type"] == "message"]) == 3:
                break  # the client drops mid-answer
    last_id = seen[-1][0]
    _turn, seq = last_id.split(":")
    assert int(seq) == len(seen)

    async with gateway.stream(
        "GET", f"/api/conversations/{conversation_id}/stream",
        headers={**auth_header(owner), "Last-Event-ID": last_id},
    ) as response:  # fmt: skip
        assert response.status_code == 200
        rest = [(i, e) async for i, e in sse_events(response.aiter_lines())]
    assert [int(i.split(":")[1]) for i, _ in rest] == list(range(int(seq) + 1, int(seq) + 1 + len(rest)))
    assert rest[-1][1]["type"] == "done"
    assert rest[-1][1]["status"] == "complete"
    text = "".join(e["content"] for _, e in seen + rest if e["type"] == "message")
    assert text == f"Respuesta de gpt-slow: {question}"

    detail = (await gateway.get(f"/api/conversations/{conversation_id}", headers=auth_header(owner))).json()
    assert detail["message_count"] == 2
    assert [(m["role"], m["status"]) for m in detail["messages"]] == [("user", "complete"), ("assistant", "complete")]
    assert detail["messages"][1]["content"] == text


async def test_an_answer_resumes_on_another_replica(
    gateway: httpx.AsyncClient, workspace: Workspace, integrate: Any, platform_stack: Stack
) -> None:
    owner = workspace.owner_token
    await integrate("openai")
    bot_id = await new_bot(gateway, owner, [("openai", "gpt-slow", "simple")])
    port = free_port()
    platform_stack.processes["bots-2"] = platform_stack.spawn_service("bots", port, log_name="bots-2")
    replica = f"http://127.0.0.1:{port}"
    try:
        await eventually(lambda: _ready(f"{replica}/readyz"), "the second replica is ready", seconds=60)
        async with gateway.stream(
            "POST", "/api/chat", json={"message": "a b c d e f", "bot_id": bot_id, "stream": True},
            headers=auth_header(owner),
        ) as response:  # fmt: skip
            conversation_id = response.headers["x-conversation-id"]
            first = [item async for item in _take(sse_events(response.aiter_lines()), 2)]
        async with (
            httpx.AsyncClient(base_url=replica, timeout=30) as other,
            other.stream(
                "GET", f"/api/conversations/{conversation_id}/stream",
                headers={**auth_header(owner), "Last-Event-ID": first[-1][0]},
            ) as response,
        ):  # fmt: skip
            assert response.status_code == 200, await response.aread()
            rest = [item async for item in sse_events(response.aiter_lines())]
        text = "".join(e["content"] for _, e in first + rest if e["type"] == "message")
        assert text == "Respuesta de gpt-slow: a b c d e f"
        assert rest[-1][1]["status"] == "complete"
    finally:
        platform_stack.stop_service("bots-2")


async def _ready(url: str) -> bool:
    try:
        async with httpx.AsyncClient() as client:
            return (await client.get(url)).status_code == 200
    except httpx.HTTPError:
        return False


async def _take(events: AsyncIterator[Any], count: int) -> AsyncIterator[Any]:
    taken = 0
    async for item in events:
        yield item
        taken += 1
        if taken == count:
            return


async def test_a_client_that_leaves_stops_the_provider_call(
    gateway: httpx.AsyncClient, workspace: Workspace, provider: LoopbackProvider, integrate: Any
) -> None:
    owner = workspace.owner_token
    await integrate("openai")
    bot_id = await new_bot(gateway, owner, [("openai", "gpt-slow", "simple")])
    long_question = " ".join(f"palabra{i}" for i in range(30))  # ~5 s of answer at 0.15 s a word
    async with gateway.stream(
        "POST", "/api/chat", json={"message": long_question, "bot_id": bot_id, "stream": True},
        headers=auth_header(owner),
    ) as response:  # fmt: skip
        conversation_id = response.headers["x-conversation-id"]
        _ = [item async for item in _take(sse_events(response.aiter_lines()), 3)]

    # Nobody listens: after BOTS_ABANDON_AFTER_SECONDS (2 s here) the provider's stream is closed.
    async def closed_early() -> int:
        return provider.closed_early

    await eventually(closed_early, "the provider's stream closed early", seconds=8)
    assert provider.finished == 0
    detail = (await gateway.get(f"/api/conversations/{conversation_id}", headers=auth_header(owner))).json()
    answer = detail["messages"][1]
    assert answer["status"] == "interrupted"
    assert answer["content"].startswith("Respuesta de gpt-slow:")
    assert len(answer["content"]) < 200


async def test_websocket_chat(gateway: httpx.AsyncClient, workspace: Workspace, platform_stack: Stack) -> None:
    owner = workspace.owner_token
    conversation = await gateway.post("/api/conversations", json={"title": "Por WebSocket"}, headers=auth_header(owner))
    assert conversation.status_code == 201, conversation.text
    conversation_id = conversation.json()["id"]
    url = platform_stack.url("gateway").replace("http://", "ws://") + "/ws"
    async with connect(url) as ws:
        await ws.send(json.dumps({"type": "chat", "message": "sin autenticar"}))
        refused = json.loads(await ws.recv())
        assert refused["type"] == "error"
        assert refused["error"]["code"] == "UNAUTHORIZED"
    async with connect(url) as ws:
        await ws.send(json.dumps({"type": "auth", "token": owner}))
        assert json.loads(await ws.recv())["type"] == "auth_ok"
        await ws.send(json.dumps({"type": "chat", "conversation_id": conversation_id, "message": "Hola"}))
        frames: list[dict[str, Any]] = []
        while not frames or frames[-1]["type"] != "done":
            frames.append(json.loads(await ws.recv()))
        assert frames[0]["type"] == "thinking"
        assert {f["conversation_id"] for f in frames} == {conversation_id}
        assert all(f["id"].endswith(f":{n}") for n, f in enumerate(frames, 1))
        text = "".join(f["content"] for f in frames if f["type"] == "message")
        assert text.startswith(LOCAL_PREFIX)  # no integration: the workspace's default, the local provider
        await ws.send(json.dumps({"type": "chat", "conversation_id": "conv_999999999", "message": "Hola"}))
        missing = json.loads(await ws.recv())
        assert missing["type"] == "error"
        assert missing["error"]["code"] == "NOT_FOUND"
    detail = (await gateway.get(f"/api/conversations/{conversation_id}", headers=auth_header(owner))).json()
    assert detail["message_count"] == 2
    assert detail["messages"][1]["content"] == text


async def test_budget_refuses_before_any_provider_is_called(
    gateway: httpx.AsyncClient, workspace: Workspace, provider: LoopbackProvider, integrate: Any
) -> None:
    owner = workspace.owner_token
    await integrate("openai")
    configured = await gateway.put(
        "/api/config", json={"llm": {"provider": "openai", "model": "gpt-budget"}}, headers=auth_header(owner)
    )
    assert configured.json()["llm"] == {"provider": "openai", "model": "gpt-budget"}
    budget = await gateway.put("/api/ai/budget/", json={"monthly_tokens": 5}, headers=auth_header(owner))
    assert budget.status_code == 200, budget.text
    first = await ask(gateway, owner, "Hola a todos")
    assert first["model"] == "gpt-budget"
    calls = len(provider.calls)
    refused = await gateway.post("/api/chat", json={"message": "Otra vez"}, headers=auth_header(owner))
    assert refused.status_code == 429, refused.text
    assert refused.json()["error"]["code"] == "BUDGET_EXCEEDED"
    assert len(provider.calls) == calls
    usage = (await gateway.get("/api/ai/usage/", headers=auth_header(owner))).json()
    assert usage["budget_tokens"] == 5
    assert usage["used_tokens"] == sum(first["tokens"].values())
    assert [(r["provider"], r["model"], r["answers"]) for r in usage["by_model"]] == [("openai", "gpt-budget", 1)]
    # The farmer may chat but not change the workspace's AI settings.
    farmer = await gateway.put(
        "/api/ai/budget/", json={"monthly_tokens": None}, headers=auth_header(workspace.farmer_token)
    )
    assert farmer.status_code == 403


async def test_another_workspace_sees_nothing(
    gateway: httpx.AsyncClient, workspace: Workspace, integrate: Any, as_header: Any
) -> None:
    owner = workspace.owner_token
    integration = await integrate("openai")
    bot_id = await new_bot(gateway, owner, [])
    conversation_id = (await ask(gateway, owner, "Hola", bot_id=bot_id))["conversation_id"]
    email, password = "otro-espacio@example.com", "otra-clave-segura"
    await gateway.post("/users/", json={"email": email, "password": password})
    login = await gateway.post("/api/auth/login", json={"username": email, "password": password})
    stranger = auth_header(login.json()["access_token"])
    for method, path in [
        ("GET", f"/bots/{bot_id}"), ("PUT", f"/bots/{bot_id}"), ("POST", f"/chat/{bot_id}?query=hola"),
        ("GET", f"/api/conversations/{conversation_id}"), ("DELETE", f"/api/conversations/{conversation_id}"),
        ("GET", f"/api/conversations/{conversation_id}/stream"), ("GET", f"/api/ai/config/{integration['id']}/"),
    ]:  # fmt: skip
        body = {"system_prompt": "x"} if method == "PUT" else None
        response = await gateway.request(method, path, headers=stranger, json=body)
        assert response.status_code == 404, (method, path, response.text)
    chat = await gateway.post("/api/chat", json={"message": "x", "conversation_id": conversation_id}, headers=stranger)
    assert chat.status_code == 404
    assert (await gateway.get("/bots/", headers=stranger)).json() == []
    assert (await gateway.get("/api/conversations", headers=stranger)).json() == {"conversations": []}


async def test_seed_001_and_004_chat(
    gateway: httpx.AsyncClient, workspace: Workspace, provider: LoopbackProvider, integrate: Any
) -> None:
    owner = workspace.owner_token
    # 001: the answer streams as text, from the bot's toolbox.
    await integrate("anthropic")
    bot_id = await new_bot(gateway, owner, [("anthropic", "claude-slow", "simple")])
    async with gateway.stream(
        "POST", f"/chat/{bot_id}", params={"query": "buenos días"}, headers=auth_header(owner)
    ) as r:
        assert r.headers["content-type"].startswith("text/plain")
        chunks = [chunk async for chunk in r.aiter_text()]
    assert "".join(chunks) == "Respuesta de claude-slow: buenos días"
    assert len(chunks) > 1
    # 004: one JSON answer, the model named as asked.
    answered = await gateway.post(
        "/api/ai/chat/", json={"prompt": "hola", "model": "claude-3.5", "temperature": 0.2}, headers=auth_header(owner)
    )
    assert answered.status_code == 200, answered.text
    body = answered.json()
    assert body["model"] == "claude-3.5"
    assert body["text"] == "Respuesta de claude-3-5-sonnet-latest: hola"
    assert body["tokens"]["input"] > 0
    assert body["tokens"]["output"] > 0
    unknown = await gateway.post(
        "/api/ai/chat/", json={"prompt": "hola", "model": "misterio"}, headers=auth_header(owner)
    )
    assert unknown.status_code == 400
    assert "proveedor" in unknown.json()["detail"]
    unconfigured = await gateway.post(
        "/api/ai/chat/", json={"prompt": "hola", "model": "ollama:llama3"}, headers=auth_header(owner)
    )
    assert unconfigured.status_code == 400
    assert "ollama" in unconfigured.json()["detail"]
    failing = await gateway.post(
        "/api/ai/chat/", json={"prompt": "hola", "model": "claude-fail500"}, headers=auth_header(owner)
    )
    assert failing.status_code == 502
    assert "detail" in failing.json()
    # The local provider answers from the bot's prompt, and says what it is.
    local = await new_bot(
        gateway, owner, [("local", "local", "simple")],
        system_prompt="El riego por goteo ahorra agua. Las heladas dañan el maíz joven.",
    )  # fmt: skip
    async with gateway.stream("POST", f"/chat/{local}", params={"query": "¿Qué pasa con las heladas?"},
                              headers=auth_header(owner)) as r:  # fmt: skip
        text = "".join([chunk async for chunk in r.aiter_text()])
    assert text == f"{LOCAL_PREFIX}Las heladas dañan el maíz joven."


async def test_conversations_and_config(gateway: httpx.AsyncClient, workspace: Workspace) -> None:
    owner = auth_header(workspace.owner_token)
    created = await gateway.post("/api/conversations", json={"title": "Gestión de riego"}, headers=owner)
    assert created.status_code == 201
    conversation = created.json()
    assert conversation["id"].startswith("conv_")
    assert conversation["message_count"] == 0
    listed = (await gateway.get("/api/conversations", headers=owner)).json()["conversations"]
    assert [c["id"] for c in listed] == [conversation["id"]]
    assert (await gateway.delete(f"/api/conversations/{conversation['id']}", headers=owner)).status_code == 204
    assert (await gateway.get(f"/api/conversations/{conversation['id']}", headers=owner)).status_code == 404

    config = (await gateway.get("/api/config", headers=owner)).json()
    assert config == {
        "llm": {"provider": "local", "model": "local"},
        "agent": {"autonomy_level": "semi"},
        "cloud_providers": {"aws": {"enabled": False}, "azure": {"enabled": False}, "gcp": {"enabled": False}},
    }
    changed = await gateway.put(
        "/api/config", json={"agent": {"autonomy_level": "auto"}, "cloud_providers": {"aws": {"enabled": True}}},
        headers=owner,
    )  # fmt: skip
    assert changed.json()["agent"] == {"autonomy_level": "auto"}
    assert changed.json()["cloud_providers"]["aws"]["enabled"]
    assert changed.json()["llm"] == config["llm"]
    wrong = await gateway.put("/api/config", json={"llm": {"provider": "nope", "model": "x"}}, headers=owner)
    assert wrong.status_code == 400
    assert wrong.json()["error"]["code"] == "INVALID_REQUEST"
    unsafe = await gateway.post(
        "/api/ai/config/", json={"nombre": "x", "provider": "ollama", "base_url": "http://169.254.169.254/v1"},
        headers=owner,
    )  # fmt: skip
    assert unsafe.status_code == 400, unsafe.text


async def test_answers_count_in_the_workspace_metrics(gateway: httpx.AsyncClient, workspace: Workspace) -> None:
    owner = auth_header(workspace.owner_token)

    async def messages() -> int:
        return int((await gateway.get("/api/metrics", headers=owner)).json()["agent_stats"]["total_messages"])

    assert await messages() == 0
    await ask(gateway, workspace.owner_token, "Hola")
    await ask(gateway, workspace.owner_token, "¿Qué tal?")

    async def all_counted() -> int | None:
        counted = await messages()
        return counted if counted >= 4 else None

    assert await eventually(all_counted, "4 messages in the workspace metrics", seconds=10) == 4


async def test_a_logout_ends_a_streamed_answer(
    gateway: httpx.AsyncClient, workspace: Workspace, login: Login, provider: LoopbackProvider, integrate: Any
) -> None:
    # A second login of the owner: logging it out leaves the fixtures' token working.
    token = await login(workspace.owner.email, workspace.owner.password)
    await integrate("openai")
    bot_id = await new_bot(gateway, workspace.owner_token, [("openai", "gpt-slow", "simple")])
    question = " ".join(f"palabra{i}" for i in range(30))  # ~5 s of answer at 0.15 s a word
    received: list[dict[str, Any]] = []
    async with gateway.stream(
        "POST", "/api/chat", json={"message": question, "bot_id": bot_id, "stream": True}, headers=auth_header(token)
    ) as response:
        assert response.status_code == 200
        async with asyncio.timeout(4):  # the whole answer would take ~5 s
            async for _, event in sse_events(response.aiter_lines()):
                received.append(event)
                if len(received) == 2:
                    assert (await gateway.post("/auth/logout/", headers=auth_header(token))).status_code == 204
    assert received[-1]["type"] != "done"  # it ended with the token, not with the answer
    assert len(received) < 8
