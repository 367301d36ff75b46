"""The desk's WebSocket (`/api/chat/ws/`, see `chat.live.endpoints`) as its clients see it, for
the AsyncAPI document: the frames an agent or a guest sends, and those the desk sends back."""

from typing import Any, Literal

from pydantic import BaseModel, Field

from shared.events.asyncapi_clients import ClientChannel, ClientMessage

ROOM = "0193a7f2-5c1e-7b7a-9d52-3f0c6a1e2b44"


class DeskAuth(BaseModel):
    """The first frame: an agent's bearer token, or a guest's room token and room."""

    type: Literal["auth"]
    token: str | None = Field(None, description="An agent's access token or API key")
    guest_token: str | None = Field(None, description="A guest's token (`complete_chat` answers it)")
    chat_room_id: str | None = Field(None, description="The guest's room")
    last_event_id: int | None = Field(None, ge=0, description="Resume after this event id")


class DeskSend(BaseModel):
    """A message to a room; answered by a `sent` frame carrying `ref`, or an `error`."""

    type: Literal["message"]
    chat_room_id: str
    content: str = Field(min_length=1, max_length=10_000)
    ref: str | int | None = Field(None, description="The client's own id, echoed in `sent` or `error`")


class DeskTyping(BaseModel):
    type: Literal["typing"]
    chat_room_id: str
    is_typing: bool = True


class DeskRead(BaseModel):
    """A read receipt: the room's messages are read."""

    type: Literal["read"]
    chat_room_id: str


class DeskViewing(BaseModel):
    """An agent now looks at a room (null: at none). The workspace's agents get `viewers`; the
    entry ends when the socket closes (or within a minute of its replica dying). Meanwhile the
    socket gets the room's `message`, `read`, `typing`, `status`, `assigned` and `waiting`
    events, whoever the room's agent is."""

    type: Literal["viewing"]
    chat_room_id: str | None


class DeskPing(BaseModel):
    type: Literal["ping"]


class DeskAuthOk(BaseModel):
    type: Literal["auth_ok"]
    agent_id: int | None = Field(description="The agent's id; null on a guest's socket")
    chat_room_id: str | None = Field(description="The guest's room; null on an agent's socket")


class DeskEvent(BaseModel):
    """Something that happened in a room the client may see. `id` orders the events: reconnect
    with `last_event_id` to get what was missed (a client too slow to keep up is closed with 4008)."""

    id: int
    type: Literal["new_chat", "assigned", "waiting", "message", "read", "status", "notification", "typing"]
    chat_room_id: str | None
    data: dict[str, Any]


class Viewer(BaseModel):
    agent_id: int
    name: str = Field(description="The agent's display name, else their names, else their email")


class ViewersData(BaseModel):
    agents: list[Viewer]


class DeskViewers(BaseModel):
    """Who views a room now (each agent once), sent to the workspace's agents whenever it
    changes. Not kept: no `id`, not replayed."""

    id: None = None
    type: Literal["viewers"]
    chat_room_id: str
    data: ViewersData


class SentData(BaseModel):
    ref: str | int | None
    id: str = Field(description="The stored message's id")


class DeskSent(BaseModel):
    type: Literal["sent"]
    chat_room_id: str
    data: SentData


class ErrorData(BaseModel):
    ref: str | int | None
    error: str


class DeskError(BaseModel):
    """A refused frame (`data`, with its `ref`), or a refused authentication (`error`; the socket closes with 1008)."""

    type: Literal["error"]
    error: str | None = None
    chat_room_id: str | None = None
    data: ErrorData | None = None


class DeskPong(BaseModel):
    type: Literal["pong"]


DESK_SOCKET = ClientChannel(
    name="client_desk_socket",
    address="/api/chat/ws/",
    title="The support desk's WebSocket (003)",
    description="Agents (`token`) and guests (`guest_token` + `chat_room_id`) authenticate with the "
    "first frame, then get their rooms' events live and may send messages, typing signals, read "
    "receipts, what room they view (agents) and pings. Closed with 1012 after a NATS restart: "
    "reconnect and reload.",
    protocol="ws",
    receives=(
        ClientMessage("DeskAuth", DeskAuth, "First frame: who is connecting", [
            {"type": "auth", "token": "<access token>"},
            {"type": "auth", "guest_token": "gt_5J2k9", "chat_room_id": ROOM, "last_event_id": 41},
        ]),
        ClientMessage("DeskSend", DeskSend, "A message to a room",
                      [{"type": "message", "chat_room_id": ROOM, "content": "Hola, ¿me ayudan?", "ref": "c-1"}]),
        ClientMessage("DeskTyping", DeskTyping, "Typing, or stopped",
                      [{"type": "typing", "chat_room_id": ROOM, "is_typing": True}]),
        ClientMessage("DeskRead", DeskRead, "A read receipt", [{"type": "read", "chat_room_id": ROOM}]),
        ClientMessage("DeskViewing", DeskViewing, "An agent looks at a room, or at none",
                      [{"type": "viewing", "chat_room_id": ROOM}, {"type": "viewing", "chat_room_id": None}]),
        ClientMessage("DeskPing", DeskPing, "Keep-alive; answered by `pong`", [{"type": "ping"}]),
    ),
    sends=(
        ClientMessage("DeskAuthOk", DeskAuthOk, "Authenticated",
                      [{"type": "auth_ok", "agent_id": 3, "chat_room_id": None}]),
        ClientMessage("DeskEvent", DeskEvent, "A room's event", [
            {"id": 42, "type": "message", "chat_room_id": ROOM, "data": {
                "id": "0193a7f3-0a4b-7c55-8e21-9b0d4c7e6f10", "content": "Hola, ¿me ayudan?", "sender_type": "user"}},
            {"id": 43, "type": "typing", "chat_room_id": ROOM, "data": {"sender": "agent", "is_typing": True}},
        ]),
        ClientMessage("DeskViewers", DeskViewers, "Who views a room (to the workspace's agents)",
                      [{"id": None, "type": "viewers", "chat_room_id": ROOM,
                        "data": {"agents": [{"agent_id": 3, "name": "Lucía Quispe"}]}}]),
        ClientMessage("DeskSent", DeskSent, "A message sent over the socket was stored",
                      [{"type": "sent", "chat_room_id": ROOM, "data": {"ref": "c-1", "id": "0193a7f3-0a4b"}}]),
        ClientMessage("DeskError", DeskError, "A refusal", [
            {"type": "error", "error": "Autenticación requerida."},
            {"type": "error", "chat_room_id": ROOM, "data": {"ref": "c-1", "error": "Mensaje inválido."}},
        ]),
        ClientMessage("DeskPong", DeskPong, "The answer to `ping`", [{"type": "pong"}]),
    ),
)  # fmt: skip

CLIENT_CHANNELS = [DESK_SOCKET]
