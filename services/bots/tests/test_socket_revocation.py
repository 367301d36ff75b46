"""002's `/ws` ends with its token: after a logout it neither answers nor stores anything."""

import asyncio
import json

import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect
from websockets.exceptions import ConnectionClosed

from auth.testing import Account, Login, auth_header
from devstack.stack import Stack
from shared.security.live import REVOKED_CLOSE_CODE


async def _until_closed(ws: ClientConnection) -> None:
    while True:  # nothing more is sent to it; whatever was already in flight may arrive first
        await ws.recv()


async def test_a_logout_closes_the_chat_socket(
    gateway: httpx.AsyncClient, account: Account, login: Login, platform_stack: Stack
) -> None:
    token = await login(account.email, account.password)
    conversation = await gateway.post("/api/conversations", json={"title": "Socket"}, headers=auth_header(token))
    assert conversation.status_code == 201, conversation.text
    url = platform_stack.url("gateway").replace("http://", "ws://") + "/ws"
    async with connect(url) as ws:
        await ws.send(json.dumps({"type": "auth", "token": token}))
        assert json.loads(await ws.recv())["type"] == "auth_ok"

        assert (await gateway.post("/auth/logout/", headers=auth_header(token))).status_code == 204
        async with asyncio.timeout(3):
            with pytest.raises(ConnectionClosed) as closed:
                await _until_closed(ws)
        assert closed.value.rcvd is not None
        assert closed.value.rcvd.code == REVOKED_CLOSE_CODE
        with_other = await login(account.email, account.password)
        detail = await gateway.get(f"/api/conversations/{conversation.json()['id']}", headers=auth_header(with_other))
        assert detail.json()["message_count"] == 0
