from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, EmailStr, Field

from auth.session.schemas import AgroUserRead, SessionRead, WorkspaceRead
from shared.validation import InputModel

InvitationStatus = Literal["pendiente", "aceptada", "revocada", "expirada"]


class InvitationCreate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"email": "luis.mamani@ejemplo.com", "role": "tecnico"}]})

    email: EmailStr
    role: str = Field(min_length=1, max_length=50, description="`agente`, `tecnico`, `agricultor`, `administrador`")


class InvitationRead(BaseModel):
    """An invitation as listed: never its token."""

    model_config = ConfigDict(
        from_attributes=True,
        json_schema_extra={
            "examples": [
                {
                    "id": 5,
                    "email": "luis.mamani@ejemplo.com",
                    "role": "tecnico",
                    "status": "pendiente",
                    "created_at": "2025-10-23T10:30:00Z",
                    "expires_at": "2025-10-30T10:30:00Z",
                    "accepted_at": None,
                    "revoked_at": None,
                }
            ]
        },
    )

    id: int
    email: str
    role: str
    status: InvitationStatus
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None
    revoked_at: datetime | None


class NewInvitationRead(InvitationRead):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 5,
                    "email": "luis.mamani@ejemplo.com",
                    "role": "tecnico",
                    "status": "pendiente",
                    "created_at": "2025-10-23T10:30:00Z",
                    "expires_at": "2025-10-30T10:30:00Z",
                    "accepted_at": None,
                    "revoked_at": None,
                    "accept_token": "p7Qw2xZr9LkT4vBn8Hs1Jd6Fg3Mc5Ye0Ua2Ri7Oe9Wq",
                }
            ]
        }
    )

    accept_token: str = Field(description="Shown once (and sent in `auth.invitation.created`); only its digest is kept")


class InvitationAcceptanceCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "token": "p7Qw2xZr9LkT4vBn8Hs1Jd6Fg3Mc5Ye0Ua2Ri7Oe9Wq",
                    "username": "luis.mamani",
                    "password": "una-clave-segura",
                    "nombres": "Luis",
                    "apellidos": "Mamani",
                }
            ]
        }
    )

    token: str = Field(min_length=1, max_length=200)
    username: str = Field(min_length=1, max_length=150)
    password: str = Field(min_length=8, max_length=256)
    nombres: str = Field(default="", max_length=150)
    apellidos: str = Field(default="", max_length=150)


class InvitationPreviewCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"token": "p7Qw2xZr9LkT4vBn8Hs1Jd6Fg3Mc5Ye0Ua2Ri7Oe9Wq"}]}
    )

    token: str = Field(min_length=1, max_length=200)


class InvitationPreviewRead(BaseModel):
    """What a usable invitation offers, for the page where the invitee accepts it."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "email": "luis.mamani@ejemplo.com",
                    "role": "tecnico",
                    "expires_at": "2025-10-30T10:30:00Z",
                    "workspace": {"id": 1, "name": "Finca Los Andes"},
                }
            ]
        }
    )

    email: str
    role: str
    expires_at: datetime
    workspace: WorkspaceRead


class InvitationAcceptanceRead(SessionRead):
    """Answered like 004's login (`token`, `user`), with the session fields every login carries."""

    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "token": "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJzdWIiOiIxMiJ9.c2lnbmF0dXJh",
                    "access_token": "eyJhbGciOiJSUzI1NiIsInR5cCI6IkpXVCIsImtpZCI6ImsxIn0.eyJzdWIiOiIxMiJ9.c2lnbmF0dXJh",
                    "token_type": "bearer",
                    "user": {"user_id": 13, "username": "luis.mamani", "email": "luis.mamani@ejemplo.com"},
                    "role": "tecnico",
                    "refresh_token": "Zk3pQv9sX2mT8wL0aR5yB7nC1dE4fG6hJ9kM2oP3qS8",
                    "expires_in": 86400,
                    "refresh_expires_in": 2592000,
                    "workspace": {"id": 1, "name": "Finca Los Andes"},
                }
            ]
        }
    )

    token: str
    access_token: str
    token_type: str = "bearer"
    user: AgroUserRead
    role: str
