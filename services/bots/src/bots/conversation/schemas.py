"""002's conversations. A conversation's id is "conv_<n>", as 002 writes it."""

from datetime import datetime
from typing import Annotated, Any

from pydantic import BaseModel, Field

from shared.validation import InputModel

Title = Annotated[str, Field(min_length=1, max_length=200, examples=["Nueva conversación"])]


class ConversationCreate(InputModel):
    title: Title = "Nueva conversación"
    # A bot of the workspace whose system prompt and toolbox answer in this conversation.
    bot_id: int | None = Field(default=None, ge=1)


class ConversationUpdate(InputModel):
    title: Title


class ConversationRead(BaseModel):
    id: str
    title: str
    bot_id: int | None
    created_at: datetime
    updated_at: datetime
    message_count: int


class ConversationList(BaseModel):
    conversations: list[ConversationRead]


class MessageRead(BaseModel):
    role: str
    content: str
    timestamp: datetime
    tool_calls: list[dict[str, Any]] | None = None
    # complete | streaming | interrupted | failed (assistant messages)
    status: str
    model: str | None = None
    # The knowledge chunks the answer drew from (document, chunk, offsets).
    citations: list[dict[str, Any]] | None = None


class ConversationDetailRead(ConversationRead):
    messages: list[MessageRead]
