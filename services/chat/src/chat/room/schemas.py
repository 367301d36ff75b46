"""003's chat rooms, their messages and its `{"chats": [...], "pagination": {...}}` pages."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, Field

from shared.validation import INT64_MAX, InputModel

Status = Literal["waiting", "active", "resolved", "closed"]
Priority = Literal["high", "medium", "low"]
MessageType = Literal["text", "system"]
AgentId = Annotated[int, Field(ge=1, le=INT64_MAX, examples=[1])]


class ChatUserRead(BaseModel):
    id: int
    full_name: str
    email: str
    phone_number: str


class ChatUserBriefRead(BaseModel):
    full_name: str
    email: str


class AgentNameRead(BaseModel):
    first_name: str
    last_name: str


class AgentBriefRead(BaseModel):
    id: int
    user: AgentNameRead


class MessageRead(BaseModel):
    id: uuid.UUID
    chat_room: uuid.UUID
    sender_type: Literal["user", "agent", "system"]
    content: str
    message_type: str
    is_read: bool
    created_at: datetime
    agent_sender: AgentBriefRead | None = None
    user_sender: ChatUserBriefRead | None = None


class RoomRead(BaseModel):
    id: uuid.UUID
    chat_user: ChatUserRead
    initial_message: str
    status: Status
    priority: Priority
    agent: AgentBriefRead | None
    created_at: datetime
    updated_at: datetime
    unread_messages_count: int
    messages: list[MessageRead] | None = None


class WaitingRead(BaseModel):
    id: uuid.UUID
    chat_user: ChatUserBriefRead
    initial_message: str
    created_at: datetime
    priority: Priority
    waiting_time_minutes: int


class PaginationRead(BaseModel):
    current_page: int
    total_pages: int
    total_chats: int
    has_next: bool
    has_previous: bool


class RoomList(BaseModel):
    chats: list[RoomRead]
    pagination: PaginationRead


class WaitingList(BaseModel):
    chats: list[WaitingRead]
    pagination: PaginationRead


class MyAgentRead(BaseModel):
    id: int
    name: str
    current_chats: int


class MyRoomList(RoomList):
    agent: MyAgentRead


class AgentMessageCreate(InputModel):
    content: Annotated[str, Field(min_length=1, max_length=10_000, examples=["Respuesta del agente"])]
    message_type: MessageType = "text"


class AssignmentUpdate(InputModel):
    """The agent a supervisor assigns the chat to, or the one it is transferred to."""

    agent_id: AgentId
