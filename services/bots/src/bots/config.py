from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.config import BaseServiceSettings


class Settings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="BOTS_", extra="ignore")

    service_name: str = "bots"
    # Seals the providers' API keys at rest (they must be read back to call the provider).
    secret_encryption_key: str = ""
    # One provider call: the SDK's timeout and its own retries (backoff on 429 and 5xx) before
    # the next model of the bot's toolbox is tried.
    provider_timeout_seconds: float = Field(default=60.0, gt=0)
    provider_max_retries: int = Field(default=2, ge=0, le=10)
    max_output_tokens: int = Field(default=1024, ge=1, le=100_000)
    # An answer's events are kept this long for a client that reconnects (Last-Event-ID).
    replay_seconds: float = Field(default=600.0, ge=10)
    # With no client listening for this long, an answer is stopped and stored as interrupted.
    abandon_after_seconds: float = Field(default=15.0, gt=0)
    # The platform's own API (the gateway), which tools call as their user.
    platform_url: str = "http://127.0.0.1:8000"
    # Rounds of tool calls one answer may make before it must answer in words.
    agent_max_steps: int = Field(default=5, ge=1, le=20)
    # Conversation turns sent to the model with a new question.
    history_messages: int = Field(default=20, ge=0, le=200)
    # Largest document upload (the gateway's route for /api/v1/documents/ allows a little more).
    document_max_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    # Knowledge chunks put in front of the model with a question to an agent with knowledge bases.
    knowledge_chunks: int = Field(default=4, ge=0, le=20)


settings = Settings()
