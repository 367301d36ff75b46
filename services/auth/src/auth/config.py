from typing import Annotated

from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.config import BaseServiceSettings, Secret


class Settings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AUTH_", extra="ignore")

    service_name: str = "auth"
    # 002 documents `expires_in: 86400`.
    access_token_seconds: int = Field(default=86400, ge=60)
    # A login session (refresh-token family) lasts this long after its last refresh.
    refresh_token_seconds: int = Field(default=30 * 86400, ge=60)
    invitation_seconds: int = Field(default=7 * 86400, ge=60)
    login_failures_per_account: int = 5
    login_failures_per_address: int = 20
    # Fixed windows counted across replicas (at most an hour).
    login_failure_window_seconds: int = Field(default=900, ge=1, le=3600)
    # Argon2 hashes at once, in low-priority worker threads. One hash already keeps 4 cores
    # busy (p=4 lanes) and takes 64 MiB; more only helps on larger machines.
    password_hash_concurrency: int = Field(default=1, ge=1)
    # Encrypts signing keys at rest; from a Secret in production.
    key_encryption_secret: Annotated[str, Secret()] = Field(default="", validation_alias="AUTH_KEY_ENCRYPTION_SECRET")


settings = Settings()
