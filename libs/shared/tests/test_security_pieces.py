"""The workspace-wide permission and the WebSocket's first frame, as every service reads them."""

import asyncio
from typing import Any, cast

import pytest
from starlette.websockets import WebSocket, WebSocketDisconnect

from shared.errors import NotAuthenticated, PermissionDenied
from shared.security import (
    WHOLE_WORKSPACE,
    Principal,
    RequireWholeWorkspace,
    TokenVerifier,
    bearer_of_auth_frame,
    receive_auth_frame,
)


def principal(*permissions: str) -> Principal:
    return Principal(user_id=1, tenant_id=1, role="r", token_id="t", expires_at=0, permissions=frozenset(permissions))


def test_espacio_ver_is_the_whole_workspace() -> None:
    assert WHOLE_WORKSPACE == "espacio:ver"
    assert principal("espacio:ver").sees_whole_workspace
    assert not principal("parcelas:ver").sees_whole_workspace


async def test_the_dependency_wants_the_permission_then_the_whole_workspace() -> None:
    staff = RequireWholeWorkspace("parcelas", "crear", message="Solo el equipo del espacio.")
    both = principal("parcelas:crear", "espacio:ver")
    assert await staff(both) is both
    with pytest.raises(PermissionDenied) as refused:
        await staff(principal("espacio:ver"))
    assert refused.value.message == PermissionDenied.message  # the permission itself is missing
    with pytest.raises(PermissionDenied) as refused:
        await staff(principal("parcelas:crear"))
    assert refused.value.message == "Solo el equipo del espacio."
    assert await RequireWholeWorkspace()(principal("espacio:ver"))


class Socket:
    def __init__(self, *frames: str | BaseException) -> None:
        self.frames = list(frames)

    async def receive_text(self) -> str:
        frame = self.frames.pop(0)
        if isinstance(frame, BaseException):
            raise frame
        return frame


class Verifier:
    async def verify(self, token: str) -> Principal:
        if token != "good":
            raise NotAuthenticated()
        return principal()


@pytest.mark.parametrize(
    ("frame", "expected"),
    [
        ('{"type": "auth", "token": "good"}', {"type": "auth", "token": "good"}),
        (
            '{"type": "auth", "guest_token": "g", "chat_room_id": "r"}',
            {"type": "auth", "guest_token": "g", "chat_room_id": "r"},
        ),
        ('{"type": "chat", "token": "good"}', None),
        ("[1, 2]", None),
        ("not json", None),
        (WebSocketDisconnect(1001), None),
    ],
)
async def test_only_an_auth_object_is_a_first_frame(frame: str | BaseException, expected: Any) -> None:
    assert await receive_auth_frame(cast(WebSocket, Socket(frame))) == expected


async def test_a_silent_socket_has_no_first_frame() -> None:
    class Silent:
        async def receive_text(self) -> str:
            await asyncio.sleep(10)
            return ""

    assert await receive_auth_frame(cast(WebSocket, Silent()), timeout=0.01) is None


async def test_the_frames_token_names_the_principal() -> None:
    verifier = cast(TokenVerifier, Verifier())
    found = await bearer_of_auth_frame({"type": "auth", "token": "good"}, verifier)
    assert found is not None
    assert found[1] == "good"
    assert await bearer_of_auth_frame({"type": "auth", "token": "bad"}, verifier) is None
    assert await bearer_of_auth_frame({"type": "auth", "token": 7}, verifier) is None
    assert await bearer_of_auth_frame({"type": "auth"}, verifier) is None
