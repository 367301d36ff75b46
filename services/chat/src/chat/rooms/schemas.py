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


class ChatUserOut(BaseModel):
    id: int
    full_name: str
    email: str
    phone_number: str


class ChatUserBrief(BaseModel):
    full_name: str
    email: str


class AgentUserOut(BaseModel):
    first_name: str
    last_name: str


class AgentBrief(BaseModel):
    id: int
    user: AgentUserOut


class MessageOut(BaseModel):
    id: uuid.UUID
    chat_room: uuid.UUID
    sender_type: Literal["user", "agent", "system"]
    content: str
    message_type: str
    is_read: bool
    created_at: datetime
    agent_sender: AgentBrief | None = None
    user_sender: ChatUserBrief | None = None


class RoomOut(BaseModel):
    id: uuid.UUID
    chat_user: ChatUserOut
    initial_message: str
    status: Status
    priority: Priority
    agent: AgentBrief | None
    created_at: datetime
    updated_at: datetime
    unread_messages_count: int
    messages: list[MessageOut] | None = None


class WaitingOut(BaseModel):
    id: uuid.UUID
    chat_user: ChatUserBrief
    initial_message: str
    created_at: datetime
    priority: Priority
    waiting_time_minutes: int


class Pagination(BaseModel):
    current_page: int
    total_pages: int
    total_chats: int
    has_next: bool
    has_previous: bool


class RoomPage(BaseModel):
    chats: list[RoomOut]
    pagination: Pagination


class WaitingPage(BaseModel):
    chats: list[WaitingOut]
    pagination: Pagination


class MyAgent(BaseModel):
    id: int
    name: str
    current_chats: int


class MyPage(RoomPage):
    agent: MyAgent


class AgentMessageIn(InputModel):
    content: Annotated[str, Field(min_length=1, max_length=10_000, examples=["Respuesta del agente"])]
    message_type: MessageType = "text"


class AgentChoice(InputModel):
    agent_id: AgentId
