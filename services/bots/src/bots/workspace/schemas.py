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


class Agent(BaseModel):
    autonomy_level: Autonomy


class Enabled(BaseModel):
    enabled: bool


class CloudProviders(BaseModel):
    aws: Enabled
    azure: Enabled
    gcp: Enabled


class ConfigOut(BaseModel):
    llm: Llm
    agent: Agent
    cloud_providers: CloudProviders


class LlmIn(InputModel):
    provider: ProviderKind
    model: ModelName


class AgentIn(InputModel):
    autonomy_level: Autonomy


class EnabledIn(InputModel):
    enabled: bool


class CloudProvidersIn(InputModel):
    aws: EnabledIn | None = None
    azure: EnabledIn | None = None
    gcp: EnabledIn | None = None


class ConfigIn(InputModel):
    llm: LlmIn | None = None
    agent: AgentIn | None = None
    cloud_providers: CloudProvidersIn | None = None


class BudgetIn(InputModel):
    # Tokens (input and output) a workspace may use per calendar month (UTC); null: no limit.
    monthly_tokens: int | None = Field(default=None, ge=1, le=2_000_000_000)


class UsageRow(BaseModel):
    bot_id: int | None
    provider: str
    model: str
    input_tokens: int
    output_tokens: int
    answers: int


class UsageOut(BaseModel):
    month: str
    budget_tokens: int | None
    used_tokens: int
    by_model: list[UsageRow]
