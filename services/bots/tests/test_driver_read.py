"""`DriverRead`: a Core SELECT that asyncpg runs itself on a session's connection, with the
values SQLAlchemy's own execution gives, before or inside the session's transaction."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import BigInteger, Column, DateTime, MetaData, String, Table, bindparam, func, literal, select
from sqlalchemy.dialects.postgresql import ARRAY, JSONB

from bots.turn.repository import DriverRead
from devstack.pytest_plugin import ScratchSchema
from shared.db import create_engine, create_sessionmaker

AT = datetime(2026, 12, 5, 10, 30, tzinfo=UTC)


def _things(schema: str) -> Table:
    return Table(
        "things", MetaData(schema=schema),
        Column("id", BigInteger, primary_key=True), Column("name", String(20)),
        Column("tags", ARRAY(String(20))), Column("extra", JSONB), Column("at", DateTime(timezone=True)),
    )  # fmt: skip


async def test_a_driver_read_gives_what_sqlalchemy_gives_before_and_inside_the_transaction(
    scratch_schema: ScratchSchema,
) -> None:
    things = _things(scratch_schema.name)
    engine = create_engine(scratch_schema.url, schema=scratch_schema.name, pool_size=1)
    try:
        async with engine.begin() as connection:
            await connection.run_sync(things.metadata.create_all)
            await connection.execute(things.insert(), [{"id": 1, "name": "uno", "tags": ["a", "b"],
                                                        "extra": {"k": [1]}, "at": AT}])  # fmt: skip
        statement = (
            select(things.c.name, things.c.tags, things.c.extra, things.c.at, literal("x").label("constant"),
                   func.count().over().label("total"))
            .where(things.c.id >= bindparam("id", type_=BigInteger), things.c.at >= bindparam("since"))
            .order_by(things.c.id)
        )  # fmt: skip
        read = DriverRead.of(statement)
        values = {"id": 1, "since": AT}
        async with create_sessionmaker(engine)() as session, session.begin():
            # As a turn does: the read first (no BEGIN sent yet), then writes, then a commit.
            first = await read.fetchrow(session, values)
            assert first is not None
            expected = (await session.execute(statement, values)).mappings().first()
            assert dict(first) == dict(expected or {})
            assert dict(first) == {"name": "uno", "tags": ["a", "b"], "extra": {"k": [1]}, "at": AT,
                                   "constant": "x", "total": 1}  # fmt: skip
            await session.execute(things.insert(), [{"id": 2, "name": "dos", "tags": [], "extra": None, "at": AT}])
            # Inside the transaction now: its own uncommitted row counts.
            inside = await read.fetchrow(session, values)
            assert inside is not None
            assert inside["total"] == 2
            with pytest.raises(KeyError):
                await read.fetchrow(session, {"id": 1})
        async with create_sessionmaker(engine)() as session:
            after = await read.fetchrow(session, {"id": 2, "since": AT})
            assert after is not None
            assert (after["name"], after["tags"], after["extra"]) == ("dos", [], None)  # committed
    finally:
        await engine.dispose()


def test_parameters_only_sqlalchemy_can_bind_are_refused() -> None:
    things = _things("s")
    with pytest.raises(ValueError, match="IN lists"):
        DriverRead.of(select(things.c.id).where(things.c.id.in_(bindparam("ids", expanding=True))))
    with pytest.raises(ValueError, match="IN lists"):
        DriverRead.of(select(things.c.id).where(things.c.id == bindparam("one", 1, literal_execute=True)))
