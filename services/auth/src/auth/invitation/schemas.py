from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from auth.session.schemas import AgroUserRead, SessionRead
from shared.validation import InputModel

InvitationStatus = Literal["pendiente", "aceptada", "revocada", "expirada"]


class InvitationCreate(InputModel):
    email: EmailStr
    role: str = Field(min_length=1, max_length=50, description="`agente`, `tecnico`, `agricultor`, `administrador`")


class InvitationRead(BaseModel):
    """An invitation as listed: never its token."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    email: str
    role: str
    status: InvitationStatus
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None


class NewInvitationRead(InvitationRead):
    accept_token: str = Field(description="Shown once (and sent in `auth.invitation.created`); only its digest is kept")


class InvitationAcceptanceCreate(InputModel):
    token: str = Field(min_length=1, max_length=200)
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=8, max_length=256)
    nombres: str = Field(default="", max_length=150)
    apellidos: str = Field(default="", max_length=150)


class InvitationAcceptanceRead(SessionRead):
    """Answered like 004's login (`token`, `user`), with the session fields every login carries."""

    token: str
    access_token: str
    token_type: str = "bearer"
    user: AgroUserRead
    role: str
