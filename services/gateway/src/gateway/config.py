from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.config import BaseServiceSettings


class Settings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="GATEWAY_", extra="ignore")

    service_name: str = "gateway"
    # {"auth": "http://127.0.0.1:8001", ...}; a route whose upstream is missing answers 503.
    upstreams: dict[str, str] = Field(default_factory=dict)
    # Per user (per client address when anonymous), counted across every replica (002: 60).
    rate_limit_per_minute: int = Field(default=60, ge=1)
    # Replicas with the same bucket share their counters.
    rate_limit_bucket: str = "gateway"
    connect_timeout_seconds: float = 2.0
    # Between two chunks of an upstream answer; SSE streams stay open as long as they talk.
    read_timeout_seconds: float = 30.0
    cors_origins: list[str] = Field(default_factory=lambda: ["*"])
    openapi_cache_seconds: float = 30.0
    # The origin clients use (https://api.example.com): pagination links and redirects name it.
    # Unset, the Host the gateway itself was reached at is used.
    public_url: str | None = None
    # Request bodies above this answer 413 at the gateway; a route may allow more (uploads).
    max_body_bytes: int = Field(default=1024 * 1024, ge=1)
    # /readyz and /metrics are served here, apart from the public API port, for the kubelet's
    # probes and Prometheus; 0.0.0.0 in a pod (the Service exposes only the API port). None: off.
    admin_host: str = "127.0.0.1"
    admin_port: int | None = Field(default=9100, ge=1, le=65535)
