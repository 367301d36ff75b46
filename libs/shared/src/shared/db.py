"""Async engine and sessions scoped to one service's schema."""

from typing import Any

from sqlalchemy import BigInteger, MetaData, event
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

__all__ = ["NAMING_CONVENTION", "TenantId", "create_engine", "create_sessionmaker", "make_metadata"]

# A workspace's id, as auth issues it: BIGINT in every service's tables, an int in code and
# in events (`Principal.tenant_id`, `Envelope.tenant_id`).
TenantId = BigInteger

# Deterministic constraint names, so Alembic migrations can refer to them.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def make_metadata(schema: str) -> MetaData:
    """The MetaData every ORM model of a service hangs off: its own schema, named constraints."""
    return MetaData(schema=schema, naming_convention=NAMING_CONVENTION)


def create_engine(url: str, *, schema: str, pool_size: int = 10) -> AsyncEngine:
    """An engine whose connections see only `schema` on their search path."""
    engine = create_async_engine(
        url,
        pool_size=pool_size,
        connect_args={"server_settings": {"search_path": schema, "application_name": schema}},
    )
    event.listen(engine.sync_engine.pool, "checkout", _refuse_closed)
    return engine


def _refuse_closed(dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
    """A pooled connection the server closed (a restart, a terminated backend) is replaced at
    checkout: asyncpg marks it closed as soon as the server's goodbye is read. This replaces
    `pool_pre_ping`, which for asyncpg costs three round trips (BEGIN, a query, ROLLBACK) on
    every checkout, as many as a short request's own work (issue 25's profiles)."""
    if dbapi_connection.driver_connection.is_closed():
        raise DisconnectionError("the server closed this pooled connection")


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    """Sessions that keep loaded attributes after commit (no surprise lazy loads)."""
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
