"""003's guest flow: start, complete (with contact details), validate, send, status."""

import uuid
from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from shared.validation import INT64_MAX, InputModel

Content = Annotated[str, Field(min_length=1, max_length=10_000)]


class GuestSessionCreate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"initial_message": "Hola, necesito ayuda"}]})

    initial_message: Content = Field(examples=["Hola, necesito ayuda"])
    # Beyond 003: the workspace whose desk answers (CHAT_DEFAULT_TENANT when omitted).
    tenant: Annotated[int, Field(ge=1, le=INT64_MAX)] | None = None


class GuestSessionRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "success": True,
                    "session_id": "e7d3b9a1-5f2c-4a6e-8b4d-1c9f7e3a5b28",
                    "next_step": "complete_profile",
                    "message": "Por favor completa tus datos de contacto",
                    "expires_in": 1800,
                }
            ]
        }
    )

    success: bool = True
    session_id: uuid.UUID
    next_step: Literal["complete_profile"] = "complete_profile"
    message: str = "Por favor completa tus datos de contacto"
    expires_in: int


class GuestChatCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "session_id": "e7d3b9a1-5f2c-4a6e-8b4d-1c9f7e3a5b28",
                    "email": "usuario@ejemplo.com",
                    "full_name": "Nombre Completo",
                    "phone_number": "+1234567890",
                    "recaptcha_token": "",
                }
            ]
        }
    )

    session_id: uuid.UUID
    email: EmailStr
    full_name: Annotated[str, Field(min_length=1, max_length=200, examples=["Nombre Completo"])]
    phone_number: Annotated[str, Field(pattern=r"^\+?[0-9 ()\-]{6,20}$", examples=["+1234567890"])]
    recaptcha_token: Annotated[str, Field(max_length=4000)] = ""


class GuestChatRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "success": True,
                    "chat_room_id": "3f6c2a9e-8b1d-4c7e-9a2f-5d8e1b4c7a90",
                    "user_name": "Nombre Completo",
                    "message": "Chat iniciado correctamente. Un agente te contactará pronto.",
                    "guest_token": "gt_Yq3vN8wK2pL6sD9fH4jR7tB1mX5cZ0aE2uI8oP6kW3",
                }
            ]
        }
    )

    success: bool = True
    chat_room_id: uuid.UUID
    user_name: str
    message: str = "Chat iniciado correctamente. Un agente te contactará pronto."
    # Beyond 003: the guest's credential for their room (header X-Guest-Token, or the
    # WebSocket's first frame). The room id alone gives access to nothing.
    guest_token: str


class SessionCheckCreate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"session_id": "e7d3b9a1-5f2c-4a6e-8b4d-1c9f7e3a5b28"}]})

    session_id: uuid.UUID


class SessionCheckRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {"valid": True, "has_message": True, "created_at": "2024-01-01T12:00:00Z", "message": None},
                {"valid": False, "has_message": None, "created_at": None, "message": "Sesión expirada o no encontrada"},
            ]
        }
    )

    valid: bool
    has_message: bool | None = None
    created_at: datetime | None = None
    message: str | None = None


class GuestMessageCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"chat_room_id": "3f6c2a9e-8b1d-4c7e-9a2f-5d8e1b4c7a90", "content": "Mensaje del usuario"}]
        }
    )

    chat_room_id: uuid.UUID
    content: Content = Field(examples=["Mensaje del usuario"])


class ChatStatusRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "chat_room_id": "3f6c2a9e-8b1d-4c7e-9a2f-5d8e1b4c7a90",
                    "status": "active",
                    "agent_assigned": True,
                    "agent_name": "Lucía Quispe",
                    "created_at": "2024-01-01T12:00:00Z",
                    "unread_messages": 3,
                }
            ]
        }
    )

    chat_room_id: uuid.UUID
    status: str
    agent_assigned: bool
    agent_name: str | None
    created_at: datetime
    unread_messages: int


class WidgetSettingsRead(BaseModel):
    """Beyond 003: what a guest's chat widget must show before complete_chat."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"recaptcha_required": True, "recaptcha_site_key": "6LcA-sitekey"}]}
    )

    recaptcha_required: bool = Field(description="complete_chat refuses a missing or failed reCAPTCHA token")
    recaptcha_site_key: str | None = Field(description="The site key the widget renders reCAPTCHA with")
