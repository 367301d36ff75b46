"""An agent's desk socket ends with their token: a logout closes it at once, mid-conversation."""

import asyncio
import json

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from auth.testing import AddMember, Workspace, auth_header
from devstack.stack import Stack
from shared.security.live import REVOKED_CLOSE_CODE


async def _until_closed(ws: ClientConnection) -> None:
    while True:  # nothing more is sent to it; whatever was already in flight may arrive first
        await ws.recv()


async def test_a_logout_closes_the_agents_socket(
    gateway: httpx.AsyncClient, add_member: AddMember, platform_stack: Stack
) -> None:
    agent = await add_member("agente")
    url = platform_stack.url("gateway").replace("http://", "ws://") + "/api/chat/ws/"
    async with connect(url) as ws:
        await ws.send(json.dumps({"type": "auth", "token": agent.token}))
        assert json.loads(await ws.recv())["type"] == "auth_ok"
        await ws.send(json.dumps({"type": "ping"}))
        assert json.loads(await ws.recv())["type"] == "pong"

        assert (await gateway.post("/auth/logout/", headers=auth_header(agent.token))).status_code == 204
        async with asyncio.timeout(3):
            with pytest.raises(ConnectionClosed) as closed:
                await _until_closed(ws)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == REVOKED_CLOSE_CODE

    # And the token cannot open a new one.
    async with connect(url) as ws:
        await ws.send(json.dumps({"type": "auth", "token": agent.token}))
        assert json.loads(await ws.recv())["type"] == "error"


async def test_removing_a_member_closes_their_socket(
    gateway: httpx.AsyncClient, workspace: Workspace, add_member: AddMember, platform_stack: Stack
) -> None:
    agent = await add_member("agente")
    url = platform_stack.url("gateway").replace("http://", "ws://") + "/api/chat/ws/"
    async with connect(url) as ws:
        await ws.send(json.dumps({"type": "auth", "token": agent.token}))
        assert json.loads(await ws.recv())["type"] == "auth_ok"
        removed = await gateway.delete(f"/api/v1/members/{agent.id}/", headers=auth_header(workspace.owner_token))
        assert removed.status_code == 204, removed.text
        async with asyncio.timeout(3):
            with pytest.raises(ConnectionClosed) as closed:
                await _until_closed(ws)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == REVOKED_CLOSE_CODE
