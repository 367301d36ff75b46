from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.config import BaseServiceSettings


class Settings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="INGEST_", extra="ignore")

    service_name: str = "ingest"
    # Every post holds a connection for its node lookup: more than the default under load.
    database_pool_size: int = 20
    # The day a plan's `limite_lecturas_dia` counts in, and resets at the midnight of (IANA name).
    day_timezone: str = "UTC"
    # A reading stamped further ahead than this is refused (node clocks drift a little).
    max_clock_skew_seconds: int = Field(default=300, ge=0)
    # Nodes buffer readings while offline; older than this is refused.
    max_reading_age_days: int = Field(default=30, ge=1)
    # Sensor values in one post, all secondary nodes and timestamps together.
    max_readings_per_post: int = Field(default=5000, ge=1)
    # How long to wait for JetStream to acknowledge before answering 503.
    publish_timeout_seconds: float = Field(default=3.0, gt=0)


settings = Settings()
