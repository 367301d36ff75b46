"""Migrate one service's schema, once, however many replicas start together.

Each replica's init container runs this: it takes a PostgreSQL advisory lock keyed by the
service, runs Alembic to head and the service's bootstrap, then lets go. Replicas that start
together wait on the lock, then find nothing left to do. A session lock, so it needs a direct
connection or PgBouncer in session mode (the prod overlay's Pooler), not transaction pooling.
"""

import asyncio
import importlib
import inspect
import time
from pathlib import Path

import asyncpg
from alembic import command
from alembic.config import Config

__all__ = ["upgrade"]

# The lock's first key: the same for every service, so it is told apart from other locks.
LOCK_NAMESPACE = "platform-migrations"


async def upgrade(
    *, service: str, database_url: str, schema: str, alembic_ini: Path, bootstrap: str | None, wait_seconds: float
) -> None:
    """Alembic `upgrade head`, then `bootstrap`'s `async main()`, under the service's lock.

    Waits up to `wait_seconds` for the database, the service's role and its schema (created
    by `db-init`) before giving up with a message.
    """
    connection = await _connect_when_ready(database_url, schema=schema, wait_seconds=wait_seconds)
    try:
        key = (LOCK_NAMESPACE, service)
        if not await connection.fetchval("SELECT pg_try_advisory_lock(hashtext($1), hashtext($2))", *key):
            print(f"{service}: another replica is migrating; waiting for it.", flush=True)
            await connection.execute("SELECT pg_advisory_lock(hashtext($1), hashtext($2))", *key)
        # Alembic's env.py runs its own event loop (asyncio.run): a thread of its own.
        await asyncio.to_thread(command.upgrade, Config(str(alembic_ini)), "head")
        print(f"{service}: schema {schema} is at head.", flush=True)
        if bootstrap:
            main = importlib.import_module(bootstrap).main
            if not inspect.iscoroutinefunction(main):
                raise TypeError(f"{bootstrap}.main must be an async function")
            await main()
    finally:
        await connection.close()  # ends the session: the lock is released


async def _connect_when_ready(database_url: str, *, schema: str, wait_seconds: float) -> asyncpg.Connection:
    dsn = database_url.replace("postgresql+asyncpg://", "postgresql://", 1)
    deadline = time.monotonic() + wait_seconds
    last_reason = ""
    while True:
        reason = ""
        try:
            connection = await asyncpg.connect(dsn, timeout=10)
        except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
            # The class only: a message could repeat the URL, password included.
            reason = f"database not reachable yet ({type(exc).__name__})"
        else:
            if await connection.fetchval("SELECT 1 FROM pg_namespace WHERE nspname = $1", schema):
                return connection
            await connection.close()
            reason = f"schema {schema} does not exist yet (db-init creates it)"
        if time.monotonic() > deadline:
            raise SystemExit(f"gave up after {wait_seconds:.0f} s: {reason}")
        if reason != last_reason:
            print(f"waiting: {reason}", flush=True)
            last_reason = reason
        await asyncio.sleep(2)
