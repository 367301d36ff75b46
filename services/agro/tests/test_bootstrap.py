import pytest

from agro import bootstrap
from agro.config import Settings


async def test_production_does_not_load_the_demo_catalogue(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PLATFORM_ENV", "production")
    # Nothing listens there: loading anything would fail to connect.
    monkeypatch.setenv("AGRO_DATABASE_URL", "postgresql+asyncpg://svc_agro:from-the-vault@127.0.0.1:9/platform")
    monkeypatch.setattr(bootstrap, "settings", Settings())
    await bootstrap.main()
    assert "demo catalogue is not loaded" in capsys.readouterr().out
