"""A guest's erasure (`POST /api/chat/guests/erase/`): whom, and what was erased."""

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from shared.validation import InputModel


class GuestErasureCreate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"email": "usuario@ejemplo.com"}]})

    email: EmailStr = Field(examples=["usuario@ejemplo.com"])


class GuestErasureRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"success": True, "message": "2 invitados eliminados", "guests": 2, "chat_rooms": 2, "messages": 9,
                 "notifications": 4, "guest_sessions": 2}
            ]
        }
    )  # fmt: skip

    success: bool = True
    message: str
    guests: int = Field(description="Registros de contacto del invitado eliminados")
    chat_rooms: int
    messages: int
    notifications: int
    guest_sessions: int
