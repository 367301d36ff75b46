"""000's `/api/v1/agents/`: an agent is a bot with instructions, a model, the tools it may
call and the knowledge bases it answers from."""

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from bots.toolbox.schemas import Description, Name, SystemPrompt
from shared.validation import INT64_MAX, InputModel, Nullable, PatchModel

ModelId = Annotated[str, Field(min_length=1, max_length=200, examples=["gpt-4o", "claude-3.5", "local"])]
ToolNames = Annotated[list[Annotated[str, Field(min_length=1, max_length=120)]], Field(max_length=100)]
BaseIds = Annotated[list[Annotated[int, Field(ge=1, le=INT64_MAX)]], Field(max_length=50)]


class AgentCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "name": "Asesor de riego",
                    "description": "Responde dudas de riego con el manual de la finca",
                    "instructions": "Eres un agrónomo. Responde en español, breve, y cita el manual.",
                    "model": "gpt-4o",
                    "tools": ["my_fields"],
                    "knowledge_bases": [1],
                }
            ]
        }
    )

    name: Name
    description: Description | None = None
    instructions: SystemPrompt | None = None
    # The model that answers ("proveedor:modelo" or a known id); none: the workspace's model.
    model: ModelId | None = None
    # The tools it may call; none: every tool of the workspace. An empty list: no tools.
    tools: ToolNames | None = None
    knowledge_bases: BaseIds = Field(default_factory=list)


class AgentUpdate(PatchModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"instructions": "Eres un agrónomo. Responde en español y en pocas líneas."}]}
    )

    name: Name | None = None
    description: Annotated[Description | None, Nullable] = None
    instructions: Annotated[SystemPrompt | None, Nullable] = None
    model: Annotated[ModelId | None, Nullable] = None
    tools: Annotated[ToolNames | None, Nullable] = None
    knowledge_bases: BaseIds | None = None


class AgentRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 5,
                    "name": "Asesor de riego",
                    "description": "Responde dudas de riego con el manual de la finca",
                    "instructions": "Eres un agrónomo. Responde en español, breve, y cita el manual.",
                    "model": "gpt-4o",
                    "tools": ["my_fields"],
                    "knowledge_bases": [1],
                    "owner_id": 12,
                    "created_at": "2025-10-23T10:30:00Z",
                    "updated_at": "2025-10-23T11:45:00Z",
                }
            ]
        }
    )

    id: int
    name: str
    description: str | None
    instructions: str | None
    model: str | None
    tools: list[str] | None
    knowledge_bases: list[int]
    owner_id: int
    created_at: datetime
    updated_at: datetime
