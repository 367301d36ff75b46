"""Settings every service shares; each service subclasses with its own env prefix."""

from pydantic import AliasChoices, Field
from pydantic_settings import BaseSettings, SettingsConfigDict

__all__ = ["BaseServiceSettings"]


class BaseServiceSettings(BaseSettings):
    """Read from `<PREFIX>_<FIELD>` environment variables (e.g. `AUTH_DATABASE_URL`).

    A subclass sets `model_config = SettingsConfigDict(env_prefix="AUTH_")`.
    """

    model_config = SettingsConfigDict(env_prefix="SERVICE_", extra="ignore")

    service_name: str = "service"
    # postgresql+asyncpg://role:password@host:port/db ; the role reaches only its own schema.
    database_url: str = "postgresql+asyncpg://postgres@127.0.0.1:5432/platform"
    database_pool_size: int = 10
    nats_url: str = "nats://127.0.0.1:4222"
    # Where auth publishes its public keys; every service verifies tokens itself.
    jwks_url: str = "http://127.0.0.1:8001/.well-known/jwks.json"
    jwt_issuer: str = "platform-auth"
    # Longest token lifetime: how far back revocations must be replayed at start-up.
    revocation_window_seconds: int = 7 * 24 * 3600
    log_level: str = "INFO"
    outbox_poll_seconds: float = Field(default=0.2, gt=0)
    # Replicas of every JetStream stream (`shared.events.streams`): one setting for the whole
    # deployment, so it has no service prefix. 3 on a production cluster.
    stream_replicas: int = Field(default=1, ge=1, le=5, validation_alias=AliasChoices("STREAM_REPLICAS"))
    # Non-public networks that calls to user-given URLs may reach anyway (`shared.outbound`),
    # e.g. ["10.1.0.0/16"]; empty, only public addresses are called.
    outbound_allowed_networks: list[str] = Field(default_factory=list)
