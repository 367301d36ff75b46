import pytest

from auth.bootstrap import BootstrapSettings
from shared.config import ProductionSettingsError


def test_production_requires_the_admin_password_from_a_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLATFORM_ENV", "production")
    monkeypatch.setenv("AUTH_DATABASE_URL", "postgresql+asyncpg://svc_auth:from-the-vault@postgres:5432/platform")
    monkeypatch.setenv("AUTH_KEY_ENCRYPTION_SECRET", "from-the-vault")
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    with pytest.raises(ProductionSettingsError, match="ADMIN_PASSWORD"):
        BootstrapSettings()
    monkeypatch.setenv("ADMIN_PASSWORD", "admin-dev-only")
    with pytest.raises(ProductionSettingsError, match="ADMIN_PASSWORD"):
        BootstrapSettings()
    monkeypatch.setenv("ADMIN_PASSWORD", "a-long-one-from-the-vault")
    assert BootstrapSettings().admin_password == "a-long-one-from-the-vault"


def test_development_generates_the_admin_password(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("PLATFORM_ENV", raising=False)
    monkeypatch.delenv("ADMIN_PASSWORD", raising=False)
    assert BootstrapSettings().admin_password == ""
