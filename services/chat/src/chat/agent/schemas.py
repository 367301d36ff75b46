"""003's `/api/agents/`."""

from typing import Annotated

from pydantic import BaseModel, Field

from shared.validation import PatchModel


class AgentPersonRead(BaseModel):
    id: int
    first_name: str
    last_name: str
    email: str


class AgentRead(BaseModel):
    id: int
    user: AgentPersonRead
    is_available: bool
    current_active_chats: int
    max_concurrent_chats: int


class AgentUpdate(PatchModel):
    is_available: bool | None = None
    max_concurrent_chats: Annotated[int, Field(ge=1, le=100)] | None = None
