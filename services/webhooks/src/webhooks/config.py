from typing import Annotated, Self

from pydantic import Field, model_validator
from pydantic_settings import SettingsConfigDict

from shared.config import BaseServiceSettings, Secret


class Settings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="WEBHOOKS_", extra="ignore")

    service_name: str = "webhooks"
    # Seals webhook secrets at rest (they must be read back to sign).
    secret_encryption_key: Annotated[str, Secret()] = ""
    # Retries: exponential from `retry_base_seconds` up to `retry_max_seconds`, with jitter,
    # for `retry_window_seconds` after the event; then the delivery is failed.
    retry_base_seconds: float = Field(default=5.0, gt=0)
    retry_max_seconds: float = Field(default=3600.0, gt=0)
    retry_window_seconds: float = Field(default=24 * 3600.0, gt=0)
    # A webhook whose every delivery failed for this long is disabled and its owner told.
    disable_after_seconds: float = Field(default=24 * 3600.0, gt=0)
    delivery_timeout_seconds: float = Field(default=10.0, gt=0)
    # Deliveries claimed and sent at once by one process, and how often to look for due ones.
    delivery_batch: int = Field(default=200, ge=1)
    poll_seconds: float = Field(default=0.1, gt=0)
    # Window of the alert counts in /api/metrics.
    metrics_alert_window_seconds: int = Field(default=24 * 3600, ge=60)
    # Deliveries (their payload copies with them) are deleted this long after the event, whatever
    # their outcome (a maintenance job); never less than the retry window.
    delivery_retention_seconds: float = Field(default=30 * 24 * 3600.0, gt=0)

    @model_validator(mode="after")
    def _retention_outlives_retries(self) -> Self:
        if self.delivery_retention_seconds < self.retry_window_seconds:
            raise ValueError(
                f"{self.variable('delivery_retention_seconds')} is under {self.variable('retry_window_seconds')}: "
                "a delivery would be deleted while it is still being retried"
            )
        return self


settings = Settings()
