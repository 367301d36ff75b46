from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.config import BaseServiceSettings


class Settings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    # {"auth": "http://127.0.0.1:8001", ...}; a route whose upstream is missing answers 503.
    upstreams: dict[str, str] = Field(default_factory=dict)
    rate_limit_per_minute: int = Field(default=60, ge=1)
    connect_timeout_seconds: float = 2.0
    # Between two chunks of an upstream answer; SSE streams stay open as long as they talk.
    read_timeout_seconds: float = 30.0
    cors_origins: list[str] = Field(default_factory=lambda: ["*"])
    openapi_cache_seconds: float = 30.0
