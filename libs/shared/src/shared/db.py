"""Async engine and sessions scoped to one service's schema."""

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import asyncpg
from sqlalchemy import BigInteger, MetaData, event
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.exc import DisconnectionError
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

__all__ = ["NAMING_CONVENTION", "DriverRead", "TenantId", "create_engine", "create_sessionmaker", "make_metadata"]

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


@dataclass(frozen=True)
class DriverRead:
    """A SELECT written with SQLAlchemy Core, compiled once, and run by asyncpg itself on a
    session's connection: for the rare read on a latency budget. SQLAlchemy's work per
    statement (the statement's cache key, the ORM's loading of rows) cost bots' read before a
    provider call 1.1 ms of Python against the database's 0.1 ms (issue 25's timeline).

    Only for a read. It runs on the session's connection, so inside the session's transaction
    when one has begun there; before the session's first statement none has (SQLAlchemy sends
    BEGIN with its first statement), and the read, under READ COMMITTED, sees what it would see
    inside. Rows come back as asyncpg gives them: JSON decoded (SQLAlchemy's codecs on the
    connection), arrays as lists, no SQLAlchemy type processing; no ORM events fire.
    """

    sql: str
    order: tuple[str, ...]  # the bound parameters' names, in $1, $2... order
    constants: Mapping[str, Any]  # the values the statement carries itself (literals)

    @classmethod
    def of(cls, statement: Any) -> "DriverRead":
        compiled = statement.compile(dialect=PGDialect_asyncpg())  # type: ignore[no-untyped-call]
        binds = compiled.binds
        if any(bind.expanding for bind in binds.values()):
            raise ValueError("an expanding (IN) parameter needs SQLAlchemy's execution")
        order = tuple(compiled.positiontup or ())
        constants = {name: binds[name].value for name in order if not binds[name].required}
        return cls(str(compiled), order, constants)

    async def fetchrow(self, session: AsyncSession, values: Mapping[str, Any]) -> asyncpg.Record | None:
        """The first row; `values` by the bound parameters' names (a missing one: KeyError)."""
        args = [values[name] if name in values else self.constants[name] for name in self.order]
        connection = await (await session.connection()).get_raw_connection()
        driver: asyncpg.Connection = connection.driver_connection
        return await driver.fetchrow(self.sql, *args)
