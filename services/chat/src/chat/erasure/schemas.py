"""A guest's erasure (`POST /api/chat/guests/erase/`): whom, and what was erased."""

from pydantic import BaseModel, EmailStr, Field

from shared.validation import InputModel


class GuestErasureCreate(InputModel):
    email: EmailStr = Field(examples=["usuario@ejemplo.com"])


class GuestErasureRead(BaseModel):
    success: bool = True
    message: str
    guests: int = Field(description="Registros de contacto del invitado eliminados")
    chat_rooms: int
    messages: int
    notifications: int
    guest_sessions: int
