"""The agent loop: the model calls the platform's tools through both protocols, each call and
result streamed and stored, a mutating tool held for confirmation unless autonomy is auto."""

import json
from datetime import date
from typing import Any

import httpx

from agro.testing import NewField
from auth.testing import Workspace, auth_header
from bots.testing import LoopbackProvider


async def streamed(gateway: httpx.AsyncClient, token: str, body: dict[str, Any]) -> list[dict[str, Any]]:
    events = []
    async with gateway.stream("POST", "/api/chat", json={**body, "stream": True}, headers=auth_header(token)) as r:
        assert r.status_code == 200, await r.aread()
        async for line in r.aiter_lines():
            if line.startswith("data:"):
                events.append(json.loads(line[5:]))
    return events


async def agent_bot(gateway: httpx.AsyncClient, owner: str, provider: str, model: str) -> int:
    bot = await gateway.post("/bots/", json={"name": "Agrónomo"}, headers=auth_header(owner))
    body = {"provider": provider, "model_id": model, "task_type": "simple"}
    assert (await gateway.post(f"/bots/{bot.json()['id']}/models/", json=body, headers=auth_header(owner))).is_success
    return int(bot.json()["id"])


async def test_the_model_calls_agro_tools_through_both_protocols(
    gateway: httpx.AsyncClient,
    workspace: Workspace,
    provider: LoopbackProvider,
    integrate: Any,
    new_field: NewField,
    catalogue: dict[str, Any],
) -> None:
    owner, farmer = workspace.owner_token, workspace.farmer_token
    await integrate("openai")
    await integrate("anthropic")
    field_id = await new_field(farmer, variedad_id=catalogue["variety"], fecha_siembra=date.today().isoformat())
    for kind, model in (("openai", "gpt-agent"), ("anthropic", "claude-agent")):
        bot_id = await agent_bot(gateway, owner, kind, model)
        events = await streamed(gateway, farmer, {"message": "¿Qué parcelas necesitan riego? usa my_fields",
                                                  "bot_id": bot_id})  # fmt: skip
        kinds = [e["type"] for e in events]
        assert kinds[:3] == ["thinking", "tool_call", "tool_result"], kinds
        assert set(kinds[3:-1]) == {"message"}, kinds
        assert kinds[-1] == "done"
        call, result = events[1], events[2]
        assert (call["tool"], call["params"]) == ("my_fields", {})
        assert [f["id"] for f in result["result"]] == [field_id]
        text = "".join(e["content"] for e in events if e["type"] == "message")
        assert text.startswith("Resultado:")
        assert "Parcela A" in text
        assert events[-1]["status"] == "complete"
        # The provider got the result back in its own protocol, and the exchange was stored.
        assert provider.models_called()[-2:] == [model, model]
        detail = (await gateway.get(f"/api/conversations/{events[-1]['conversation_id']}",
                                    headers=auth_header(farmer))).json()  # fmt: skip
        [stored] = detail["messages"][1]["tool_calls"]
        assert (stored["tool"], stored["status"]) == ("my_fields", "done")
        assert detail["messages"][1]["content"] == text


async def test_a_mutating_tool_waits_for_confirmation_unless_autonomy_is_auto(
    gateway: httpx.AsyncClient,
    workspace: Workspace,
    integrate: Any,
    new_field: NewField,
    catalogue: dict[str, Any],
) -> None:
    owner, farmer = workspace.owner_token, workspace.farmer_token
    await integrate("openai")
    field_id = await new_field(farmer, variedad_id=catalogue["variety"], fecha_siembra=date.today().isoformat())
    bot_id = await agent_bot(gateway, owner, "openai", "gpt-agent")

    async def tasks() -> list[dict[str, Any]]:
        page = await gateway.get(f"/api/parcelas/{field_id}/tareas/", headers=auth_header(farmer))
        return list(page.json()["results"])

    held = await streamed(gateway, farmer, {"message": f"create_task en la parcela {field_id}", "bot_id": bot_id})
    assert [e["type"] for e in held] == ["thinking", "tool_call", "done"]
    assert held[1]["requires_confirmation"] is True
    assert held[1]["params"] == {"parcela_id": field_id, "tipo": "regar"}
    assert held[-1]["status"] == "pending"
    assert await tasks() == []
    conversation = held[-1]["conversation_id"]

    # Rejected: the model is told, nothing is created. Then nothing waits any more.
    confirm = f"/api/conversations/{conversation}/confirm"
    rejected = await gateway.post(confirm, json={"approve": False}, headers=auth_header(farmer))
    assert rejected.status_code == 200, rejected.text
    assert rejected.json()["status"] == "complete"
    assert "rechazó" in rejected.json()["content"]
    again = await gateway.post(confirm, json={"approve": True}, headers=auth_header(farmer))
    assert again.status_code == 409, again.text
    assert await tasks() == []

    # Asked again and approved: the held call runs, its result streams, the model goes on.
    held = await streamed(gateway, farmer, {"message": f"create_task en la parcela {field_id}",
                                            "conversation_id": conversation})  # fmt: skip
    assert held[-1]["status"] == "pending"
    async with gateway.stream(
        "POST", confirm, json={"approve": True, "stream": True}, headers=auth_header(farmer)
    ) as r:
        events = [json.loads(line[5:]) async for line in r.aiter_lines() if line.startswith("data:")]
    assert [e["type"] for e in events][:2] == ["thinking", "tool_result"]
    [created] = await tasks()
    assert events[1]["result"]["id"] == created["id"]
    assert events[-1]["status"] == "complete"
    detail = (await gateway.get(f"/api/conversations/{conversation}", headers=auth_header(farmer))).json()
    assert [m["status"] for m in detail["messages"]] == ["complete"] * len(detail["messages"])
    # Each held call: decided on the answer that asked, and its outcome on the answer that went on.
    statuses = [c["status"] for m in detail["messages"] for c in m["tool_calls"] or []]
    assert statuses == ["rejected", "rejected", "approved", "done"]
    assert detail["message_count"] == len(detail["messages"]) == 6
    await gateway.delete(f"/api/tareas/{created['id']}/", headers=auth_header(owner))

    assert (await gateway.put("/api/config", json={"agent": {"autonomy_level": "auto"}},
                              headers=auth_header(owner))).status_code == 200  # fmt: skip
    ran = await streamed(gateway, farmer, {"message": f"create_task en la parcela {field_id}", "bot_id": bot_id})
    assert [e["type"] for e in ran][:3] == ["thinking", "tool_call", "tool_result"]
    assert "requires_confirmation" not in ran[1]
    [task] = await tasks()
    assert (ran[2]["result"]["id"], task["tipo"]) == (task["id"], "regar")


async def test_a_model_without_tool_support_is_asked_again_without_tools(
    gateway: httpx.AsyncClient, workspace: Workspace, provider: LoopbackProvider, integrate: Any
) -> None:
    await integrate("openai")
    bot_id = await agent_bot(gateway, workspace.owner_token, "openai", "llama-notools")
    events = await streamed(gateway, workspace.farmer_token, {"message": "Hola", "bot_id": bot_id})
    assert [e["type"] for e in events][:2] == ["thinking", "thinking"]
    assert "no admite tools" in events[1]["content"]
    assert events[-1]["status"] == "complete"
    text = "".join(e["content"] for e in events if e["type"] == "message")
    assert text == "Respuesta de llama-notools: Hola"
    assert provider.models_called()[-2:] == ["llama-notools", "llama-notools"]
