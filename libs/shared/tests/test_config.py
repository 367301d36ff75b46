"""PLATFORM_ENV=production refuses development defaults, naming the variable, never the value."""

from typing import Annotated

import pytest
from pydantic import Field
from pydantic_settings import SettingsConfigDict

from shared.config import BaseServiceSettings, NotInProduction, ProductionSettingsError, Secret

REAL_URL = "postgresql+asyncpg://svc_demo:s3cr3t-from-the-vault@postgres:5432/platform"


class DemoSettings(BaseServiceSettings):
    model_config = SettingsConfigDict(env_prefix="DEMO_", extra="ignore")

    signing_secret: Annotated[str, Secret()] = ""
    aliased_secret: Annotated[str, Secret()] = Field(default="", validation_alias="DEMO_ALIASED")
    mode: Annotated[str, NotInProduction("off", why="set verify")] = "off"


def _production(monkeypatch: pytest.MonkeyPatch, **env: str) -> None:
    monkeypatch.setenv("PLATFORM_ENV", "production")
    for name, value in {"DEMO_DATABASE_URL": REAL_URL, "DEMO_SIGNING_SECRET": "a-real-secret",
                        "DEMO_ALIASED": "another-real-secret", "DEMO_MODE": "verify", **env}.items():  # fmt: skip
        monkeypatch.setenv(name, value)


def test_development_accepts_the_development_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLATFORM_ENV", raising=False)
    monkeypatch.setenv("DEMO_SIGNING_SECRET", "demo-dev-only")
    settings = DemoSettings()
    assert not settings.production
    assert settings.mode == "off"


def test_production_accepts_real_values(monkeypatch: pytest.MonkeyPatch) -> None:
    _production(monkeypatch)
    assert DemoSettings().production


def test_production_refuses_a_dev_default_naming_the_variable_not_the_value(monkeypatch: pytest.MonkeyPatch) -> None:
    _production(monkeypatch, DEMO_SIGNING_SECRET="demo-key-dev-only")
    with pytest.raises(ProductionSettingsError) as refused:
        DemoSettings()
    assert "DEMO_SIGNING_SECRET" in str(refused.value)
    assert "demo-key-dev-only" not in str(refused.value)
    assert "DEMO_ALIASED" not in str(refused.value)


def test_production_refuses_a_missing_secret_by_its_alias(monkeypatch: pytest.MonkeyPatch) -> None:
    _production(monkeypatch)
    monkeypatch.delenv("DEMO_ALIASED")
    with pytest.raises(ProductionSettingsError, match="DEMO_ALIASED"):
        DemoSettings()


def test_production_refuses_the_default_database_url_and_a_dev_password_in_it(monkeypatch: pytest.MonkeyPatch) -> None:
    _production(monkeypatch)
    monkeypatch.delenv("DEMO_DATABASE_URL")
    with pytest.raises(ProductionSettingsError, match="DEMO_DATABASE_URL"):
        DemoSettings()
    monkeypatch.setenv("DEMO_DATABASE_URL", "postgresql+asyncpg://svc_demo:demo-dev-only@postgres:5432/platform")
    with pytest.raises(ProductionSettingsError, match="DEMO_DATABASE_URL") as refused:
        DemoSettings()
    assert "demo-dev-only" not in str(refused.value)


def test_production_refuses_a_value_marked_not_in_production(monkeypatch: pytest.MonkeyPatch) -> None:
    _production(monkeypatch, DEMO_MODE="off")
    with pytest.raises(ProductionSettingsError, match="DEMO_MODE=off is refused: set verify"):
        DemoSettings()


def test_an_unknown_deployment_mode_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLATFORM_ENV", "staging")
    with pytest.raises(ValueError, match="PLATFORM_ENV"):
        DemoSettings()


def test_production_refuses_an_inbox_retention_shorter_than_redeliveries(monkeypatch: pytest.MonkeyPatch) -> None:
    _production(monkeypatch, DEMO_INBOX_RETENTION_SECONDS="60")
    with pytest.raises(ProductionSettingsError, match="DEMO_INBOX_RETENTION_SECONDS"):
        DemoSettings()
    monkeypatch.delenv("PLATFORM_ENV")
    assert DemoSettings().inbox_retention_seconds == 60  # a soak test may, in development
