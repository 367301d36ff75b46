from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.config import BaseServiceSettings


class Settings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="BRAIN_", extra="ignore")

    service_name: str = "brain"
    # Posts (up to `INGEST_MAX_READINGS_PER_POST` values each) stored per transaction.
    readings_batch_size: int = Field(default=100, ge=1, le=1000)
    # Readings older than this when they arrive are stored but suggest nothing (late buffers).
    evaluate_max_age_hours: int = Field(default=24, ge=1)
    # A violation beyond the band by this fraction of the band's width is `critical`.
    critical_fraction: float = Field(default=0.5, gt=0)
    # A sensor silent for this many of its plan's intervals raises `sensor.stale`.
    stale_after_intervals: float = Field(default=2.0, gt=0)
    stale_check_seconds: float = Field(default=30.0, gt=0)
    # Caps of the analytics API (400 beyond them).
    max_range_days: int = Field(default=366, ge=1)
    max_buckets: int = Field(default=10_000, ge=1)
    max_series_points: int = Field(default=20_000, ge=1)
    # Retention of a field with no active plan, or a plan sent before agro had these (agro's
    # plan defaults): its readings, its hourly and its daily aggregates.
    retention_raw_days: int = Field(default=30, ge=1)
    retention_hourly_months: int = Field(default=12, ge=1)
    retention_daily_years: int = Field(default=10, ge=1)
    # Daily partitions of `readings` are made this many UTC days ahead.
    partitions_ahead_days: int = Field(default=7, ge=1, le=366)


settings = Settings()
