from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.config import BaseServiceSettings


class Settings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AUTH_", extra="ignore")

    service_name: str = "auth"
    # 002 documents `expires_in: 86400`.
    access_token_seconds: int = Field(default=86400, ge=60)
    # Encrypts signing keys at rest; from a Secret in production.
    key_encryption_secret: str = Field(default="", validation_alias="AUTH_KEY_ENCRYPTION_SECRET")


settings = Settings()
