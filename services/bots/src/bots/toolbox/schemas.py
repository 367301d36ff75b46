"""001's bots and their model toolboxes."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from bots.integration.schemas import ProviderKind
from shared.validation import InputModel, Nullable, PatchModel

TaskType = Literal["simple", "complex"]
Name = Annotated[str, Field(min_length=1, max_length=120, examples=["Mi Nuevo Asistente"])]
Description = Annotated[str, Field(max_length=2000, examples=["Un bot para pruebas."])]
SystemPrompt = Annotated[str, Field(max_length=20_000, examples=["Ahora eres un robot pirata que habla como tal."])]


class BotCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"name": "Mi Nuevo Asistente", "description": "Un bot para pruebas."}]}
    )

    name: Name
    description: Description | None = None
    system_prompt: SystemPrompt | None = None


class BotUpdate(PatchModel):
    """001's PUT sends only what changes (its example: the system prompt)."""

    model_config = ConfigDict(
        json_schema_extra={"examples": [{"system_prompt": "Ahora eres un robot pirata que habla como tal."}]}
    )

    name: Name | None = None
    description: Annotated[Description | None, Nullable] = None
    system_prompt: Annotated[SystemPrompt | None, Nullable] = None


class BotModelCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"provider": "openai", "model_id": "gpt-4o", "task_type": "complex"}]}
    )

    provider: ProviderKind
    model_id: Annotated[str, Field(min_length=1, max_length=200, examples=["gpt-4o"])]
    task_type: TaskType = Field(examples=["complex"])


class BotModelRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"id": 9, "provider": "openai", "model_id": "gpt-4o", "task_type": "complex"}]}
    )

    id: int
    provider: str
    model_id: str
    task_type: str


class BotRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 4,
                    "name": "Mi Nuevo Asistente",
                    "description": "Un bot para pruebas.",
                    "system_prompt": "Ahora eres un robot pirata que habla como tal.",
                    "owner_id": 12,
                    "models": [{"id": 9, "provider": "openai", "model_id": "gpt-4o", "task_type": "complex"}],
                    "created_at": "2025-10-23T10:30:00Z",
                    "updated_at": "2025-10-23T11:45:00Z",
                }
            ]
        }
    )

    id: int
    name: str
    description: str | None
    system_prompt: str | None
    owner_id: int
    models: list[BotModelRead]
    created_at: datetime
    updated_at: datetime
