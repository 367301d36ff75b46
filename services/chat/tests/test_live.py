"""The desk in real time: WebSocket clients on two chat replicas, typing and read receipts,
resuming after a disconnect, availability when an agent's last socket closes; and the
reCAPTCHA check against a loopback server speaking the siteverify API; who views a room; a NATS
restart."""

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import httpx
import jwt
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse
from starlette.routing import Route
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from auth.testing import AddMember, Workspace, auth_header
from devstack.engines import start_nats
from devstack.processes import free_port, stop
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
        # Waited for (in a thread: it may take a moment), so no process outlives its test.
        await asyncio.to_thread(stop, stack.processes.pop(name))


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
                    "CHAT_RECAPTCHA_VERIFY_URL": f"{verifier}/siteverify",
                    "CHAT_RECAPTCHA_SITE_KEY": "sitio-1"}  # fmt: skip
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

            # What a guest's widget needs to know before complete_chat.
            widget = await desk.get("/api/chat/widget_settings/")
            assert widget.json() == {"recaptcha_required": True, "recaptcha_site_key": "sitio-1"}
            assert (await complete("")).status_code == 400
            robot = await complete("robot")
            assert robot.status_code == 400
            assert robot.json() == {"recaptcha_token": ["Verificación reCAPTCHA fallida."]}
            assert (await complete("falso")).status_code == 400
            assert (await complete("humano")).status_code == 201
    assert [a["response"] for a in asked] == ["robot", "falso", "humano"]
    assert {a["secret"] for a in asked} == {"s3cr3t"}


async def test_who_views_a_room_is_told_across_replicas_until_the_socket_closes(
    gateway: httpx.AsyncClient, workspace: Workspace, add_member: AddMember, guest: Any, platform_stack: Stack
) -> None:
    first, second = await add_member("agente"), await add_member("agente")
    room = (await guest("¿Alguien me ve?"))["chat_room_id"]
    async with replica(platform_stack, "chat-viewers") as other:
        here = await socket(platform_stack.url("gateway"), token=first.token)  # replica A
        there = await socket(other, token=second.token)  # replica B
        try:
            await here.send(json.dumps({"type": "viewing", "chat_room_id": room}))
            seen = await next_of(there, "viewers")
            assert seen["chat_room_id"] == room
            assert [a["name"] for a in seen["data"]["agents"]] == ["Miembro agente"]
            first_agent = seen["data"]["agents"][0]["agent_id"]
            await there.send(json.dumps({"type": "viewing", "chat_room_id": room}))
            while len((both := await next_of(here, "viewers"))["data"]["agents"]) < 2:  # its own first
                pass
            assert first_agent in [a["agent_id"] for a in both["data"]["agents"]]
            # A room of another workspace, or none: refused, nothing announced.
            await there.send(json.dumps({"type": "viewing", "chat_room_id": "0193a7f2-5c1e-7b7a-9d52-3f0c6a1e2b44"}))
            assert (await next_of(there, "error"))["data"]["error"] == "Chat no encontrado."
        finally:
            await here.close()
        # The first agent's socket closed (on the other replica): the second one is alone.
        while len((left := await next_of(there, "viewers"))["data"]["agents"]) != 1:
            pass
        assert first_agent not in [a["agent_id"] for a in left["data"]["agents"]]
        await there.close()


@pytest.mark.timeout(180)
async def test_after_a_nats_restart_sockets_are_closed_and_live_events_flow_again(isolated_stack: Stack) -> None:
    stack = isolated_stack
    gateway_url = stack.url("gateway")
    async with httpx.AsyncClient(base_url=gateway_url, timeout=10) as client:
        owner = {"email": "desk-restart@example.com", "password": "una-clave-segura"}
        assert (await client.post("/users/", json=owner)).status_code == 200
        token = (await client.post("/api/auth/login", json={"username": owner["email"], **owner})).json()[
            "access_token"
        ]
        tenant = int(jwt.decode(token, options={"verify_signature": False})["tenant"])

        async def open_chat(text: str) -> dict[str, Any]:
            started = await client.post("/api/chat/start_chat/", json={"initial_message": text, "tenant": tenant})
            completed = await client.post("/api/chat/complete_chat/", json={
                "session_id": started.json()["session_id"], "email": "g@example.com", "full_name": "G",
                "phone_number": "+123456789", "recaptcha_token": "",
            })  # fmt: skip
            assert completed.status_code == 201, completed.text
            return dict(completed.json())

        agent_ws = await socket(gateway_url, token=token)
        await open_chat("Antes del reinicio")
        last = (await next_of(agent_ws, "new_chat"))["id"]

        assert stack.nats is not None
        port, folder = stack.nats.port, stack.nats.data_dir
        stack.nats.stop()
        stack.nats = start_nats(folder, port)
        # The desk does not keep a socket whose events may have been lost: it closes it (1012).
        with pytest.raises(ConnectionClosed) as closed:
            await next_of(agent_ws, "never", timeout=60)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == 1012
        # Back with the last id it saw (from the stream before the restart): live events come again.
        back = await socket(gateway_url, token=token, last_event_id=last)
        try:
            after = await open_chat("Después del reinicio")
            heard = await next_of(back, "new_chat", timeout=20)
            assert heard["chat_room_id"] == after["chat_room_id"]
        finally:
            await back.close()


async def test_an_agent_typing_over_http_reaches_the_guests_socket(
    gateway: httpx.AsyncClient, workspace: Workspace, add_member: AddMember, guest: Any, platform_stack: Stack
) -> None:
    agent, other = await add_member("agente"), await add_member("agente")
    chat = await guest("¿Me escriben?")
    room = chat["chat_room_id"]
    guest_ws = await socket(platform_stack.url("gateway"), guest_token=chat["guest_token"], chat_room_id=room)
    try:
        typing = await gateway.post(f"/api/chat-rooms/{room}/typing/", headers=auth_header(agent.token),
                                    json={"is_typing": True})  # fmt: skip
        assert typing.status_code == 204
        assert (await next_of(guest_ws, "typing"))["data"] == {"sender": "agent", "is_typing": True}
        # Once the room is the first agent's, another (not a supervisor) may not signal in it.
        await gateway.patch("/api/agents/me/", headers=auth_header(agent.token), json={"is_available": True})
        assert (await gateway.post(f"/api/chat-rooms/{room}/take_chat/", headers=auth_header(agent.token))).is_success
        refused = await gateway.post(f"/api/chat-rooms/{room}/typing/", headers=auth_header(other.token), json={})
        assert refused.status_code == 403
    finally:
        await guest_ws.close()
    # Without reCAPTCHA (the suite's setting) the widget shows none.
    widget = await gateway.get("/api/chat/widget_settings/")
    assert widget.json() == {"recaptcha_required": False, "recaptcha_site_key": None}
