"""Each service's migrations, applied, build exactly what its models declare (`alembic check`).

A hand-written migration that drifts from the models (a missing index, another type, a column
left out) passes every test that goes through the ORM, and then differs in production from what
autogenerate would write next. This is `alembic check` (autogenerate's comparison) run on the
test engines, migrated once for the session, with the schema named on both sides: the services'
`env.py` compares with `include_schemas=False`, which reads the migrated tables without their
schema and so reports every foreign key and index of a schema-bound model as changed.
"""

import importlib

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Column, Index, Integer, MetaData, pool, text
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from devstack.catalog import discover
from devstack.stack import Stack

SCHEMA_OWNERS = [spec.name for spec in discover() if spec.schema]
# Columns kept outside the ORM on purpose: bots' pgvector embeddings (written with SQL of their own).
UNMAPPED = {("bots", "chunks", "embedding")}


def _describe(diff: object) -> str:
    if isinstance(diff, tuple) and len(diff) == 2 and isinstance(diff[1], Index):
        return f"{diff[0]} {diff[1].name}"
    return repr(diff)


def differences(connection: Connection, metadata: MetaData, schema: str) -> set[str]:
    """What autogenerate would write to bring `schema` to `metadata` (empty: they agree)."""
    # A partition is its parent's rows (brain's `readings_p<day>`), made at run time, not a model.
    partitions = set(
        connection.scalars(
            text(
                "SELECT c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace "
                "WHERE c.relispartition AND n.nspname = :schema"
            ),
            {"schema": schema},
        )
    )

    def included(name: str | None, type_: str, parent: dict[str, str | None]) -> bool:
        if type_ == "schema":
            return name == schema
        if type_ == "column" and (parent.get("schema_name"), parent.get("table_name"), name) in UNMAPPED:
            return False
        return not (type_ == "table" and (name == "alembic_version" or name in partitions))

    context = MigrationContext.configure(
        connection,
        opts={"include_schemas": True, "include_name": included, "compare_type": True, "target_metadata": metadata},
    )
    return {_describe(diff) for diff in compare_metadata(context, metadata)}


# bots' embeddings are pgvector's `vector`, a type SQLAlchemy reflects only with pgvector's dialect.
@pytest.mark.filterwarnings("ignore:Did not recognize type 'extensions.vector':sqlalchemy.exc.SAWarning")
@pytest.mark.parametrize("service", SCHEMA_OWNERS)
async def test_the_migrations_build_what_the_models_declare(platform_database: Stack, service: str) -> None:
    models = importlib.import_module(f"{service}.models")
    url = platform_database.superuser_dsn.replace("postgresql://", "postgresql+asyncpg://")
    engine = create_async_engine(url, poolclass=pool.NullPool)
    try:
        async with engine.connect() as connection:
            found = await connection.run_sync(differences, models.metadata, models.SCHEMA)
    finally:
        await engine.dispose()
    assert not found, f"{service}'s migrations differ from its models (`alembic check`): {sorted(found)}"


async def test_the_check_sees_a_planted_drift(platform_database: Stack) -> None:
    """A model that declares a column no migration created is reported."""
    models = importlib.import_module("agro.models")
    planted = MetaData(schema=models.SCHEMA)
    for table in models.metadata.tables.values():
        table.to_metadata(planted)
    planted.tables[f"{models.SCHEMA}.fields"].append_column(Column("planted_column", Integer))
    engine = create_async_engine(
        platform_database.superuser_dsn.replace("postgresql://", "postgresql+asyncpg://"), poolclass=pool.NullPool
    )
    try:
        async with engine.connect() as connection:
            found = await connection.run_sync(differences, planted, models.SCHEMA)
    finally:
        await engine.dispose()
    assert any("planted_column" in diff for diff in found), found
