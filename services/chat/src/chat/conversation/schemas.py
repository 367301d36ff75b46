"""000's `/api/v1/chats/`: the workspace's support chats, DRF-style pages."""

from typing import Annotated

from pydantic import ConfigDict, EmailStr, Field

from chat.room.schemas import Priority
from shared.validation import InputModel, PatchModel


class ChatCreate(InputModel):
    """A chat opened by staff for a contact (a phone call, an email): it starts waiting."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "full_name": "Ana Torres",
                    "email": "ana.torres@ejemplo.com",
                    "phone_number": "+51 987 654 321",
                    "initial_message": "Llamó porque su pedido no llegó",
                    "priority": "medium",
                }
            ]
        }
    )

    full_name: Annotated[str, Field(min_length=1, max_length=200)]
    email: EmailStr
    phone_number: Annotated[str, Field(pattern=r"^\+?[0-9 ()\-]{0,20}$")] = ""
    initial_message: Annotated[str, Field(min_length=1, max_length=10_000)]
    priority: Priority = "medium"


class ChatUpdate(PatchModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"priority": "high"}]})

    priority: Priority | None = None
