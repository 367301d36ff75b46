"""The desk in real time: WebSocket clients on two chat replicas, typing and read receipts,
resuming after a disconnect, availability when an agent's last socket closes; and the
reCAPTCHA check against a loopback server speaking the siteverify API."""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from websockets.asyncio.client import ClientConnection, connect

from auth.testing import AddMember, Workspace, auth_header
from devstack.processes import free_port
from devstack.pytest_plugin import serve_in_thread
from devstack.stack import Stack
from devstack.waiting import eventually


async def _ready(url: str) -> bool:
    try:
        async with httpx.AsyncClient(timeout=2) as client:
            return (await client.get(url)).status_code == 200
    except httpx.HTTPError:
        return False


@asynccontextmanager
async def replica(stack: Stack, name: str, **env: str) -> AsyncIterator[str]:
    """Another chat process on its own port (`env`: settings of its own); yields its URL."""
    port = free_port()
    stack.processes[name] = stack.spawn_service("chat", port, log_name=name, extra_env=env)
    url = f"http://127.0.0.1:{port}"
    try:
        await eventually(lambda: _ready(f"{url}/readyz"), "the replica never became ready", seconds=60)
        yield url
    finally:
        stack.processes.pop(name).terminate()


async def socket(url: str, **auth: Any) -> ClientConnection:
    ws = await connect(url.replace("http://", "ws://") + "/api/chat/ws/")
    await ws.send(json.dumps({"type": "auth", **auth}))
    assert json.loads(await ws.recv())["type"] == "auth_ok"
    return ws


async def next_of(ws: ClientConnection, kind: str, timeout: float = 10) -> dict[str, Any]:
    """The next event of `kind` (others are skipped)."""
    async with asyncio.timeout(timeout):
        while True:
            frame = json.loads(await ws.recv())
            if frame["type"] == kind:
                return dict(frame)


async def test_a_message_through_one_replica_reaches_a_socket_on_another(
    gateway: httpx.AsyncClient, workspace: Workspace, add_member: AddMember, guest: Any, platform_stack: Stack
) -> None:
    agent = await add_member("agente")
    me = auth_header(agent.token)
    await gateway.patch("/api/agents/me/", headers=me, json={"is_available": True})
    chat = await guest("Necesito ayuda con el riego")
    room = chat["chat_room_id"]
    assert (await gateway.post(f"/api/chat-rooms/{room}/take_chat/", headers=me)).is_success
    gateway_url = platform_stack.url("gateway")
    async with replica(platform_stack, "chat-2") as other:
        agent_ws = await socket(other, token=agent.token)  # replica B, directly
        guest_ws = await socket(gateway_url, guest_token=chat["guest_token"], chat_room_id=room)  # replica A
        try:
            # The guest's message goes through replica A; the agent's socket on B gets it.
            sent = await gateway.post("/api/chat/send_message/", headers={"X-Guest-Token": chat["guest_token"]},
                                      json={"chat_room_id": room, "content": "¿Sigue ahí?"})  # fmt: skip
            heard = await next_of(agent_ws, "message")
            assert (heard["chat_room_id"], heard["data"]["content"]) == (room, "¿Sigue ahí?")
            assert heard["data"]["id"] == sent.json()["id"]
            mine = await next_of(guest_ws, "message")
            assert mine["data"]["content"] == "¿Sigue ahí?"
            # Typing (plain NATS) and a read receipt, from B to the guest on A.
            await agent_ws.send(json.dumps({"type": "typing", "chat_room_id": room, "is_typing": True}))
            typing = await next_of(guest_ws, "typing")
            assert typing["data"] == {"sender": "agent", "is_typing": True}
            await agent_ws.send(json.dumps({"type": "read", "chat_room_id": room}))
            receipt = await next_of(guest_ws, "read")
            assert sent.json()["id"] in receipt["data"]["message_ids"]
            # A message sent over the agent's socket on B reaches the guest on A.
            await agent_ws.send(json.dumps({"type": "message", "chat_room_id": room, "content": "Por socket",
                                            "ref": "r1"}))  # fmt: skip
            sent_ack = await next_of(agent_ws, "sent")
            assert sent_ack["data"]["ref"] == "r1"
            over_socket = await next_of(guest_ws, "message")
            assert (over_socket["data"]["content"], over_socket["data"]["id"]) == ("Por socket", sent_ack["data"]["id"])
            last_seen = over_socket["id"]
        finally:
            await guest_ws.close()
        # Missed while away: the guest comes back with the last id it saw.
        for text in ("Primero", "Segundo"):
            await gateway.post(f"/api/chat-rooms/{room}/send_message/", headers=me, json={"content": text})
        back = await socket(gateway_url, guest_token=chat["guest_token"], chat_room_id=room, last_event_id=last_seen)
        try:
            missed = [(await next_of(back, "message"))["data"]["content"] for _ in range(2)]
            assert missed == ["Primero", "Segundo"]
        finally:
            await back.close()
        # Another room's guest token gets nothing of this room.
        stranger = await guest("Otra consulta")
        refused = await connect(gateway_url.replace("http://", "ws://") + "/api/chat/ws/")
        await refused.send(json.dumps({"type": "auth", "guest_token": stranger["guest_token"], "chat_room_id": room}))
        assert json.loads(await refused.recv())["type"] == "error"
        await refused.close()
        # The agent's last socket closing makes them unavailable.
        await agent_ws.close()

        async def available() -> bool:
            return bool((await gateway.get("/api/agents/me/", headers=me)).json()["is_available"])

        async def unavailable() -> bool:
            return not await available()

        await eventually(unavailable, "the agent stayed available after their last socket closed")


async def test_recaptcha_is_checked_with_the_providers_verify_api(
    gateway: httpx.AsyncClient, workspace: Workspace, platform_stack: Stack
) -> None:
    asked: list[dict[str, str]] = []

    async def siteverify(request: Request) -> JSONResponse:
        form = dict(await request.form())
        asked.append({k: str(v) for k, v in form.items()})
        verdicts = {"humano": {"success": True, "score": 0.9}, "robot": {"success": True, "score": 0.1}}
        return JSONResponse(verdicts.get(str(form.get("response")), {"success": False}))

    with serve_in_thread(Starlette(routes=[Route("/siteverify", siteverify, methods=["POST"])])) as verifier:
        settings = {"CHAT_RECAPTCHA_MODE": "verify", "CHAT_RECAPTCHA_SECRET": "s3cr3t",
                    "CHAT_RECAPTCHA_VERIFY_URL": f"{verifier}/siteverify"}  # fmt: skip
        async with (
            replica(platform_stack, "chat-recaptcha", **settings) as url,
            httpx.AsyncClient(base_url=url) as desk,
        ):

            async def complete(token: str) -> httpx.Response:
                started = await desk.post("/api/chat/start_chat/", json={"initial_message": "Hola",
                                                                         "tenant": workspace.tenant_id})  # fmt: skip
                return await desk.post("/api/chat/complete_chat/", json={
                    "session_id": started.json()["session_id"], "email": "r@example.com", "full_name": "R",
                    "phone_number": "+123456789", "recaptcha_token": token,
                })  # fmt: skip

            assert (await complete("")).status_code == 400
            robot = await complete("robot")
            assert robot.status_code == 400
            assert robot.json() == {"recaptcha_token": ["Verificación reCAPTCHA fallida."]}
            assert (await complete("falso")).status_code == 400
            assert (await complete("humano")).status_code == 201
    assert [a["response"] for a in asked] == ["robot", "falso", "humano"]
    assert {a["secret"] for a in asked} == {"s3cr3t"}
