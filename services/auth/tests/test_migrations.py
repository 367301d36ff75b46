"""auth's migrations on a database of their own, where earlier data can be planted first."""

import json
import os
import secrets
import subprocess
import sys
from collections.abc import AsyncIterator, Callable

import asyncpg
import pytest

from devstack.stack import Stack

Migrate = Callable[[str], None]


@pytest.fixture
async def fresh_database(platform_engines: Stack) -> AsyncIterator[tuple[str, Migrate]]:
    """A new database with an empty `auth` schema, and `migrate(revision)` for it."""
    name = f"m_{secrets.token_hex(5)}"
    server = await asyncpg.connect(platform_engines.superuser_dsn)
    await server.execute(f'CREATE DATABASE "{name}"')
    base, _, _ = platform_engines.superuser_dsn.rpartition("/")
    dsn = f"{base}/{name}"
    try:
        conn = await asyncpg.connect(dsn)
        await conn.execute("CREATE SCHEMA auth")
        await conn.close()
        spec = platform_engines.spec("auth")
        env = {**os.environ, "AUTH_DATABASE_URL": dsn.replace("postgresql://", "postgresql+asyncpg://", 1)}

        def migrate(revision: str) -> None:
            subprocess.run(
                [sys.executable, "-m", "alembic", "-c", str(spec.alembic_ini), "upgrade", revision],
                env=env, cwd=spec.directory, check=True, capture_output=True,
            )  # fmt: skip

        yield dsn, migrate
    finally:
        await server.execute(f'DROP DATABASE "{name}" WITH (FORCE)')
        await server.close()


async def test_0006_publishes_every_workspace_that_existed_before(fresh_database: tuple[str, Migrate]) -> None:
    dsn, migrate = fresh_database
    migrate("0005")
    conn = await asyncpg.connect(dsn)
    try:
        await conn.execute(
            "INSERT INTO auth.tenants (name, is_active) VALUES ('Finca Norte', true), ('Cerrada', false)"
        )
        migrate("head")
        rows = await conn.fetch("SELECT subject, payload FROM auth.outbox WHERE published_at IS NULL ORDER BY id")
    finally:
        await conn.close()
    published = [(row["subject"], json.loads(row["payload"])) for row in rows]
    assert [subject for subject, _ in published] == ["auth.tenant.upserted"] * 2
    assert [(p["data"]["name"], p["data"]["is_active"]) for _, p in published] == [
        ("Finca Norte", True),
        ("Cerrada", False),
    ]
    for _, payload in published:
        assert payload["type"] == "auth.tenant.upserted"
        assert payload["source"] == "auth"
        assert payload["tenant_id"] == payload["data"]["tenant_id"]
        assert {"id", "occurred_at", "request_id"} <= set(payload)
