"""003's `/api/agents/`."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from shared.validation import PatchModel


class AgentPersonRead(BaseModel):
    id: int
    first_name: str
    last_name: str
    email: str


class AgentRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "user": {
                        "id": 3,
                        "first_name": "Lucía",
                        "last_name": "Quispe",
                        "email": "lucia.quispe@ejemplo.com",
                    },
                    "is_available": True,
                    "current_active_chats": 2,
                    "max_concurrent_chats": 5,
                }
            ]
        }
    )

    id: int
    user: AgentPersonRead
    is_available: bool
    current_active_chats: int
    max_concurrent_chats: int


class AgentUpdate(PatchModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"is_available": True, "max_concurrent_chats": 5}]})

    is_available: bool | None = None
    max_concurrent_chats: Annotated[int, Field(ge=1, le=100)] | None = None
