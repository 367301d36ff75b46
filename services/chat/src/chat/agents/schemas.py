"""003's `/api/agents/` and the desk's settings."""

from typing import Annotated

from pydantic import BaseModel, Field

from shared.validation import PatchModel


class AgentUser(BaseModel):
    id: int
    first_name: str
    last_name: str
    email: str


class AgentOut(BaseModel):
    id: int
    user: AgentUser
    is_available: bool
    current_active_chats: int
    max_concurrent_chats: int


class AgentPatch(PatchModel):
    is_available: bool | None = None
    max_concurrent_chats: Annotated[int, Field(ge=1, le=100)] | None = None


class AutoAssignment(BaseModel):
    enabled: bool


class AutoAssignmentIn(PatchModel):
    enabled: bool
