from pathlib import Path
from typing import Annotated, Self

from pydantic import Field, SecretStr, model_validator
from pydantic_settings import SettingsConfigDict

from shared.config import BaseServiceSettings, Secret


class Settings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="BOTS_", extra="ignore")

    service_name: str = "bots"
    # Seals the providers' API keys at rest (they must be read back to call the provider).
    secret_encryption_key: Annotated[str, Secret()] = ""
    # One provider call: the SDK's timeout and its own retries (backoff on 429 and 5xx) before
    # the next model of the bot's toolbox is tried.
    provider_timeout_seconds: float = Field(default=60.0, gt=0)
    provider_max_retries: int = Field(default=2, ge=0, le=10)
    max_output_tokens: int = Field(default=1024, ge=1, le=100_000)
    # An answer's events are kept this long for a client that reconnects (Last-Event-ID).
    replay_seconds: float = Field(default=600.0, ge=10)
    # With no client listening for this long, an answer is stopped and stored as interrupted.
    abandon_after_seconds: float = Field(default=15.0, gt=0)
    # Each process renews a lease every third of this; the answers a process whose lease lapsed
    # left streaming are closed as interrupted (`bots.maintenance`, checked this often too).
    streaming_lease_seconds: float = Field(default=60.0, ge=3)
    # Provider usage rows are kept this long; the month's budget reads the month's rows.
    usage_retention_days: int = Field(default=400, ge=32)
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

    # The platform's own providers (001's SaaS: the platform provides the models), used by a
    # workspace that has no active integration of that kind; a workspace's own one wins. Keys
    # come from the variable or from a file (`*_API_KEY_FILE`, a mounted secret); they are
    # never returned nor logged. A base URL is the operator's, so it is trusted: it may be an
    # in-house server on a private network, without admitting that network for everyone's
    # integrations (BOTS_OUTBOUND_ALLOWED_NETWORKS).
    openai_api_key: SecretStr | None = None
    openai_api_key_file: Path | None = None
    # An in-house OpenAI-compatible server (vLLM, a proxy) instead of OpenAI's API.
    openai_base_url: str | None = None
    anthropic_api_key: SecretStr | None = None
    anthropic_api_key_file: Path | None = None
    anthropic_base_url: str | None = None
    # An Ollama server (its OpenAI-compatible API, e.g. http://10.0.0.5:11434/v1): the `ollama` kind.
    ollama_base_url: str | None = None

    @model_validator(mode="after")
    def _platform_providers(self) -> Self:
        for kind in ("openai", "anthropic"):
            key: SecretStr | None = getattr(self, f"{kind}_api_key")
            path: Path | None = getattr(self, f"{kind}_api_key_file")
            if key is not None and not key.get_secret_value().strip():
                key = None
            if path is not None:
                if key is not None:
                    raise ValueError(f"BOTS_{kind.upper()}_API_KEY and BOTS_{kind.upper()}_API_KEY_FILE are exclusive")
                try:
                    key = SecretStr(path.read_text().strip())
                except OSError as exc:  # stops the start-up: the operator meant a key to be there
                    raise ValueError(f"BOTS_{kind.upper()}_API_KEY_FILE: {exc.strerror}") from exc
            setattr(self, f"{kind}_api_key", key)
        for kind in ("openai", "anthropic", "ollama"):
            url: str | None = getattr(self, f"{kind}_base_url")
            url = url.strip() if url else None
            if url and not url.startswith(("http://", "https://")):
                raise ValueError(f"BOTS_{kind.upper()}_BASE_URL must be an http(s) URL")
            setattr(self, f"{kind}_base_url", url or None)
        return self


settings = Settings()
