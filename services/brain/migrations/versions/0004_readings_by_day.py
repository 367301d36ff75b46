"""readings partitioned by UTC day; daily aggregates; the plans' retention on subscriptions

Revision ID: 0004
Revises: 0003

`readings` becomes a table partitioned by range of `t`, one partition per UTC day
(`readings_pYYYYMMDD`), so that retention drops whole days instead of deleting rows. In one
transaction: the old table is renamed aside, the partitioned one created with the same columns
and key, a partition made for every day the old rows hold (and for yesterday to a week ahead,
as brain makes them), every row moved, the old table dropped. `daily` starts from `hourly`
(UTC days), as brain keeps it from then on. The subscriptions' retention columns stay null
until agro's next event for them: brain applies the defaults meanwhile.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None

S = "brain"
RETENTION = ["retencion_lecturas_dias", "retencion_horaria_meses", "retencion_diaria_anios"]
COLUMNS = "parcela_id, parametro, t, nodo_codigo, valor, unidad, tenant_id, stored_at"


def _readings_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("parcela_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("parametro", sa.String(length=100), nullable=False),
        sa.Column("t", sa.DateTime(timezone=True), nullable=False),
        sa.Column("nodo_codigo", sa.String(length=100), nullable=False),
        sa.Column("valor", sa.Float(), nullable=False),
        sa.Column("unidad", sa.String(length=20), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
    ]


def upgrade() -> None:
    for name in RETENTION:
        op.add_column("subscriptions", sa.Column(name, sa.Integer(), nullable=True), schema=S)

    op.create_table(
        "daily",
        sa.Column("parcela_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("parametro", sa.String(length=100), nullable=False),
        sa.Column("day", sa.DateTime(timezone=True), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("lo", sa.Float(), nullable=False),
        sa.Column("hi", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("parcela_id", "parametro", "day", name=op.f("pk_daily")),
        schema=S,
    )
    op.execute(f"""
        INSERT INTO {S}.daily (parcela_id, parametro, day, n, total, lo, hi)
        SELECT parcela_id, parametro, date_trunc('day', hour AT TIME ZONE 'UTC') AT TIME ZONE 'UTC',
            sum(n), sum(total), min(lo), max(hi)
        FROM {S}.hourly GROUP BY 1, 2, 3
    """)

    op.execute(f"ALTER TABLE {S}.readings RENAME TO readings_unpartitioned")
    op.execute(f"ALTER TABLE {S}.readings_unpartitioned RENAME CONSTRAINT pk_readings TO pk_readings_unpartitioned")
    op.create_table(
        "readings",
        *_readings_columns(),
        sa.PrimaryKeyConstraint("parcela_id", "parametro", "t", "nodo_codigo", name=op.f("pk_readings")),
        schema=S,
        postgresql_partition_by="RANGE (t)",
    )
    op.execute(f"""
        DO $$
        DECLARE
            today date := (now() AT TIME ZONE 'UTC')::date;
            d date;
        BEGIN
            FOR d IN
                SELECT DISTINCT (t AT TIME ZONE 'UTC')::date FROM {S}.readings_unpartitioned
                UNION SELECT generate_series(today - 1, today + 7, interval '1 day')::date
            LOOP
                EXECUTE format(
                    'CREATE TABLE {S}.%I PARTITION OF {S}.readings FOR VALUES FROM (%L) TO (%L)',
                    'readings_p' || to_char(d, 'YYYYMMDD'),
                    d::timestamp AT TIME ZONE 'UTC', (d + 1)::timestamp AT TIME ZONE 'UTC'
                );
            END LOOP;
        END $$
    """)
    op.execute(f"INSERT INTO {S}.readings ({COLUMNS}) SELECT {COLUMNS} FROM {S}.readings_unpartitioned")
    op.drop_table("readings_unpartitioned", schema=S)


def downgrade() -> None:
    op.create_table(
        "readings_unpartitioned",
        *_readings_columns(),
        sa.PrimaryKeyConstraint("parcela_id", "parametro", "t", "nodo_codigo", name="pk_readings_unpartitioned"),
        schema=S,
    )
    op.execute(f"INSERT INTO {S}.readings_unpartitioned ({COLUMNS}) SELECT {COLUMNS} FROM {S}.readings")
    op.drop_table("readings", schema=S)  # and every partition with it
    op.execute(f"ALTER TABLE {S}.readings_unpartitioned RENAME TO readings")
    op.execute(f"ALTER TABLE {S}.readings RENAME CONSTRAINT pk_readings_unpartitioned TO pk_readings")
    op.drop_table("daily", schema=S)
    for name in RETENTION:
        op.drop_column("subscriptions", name, schema=S)
