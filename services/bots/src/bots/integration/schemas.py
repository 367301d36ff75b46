"""004's `/api/ai/config/` bodies and answers. The API key goes in and never comes out."""

from datetime import datetime
from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared.validation import InputModel, Nullable, PatchModel

ProviderKind = Literal["openai", "anthropic", "ollama", "vllm", "llamacpp", "lmstudio", "openai_compatible", "local"]
Name = Annotated[str, Field(min_length=1, max_length=100, examples=["Claude"])]
ApiKey = Annotated[str, Field(min_length=1, max_length=500, examples=["****"])]
BaseUrl = Annotated[str, Field(min_length=8, max_length=2000, examples=["http://ollama.internal:11434/v1"])]


class IntegrationCreate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"nombre": "Claude", "provider": "anthropic", "api_key": "****", "enabled": True}]
        }
    )

    nombre: Name
    provider: ProviderKind
    api_key: ApiKey | None = None
    # OpenAI-compatible servers (Ollama, vLLM, llama.cpp, LM Studio) are told apart by it.
    base_url: BaseUrl | None = None
    enabled: bool = True


class IntegrationUpdate(PatchModel):
    model_config = ConfigDict(
        json_schema_extra={"examples": [{"nombre": "Claude", "provider": "anthropic", "enabled": True}]}
    )

    nombre: Name | None = None
    provider: ProviderKind | None = None
    api_key: ApiKey | None = None
    base_url: Annotated[BaseUrl | None, Nullable] = None
    enabled: bool | None = None


class IntegrationRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "id": 1,
                    "nombre": "Claude",
                    "provider": "anthropic",
                    "enabled": True,
                    "base_url": None,
                    "has_api_key": True,
                    "created_at": "2025-10-23T10:30:00Z",
                    "updated_at": "2025-10-23T11:45:00Z",
                }
            ]
        }
    )

    id: int
    nombre: str
    provider: str
    enabled: bool
    base_url: str | None
    has_api_key: bool
    created_at: datetime
    updated_at: datetime
