"""`python -m shared.migrations upgrade`: replicas starting together migrate once."""

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import asyncpg
import pytest

from devstack.pytest_plugin import ScratchSchema
from devstack.stack import Stack

MIGRATION = """
import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None


def upgrade() -> None:
    op.create_table("runs", sa.Column("id", sa.Integer, primary_key=True))
    op.execute("INSERT INTO runs DEFAULT VALUES")
    op.execute("SELECT pg_sleep(2)")  # long enough for the other run to arrive and wait
"""


def _fake_service(root: Path, package: str, schema: str) -> Path:
    """A service package with settings, a one-step history and a bootstrap, as an image has."""
    (root / package).mkdir()
    (root / package / "__init__.py").write_text("")
    (root / package / "config.py").write_text(
        textwrap.dedent(f"""
        from pydantic_settings import SettingsConfigDict
        from shared.config import BaseServiceSettings

        class Settings(BaseServiceSettings):
            model_config = SettingsConfigDict(env_prefix="{package.upper()}_", extra="ignore")

        settings = Settings()
    """)
    )
    (root / package / "bootstrap.py").write_text(
        textwrap.dedent(f"""
        import asyncpg
        from {package}.config import settings

        async def main() -> None:
            conn = await asyncpg.connect(settings.database_url.replace("+asyncpg", ""))
            await conn.execute('CREATE TABLE IF NOT EXISTS "{schema}".boots (at timestamptz DEFAULT now())')
            await conn.execute('INSERT INTO "{schema}".boots DEFAULT VALUES')
            await conn.close()
    """)
    )
    service_dir = root / "service"
    (service_dir / "migrations" / "versions").mkdir(parents=True)
    (service_dir / "alembic.ini").write_text("[alembic]\nscript_location = %(here)s/migrations\n")
    (service_dir / "migrations" / "env.py").write_text(
        textwrap.dedent(f"""
        from sqlalchemy import MetaData
        from {package}.config import settings
        from shared.migrations import run_migrations

        run_migrations(MetaData(schema="{schema}"), schema="{schema}", database_url=settings.database_url)
    """)
    )
    (service_dir / "migrations" / "versions" / "0001_runs.py").write_text(MIGRATION)
    return service_dir


async def test_replicas_starting_together_migrate_once_and_all_succeed(
    tmp_path: Path, scratch_schema: ScratchSchema, platform_engines: Stack
) -> None:
    package = f"svc_{scratch_schema.name}"
    service_dir = _fake_service(tmp_path, package, scratch_schema.name)
    env = {**os.environ, "PYTHONPATH": str(tmp_path), f"{package.upper()}_DATABASE_URL": scratch_schema.url}
    env.pop("PLATFORM_ENV", None)
    command = [sys.executable, "-m", "shared.migrations", "upgrade", package, "--schema", scratch_schema.name,
               "--bootstrap", f"{package}.bootstrap", "--wait", "30"]  # fmt: skip
    replicas = [
        subprocess.Popen(command, cwd=service_dir, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT)
        for _ in range(2)
    ]
    outputs = [replica.communicate(timeout=120)[0].decode() for replica in replicas]
    assert [replica.returncode for replica in replicas] == [0, 0], outputs

    conn = await asyncpg.connect(platform_engines.superuser_dsn)
    try:
        schema = scratch_schema.name
        assert await conn.fetchval(f'SELECT count(*) FROM "{schema}".runs') == 1
        assert await conn.fetchval(f'SELECT version_num FROM "{schema}".alembic_version') == "0001"
        assert await conn.fetchval(f'SELECT count(*) FROM "{schema}".boots') == 2  # each ran it, in turn
    finally:
        await conn.close()


def test_it_waits_for_the_schema_then_gives_up_naming_it(tmp_path: Path, platform_engines: Stack) -> None:
    package = "svc_missing_schema"
    service_dir = _fake_service(tmp_path, package, "no_such_schema")
    url = platform_engines.superuser_dsn.replace("postgresql://", "postgresql+asyncpg://")
    env = {**os.environ, "PYTHONPATH": str(tmp_path), f"{package.upper()}_DATABASE_URL": url}
    env.pop("PLATFORM_ENV", None)
    result = subprocess.run(
        [sys.executable, "-m", "shared.migrations", "upgrade", package, "--schema", "no_such_schema", "--wait", "1"],
        cwd=service_dir, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert "schema no_such_schema does not exist yet (db-init creates it)" in result.stdout + result.stderr


@pytest.mark.parametrize("secret", ["svc-dev-only"])
def test_production_stops_before_migrating_on_a_dev_secret(tmp_path: Path, secret: str) -> None:
    package = "svc_production"
    service_dir = _fake_service(tmp_path, package, "whatever")
    env = {**os.environ, "PYTHONPATH": str(tmp_path), "PLATFORM_ENV": "production",
           f"{package.upper()}_DATABASE_URL": f"postgresql+asyncpg://svc:{secret}@127.0.0.1:9/platform"}  # fmt: skip
    result = subprocess.run(
        [sys.executable, "-m", "shared.migrations", "upgrade", package, "--wait", "1"],
        cwd=service_dir, env=env, capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert result.returncode != 0
    assert f"{package.upper()}_DATABASE_URL is not set, or is a development default" in result.stderr
    assert secret not in result.stderr
