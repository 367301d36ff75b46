import pytest

from chat.config import Settings
from shared.config import ProductionSettingsError

REAL_URL = "postgresql+asyncpg://svc_chat:from-the-vault@postgres:5432/platform"


def test_production_refuses_recaptcha_off(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLATFORM_ENV", "production")
    monkeypatch.setenv("CHAT_DATABASE_URL", REAL_URL)
    monkeypatch.setenv("CHAT_RECAPTCHA_SECRET", "from-the-vault")
    monkeypatch.setenv("CHAT_RECAPTCHA_MODE", "off")
    with pytest.raises(ProductionSettingsError, match="CHAT_RECAPTCHA_MODE=off"):
        Settings()
    monkeypatch.setenv("CHAT_RECAPTCHA_MODE", "verify")
    assert Settings().recaptcha_mode == "verify"


def test_production_verify_needs_the_recaptcha_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PLATFORM_ENV", "production")
    monkeypatch.setenv("CHAT_DATABASE_URL", REAL_URL)
    monkeypatch.setenv("CHAT_RECAPTCHA_MODE", "verify")
    monkeypatch.delenv("CHAT_RECAPTCHA_SECRET", raising=False)
    with pytest.raises(ProductionSettingsError, match="CHAT_RECAPTCHA_SECRET"):
        Settings()
