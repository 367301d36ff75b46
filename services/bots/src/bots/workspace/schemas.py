"""002's `/api/config`: the workspace's default model, the agent's autonomy and the cloud
providers' flags; a PUT changes only what it sends, each part validated."""

from typing import Annotated, Literal

from pydantic import BaseModel, Field

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
    llm: LlmUpdate | None = None
    agent: AgentSettingsUpdate | None = None
    cloud_providers: CloudProvidersUpdate | None = None


class BudgetUpdate(InputModel):
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
    month: str
    budget_tokens: int | None
    used_tokens: int
    by_model: list[UsageRow]
