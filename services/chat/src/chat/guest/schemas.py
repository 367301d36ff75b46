"""003's guest flow: start, complete (with contact details), validate, send, status."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, EmailStr, Field

from shared.validation import INT64_MAX, InputModel

Content = Annotated[str, Field(min_length=1, max_length=10_000)]


class GuestSessionCreate(InputModel):
    initial_message: Content = Field(examples=["Hola, necesito ayuda"])
    # Beyond 003: the workspace whose desk answers (CHAT_DEFAULT_TENANT when omitted).
    tenant: Annotated[int, Field(ge=1, le=INT64_MAX)] | None = None


class GuestSessionRead(BaseModel):
    success: bool = True
    session_id: uuid.UUID
    next_step: Literal["complete_profile"] = "complete_profile"
    message: str = "Por favor completa tus datos de contacto"
    expires_in: int


class GuestChatCreate(InputModel):
    session_id: uuid.UUID
    email: EmailStr
    full_name: Annotated[str, Field(min_length=1, max_length=200, examples=["Nombre Completo"])]
    phone_number: Annotated[str, Field(pattern=r"^\+?[0-9 ()\-]{6,20}$", examples=["+1234567890"])]
    recaptcha_token: Annotated[str, Field(max_length=4000)] = ""


class GuestChatRead(BaseModel):
    success: bool = True
    chat_room_id: uuid.UUID
    user_name: str
    message: str = "Chat iniciado correctamente. Un agente te contactará pronto."
    # Beyond 003: the guest's credential for their room (header X-Guest-Token, or the
    # WebSocket's first frame). The room id alone gives access to nothing.
    guest_token: str


class SessionCheckCreate(InputModel):
    session_id: uuid.UUID


class SessionCheckRead(BaseModel):
    valid: bool
    has_message: bool | None = None
    created_at: datetime | None = None
    message: str | None = None


class GuestMessageCreate(InputModel):
    chat_room_id: uuid.UUID
    content: Content = Field(examples=["Mensaje del usuario"])


class ChatStatusRead(BaseModel):
    chat_room_id: uuid.UUID
    status: str
    agent_assigned: bool
    agent_name: str | None
    created_at: datetime
    unread_messages: int
