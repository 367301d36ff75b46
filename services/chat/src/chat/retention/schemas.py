"""A workspace's retention settings (`/api/chat/retention/`)."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from shared.validation import InputModel

Days = Annotated[int, Field(ge=1, le=36_500)]


class RetentionRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"notification_retention_days": 90, "transcript_retention_days": None}]}
    )

    notification_retention_days: int = Field(description="Las notificaciones más antiguas se eliminan.")
    transcript_retention_days: int | None = Field(
        description="Un chat resuelto o cerrado se elimina (mensajes, notificaciones y el invitado si no le "
        "quedan chats) tantos días después de su último cambio; null lo guarda para siempre."
    )


class RetentionUpdate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"notification_retention_days": 30, "transcript_retention_days": 365}]}
    )

    notification_retention_days: Days = Field(examples=[90])
    transcript_retention_days: Days | None = Field(examples=[365])
