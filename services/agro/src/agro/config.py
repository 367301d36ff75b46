from pydantic_settings import SettingsConfigDict

from shared.config import BaseServiceSettings


class Settings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="AGRO_", extra="ignore")

    service_name: str = "agro"


settings = Settings()
