"""002's chat WebSocket (`/ws`, see `bots.turn.endpoints`) as its clients see it, for the
AsyncAPI document: the frames a client sends, and the answer's events it gets back (the same
events `/api/chat` streams as Server-Sent Events)."""

from typing import Any, Literal

from pydantic import BaseModel, Field

from shared.events.asyncapi_clients import ClientChannel, ClientMessage


class SocketAuth(BaseModel):
    """The first frame: an access token or an API key (with the `ia:crear` permission)."""

    type: Literal["auth"]
    token: str


class SocketChat(BaseModel):
    """A question; its answer's events follow. Fields as `POST /api/chat` takes them (no `stream`)."""

    type: Literal["chat"]
    message: str = Field(min_length=1)
    conversation_id: str | None = Field(None, pattern=r"^conv_\d{1,18}$", description="A new one when omitted")
    bot_id: int | None = Field(None, ge=1)
    model: str | None = None


class SocketPing(BaseModel):
    type: Literal["ping"]


class SocketAuthOk(BaseModel):
    type: Literal["auth_ok"]
    user_id: int


class Tokens(BaseModel):
    input: int
    output: int


class SocketEvent(BaseModel):
    """One event of an answer: `thinking`, `tool_call` (`requires_confirmation`: approve with
    `POST /api/conversations/{id}/confirm`), `tool_result`, `message` (a text delta), `error`,
    then `done` (its `status`, model, tokens and citations). `id` is `<answer>:<sequence>`."""

    type: Literal["thinking", "tool_call", "tool_result", "message", "error", "done"]
    id: str
    conversation_id: str | None
    content: str | None = None
    tool: str | None = None
    params: dict[str, Any] | None = None
    requires_confirmation: bool | None = None
    status: str | None = None
    result: Any = None
    error: str | None = None
    model: str | None = None
    provider: str | None = None
    tokens: Tokens | None = None
    citations: list[dict[str, Any]] | None = None


class ErrorDetail(BaseModel):
    code: str
    message: str
    details: dict[str, Any]


class SocketError(BaseModel):
    """A refused frame (002's error body); a refused authentication closes the socket with 1008."""

    type: Literal["error"]
    error: ErrorDetail


class SocketPong(BaseModel):
    type: Literal["pong"]


CONVERSATION = "conv_123"
CHAT_SOCKET = ClientChannel(
    name="client_chat_socket",
    address="/ws",
    title="002's chat WebSocket",
    description="Authenticate with the first frame, then send `chat` frames: each answer's events "
    "come back as frames, in order, with `id` and `conversation_id`. A logout or a revoked key "
    "closes the socket.",
    protocol="ws",
    receives=(
        ClientMessage("SocketAuth", SocketAuth, "First frame: the caller's token",
                      [{"type": "auth", "token": "<access token or API key>"}]),
        ClientMessage("SocketChat", SocketChat, "A question",
                      [{"type": "chat", "conversation_id": CONVERSATION, "message": "Lista las instancias EC2"}]),
        ClientMessage("SocketPing", SocketPing, "Keep-alive; answered by `pong`", [{"type": "ping"}]),
    ),
    sends=(
        ClientMessage("SocketAuthOk", SocketAuthOk, "Authenticated", [{"type": "auth_ok", "user_id": 7}]),
        ClientMessage("SocketEvent", SocketEvent, "An event of the answer", [
            {"type": "thinking", "id": "0193a7f2:1", "conversation_id": CONVERSATION,
             "content": "Pregunta simple: responde local:local."},
            {"type": "message", "id": "0193a7f2:2", "conversation_id": CONVERSATION, "content": "Hay 3 instancias"},
            {"type": "done", "id": "0193a7f2:3", "conversation_id": CONVERSATION, "status": "complete",
             "model": "local", "provider": "local", "tokens": {"input": 12, "output": 5}},
        ]),
        ClientMessage("SocketError", SocketError, "A refusal", [{"type": "error", "error": {
            "code": "BAD_REQUEST", "message": "Tipo de mensaje desconocido.", "details": {}}}]),
        ClientMessage("SocketPong", SocketPong, "The answer to `ping`", [{"type": "pong"}]),
    ),
)  # fmt: skip

CLIENT_CHANNELS = [CHAT_SOCKET]
