"""What every service's Alembic `env.py` does: migrate its own schema, online, with asyncpg.

And what runs it on a deployment: `python -m shared.migrations upgrade <service>` (see
`shared.migrations._upgrade`), the init container of each schema-owning Deployment and
compose's `<service>-migrate`.
"""

import asyncio
import re

import sqlalchemy as sa
from alembic import context, op
from sqlalchemy import MetaData, pool, text
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Connection
from sqlalchemy.ext.asyncio import create_async_engine

from shared.migrations._upgrade import upgrade

__all__ = ["create_messaging_tables", "drop_messaging_tables", "run_migrations", "upgrade"]


_PARTITION = re.compile(r".+_p\d{8}")


def run_migrations(metadata: MetaData, *, schema: str, database_url: str) -> None:
    """Call from env.py. The version table lives in the service's schema, not `public`."""

    def migrate(connection: Connection) -> None:
        context.configure(
            connection=connection,
            target_metadata=metadata,
            version_table_schema=schema,
            include_schemas=False,
            compare_type=True,
            # Autogenerate would otherwise offer to drop the tables no model declares: the version
            # table, and the partitions a service makes at run time (brain's `readings_p20261205`).
            include_name=lambda name, type_, parent: (
                not (type_ == "table" and (name == "alembic_version" or _PARTITION.fullmatch(name or "")))
            ),
        )
        with context.begin_transaction():
            context.run_migrations()

    async def main() -> None:
        engine = create_async_engine(database_url, poolclass=pool.NullPool)
        async with engine.connect() as connection:
            await connection.execute(text(f'SET search_path TO "{schema}"'))
            await connection.run_sync(migrate)
            await connection.commit()
        await engine.dispose()

    if context.is_offline_mode():
        context.configure(url=database_url, target_metadata=metadata, version_table_schema=schema, literal_binds=True)
        with context.begin_transaction():
            context.run_migrations()
        return
    asyncio.run(main())


def create_messaging_tables() -> None:
    """The outbox and inbox of `shared.events.messaging_tables`, for a service's first migration."""
    op.create_table(
        "outbox",
        sa.Column("id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("subject", sa.String(255), nullable=False),
        sa.Column("payload", postgresql.JSONB(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True)),
        sa.PrimaryKeyConstraint("id", name="pk_outbox"),
    )
    op.create_index("ix_outbox_unpublished", "outbox", ["id"], postgresql_where=sa.text("published_at IS NULL"))
    op.create_table(
        "inbox",
        sa.Column("consumer", sa.String(100), nullable=False),
        sa.Column("event_id", postgresql.UUID(as_uuid=True), nullable=False),
        sa.Column("event_type", sa.Text(), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id", name="pk_inbox"),
    )


def drop_messaging_tables() -> None:
    op.drop_table("inbox")
    op.drop_table("outbox")
