"""002's `/api/config`: the workspace's default model, the agent's autonomy and the cloud
providers' flags; a PUT changes only what it sends, each part validated."""

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

from bots.integration.schemas import ProviderKind
from shared.validation import InputModel

Autonomy = Literal["manual", "semi", "auto"]
ModelName = Annotated[str, Field(min_length=1, max_length=200, examples=["gpt-4"])]


class Llm(BaseModel):
    provider: str
    model: str


class AgentSettings(BaseModel):
    autonomy_level: Autonomy


class Enabled(BaseModel):
    enabled: bool


class CloudProviders(BaseModel):
    aws: Enabled
    azure: Enabled
    gcp: Enabled


class WorkspaceConfigRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "llm": {"provider": "openai", "model": "gpt-4"},
                    "agent": {"autonomy_level": "semi"},
                    "cloud_providers": {
                        "aws": {"enabled": True},
                        "azure": {"enabled": True},
                        "gcp": {"enabled": False},
                    },
                }
            ]
        }
    )

    llm: Llm
    agent: AgentSettings
    cloud_providers: CloudProviders


class LlmUpdate(InputModel):
    provider: ProviderKind
    model: ModelName


class AgentSettingsUpdate(InputModel):
    autonomy_level: Autonomy


class EnabledUpdate(InputModel):
    enabled: bool


class CloudProvidersUpdate(InputModel):
    aws: EnabledUpdate | None = None
    azure: EnabledUpdate | None = None
    gcp: EnabledUpdate | None = None


class WorkspaceConfigUpdate(InputModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [{"agent": {"autonomy_level": "semi"}, "cloud_providers": {"gcp": {"enabled": False}}}]
        }
    )

    llm: LlmUpdate | None = None
    agent: AgentSettingsUpdate | None = None
    cloud_providers: CloudProvidersUpdate | None = None


class BudgetUpdate(InputModel):
    model_config = ConfigDict(json_schema_extra={"examples": [{"monthly_tokens": 5000000}]})

    # Tokens (input and output) a workspace may use per calendar month (UTC); null: no limit.
    monthly_tokens: int | None = Field(default=None, ge=1, le=2_000_000_000)


class UsageRow(BaseModel):
    bot_id: int | None
    provider: str
    model: str
    input_tokens: int
    output_tokens: int
    answers: int


class UsageRead(BaseModel):
    model_config = ConfigDict(
        json_schema_extra={
            "examples": [
                {
                    "month": "2025-10",
                    "budget_tokens": 5000000,
                    "used_tokens": 1250,
                    "by_model": [
                        {
                            "bot_id": 4,
                            "provider": "openai",
                            "model": "gpt-4o",
                            "input_tokens": 820,
                            "output_tokens": 430,
                            "answers": 6,
                        }
                    ],
                }
            ]
        }
    )

    month: str
    budget_tokens: int | None
    used_tokens: int
    by_model: list[UsageRow]
