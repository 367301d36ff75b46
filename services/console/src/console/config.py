from typing import Annotated

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.config import BaseServiceSettings, NotInProduction, Secret


class Settings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="CONSOLE_", extra="ignore")

    service_name: str = "console"
    # The gateway's internal base URL: every page calls the public API there, as its user.
    gateway_url: str = "http://127.0.0.1:8000"
    # Seals the session cookie (AES-GCM: encrypted and authenticated) and derives CSRF tokens.
    secret: Annotated[str, Secret()] = "console-dev-only"
    # Secure cookies need TLS in front; plain http (`make run`, the tests) would never send them back.
    cookie_secure: Annotated[bool, NotInProduction(False, why="the session cookie would travel over plain http")] = True
    # A session cookie outlives no access token by much: the API refuses an expired one anyway.
    session_max_age_seconds: int = Field(default=24 * 3600, ge=60)
    connect_timeout_seconds: float = 2.0
    # Between two chunks of an API answer; live relays (SSE) stay open while they talk.
    read_timeout_seconds: float = 30.0


settings = Settings()
