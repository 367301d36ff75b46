"""read models of agro, readings, hourly aggregates, sensors, suggestions, alerts, tasks

Revision ID: 0001
Revises:
"""

import sqlalchemy as sa
from alembic import op

from shared.migrations import create_messaging_tables, drop_messaging_tables

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

S = "brain"


def _versioned() -> list[sa.Column]:
    return [
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("version", sa.DateTime(timezone=True), nullable=False),
    ]


def upgrade() -> None:
    create_messaging_tables()
    op.create_table(
        "fields",
        sa.Column("parcela_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("usuario_id", sa.BigInteger(), nullable=False),
        sa.Column("variedad_id", sa.BigInteger(), nullable=True),
        sa.Column("fecha_siembra", sa.Date(), nullable=True),
        sa.Column("etapa_fijada_id", sa.BigInteger(), nullable=True),
        *_versioned(),
        sa.PrimaryKeyConstraint("parcela_id", name=op.f("pk_fields")),
        schema=S,
    )
    op.create_index(op.f("ix_fields_tenant_id"), "fields", ["tenant_id"], schema=S)
    op.create_table(
        "stages",
        sa.Column("etapa_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("variedad_id", sa.BigInteger(), nullable=False),
        sa.Column("nombre", sa.String(length=100), nullable=False),
        sa.Column("orden", sa.Integer(), nullable=False),
        sa.Column("duracion_dias", sa.Integer(), nullable=False),
        *_versioned(),
        sa.PrimaryKeyConstraint("etapa_id", name=op.f("pk_stages")),
        schema=S,
    )
    op.create_index(op.f("ix_stages_variedad_id"), "stages", ["variedad_id"], schema=S)
    op.create_table(
        "rules",
        sa.Column("regla_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("etapa_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("parametro", sa.String(length=100), nullable=False),
        sa.Column("minimo", sa.Float(), nullable=False),
        sa.Column("maximo", sa.Float(), nullable=False),
        sa.Column("accion_si_menor", sa.Text(), nullable=False),
        sa.Column("accion_si_mayor", sa.Text(), nullable=False),
        sa.Column("activo", sa.Boolean(), nullable=False),
        *_versioned(),
        sa.PrimaryKeyConstraint("regla_id", name=op.f("pk_rules")),
        schema=S,
    )
    op.create_index(op.f("ix_rules_etapa_id"), "rules", ["etapa_id"], schema=S)
    op.create_table(
        "subscriptions",
        sa.Column("suscripcion_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("parcela_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("estado", sa.String(length=20), nullable=False),
        sa.Column("frecuencia_minutos", sa.Integer(), nullable=True),
        *_versioned(),
        sa.PrimaryKeyConstraint("suscripcion_id", name=op.f("pk_subscriptions")),
        schema=S,
    )
    op.create_index(op.f("ix_subscriptions_parcela_id"), "subscriptions", ["parcela_id"], schema=S)
    op.create_table(
        "readings",
        sa.Column("parcela_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("parametro", sa.String(length=100), nullable=False),
        sa.Column("t", sa.DateTime(timezone=True), nullable=False),
        sa.Column("nodo_codigo", sa.String(length=100), nullable=False),
        sa.Column("valor", sa.Float(), nullable=False),
        sa.Column("unidad", sa.String(length=20), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("stored_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.PrimaryKeyConstraint("parcela_id", "parametro", "t", "nodo_codigo", name=op.f("pk_readings")),
        schema=S,
    )
    op.create_table(
        "hourly",
        sa.Column("parcela_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("parametro", sa.String(length=100), nullable=False),
        sa.Column("hour", sa.DateTime(timezone=True), nullable=False),
        sa.Column("n", sa.BigInteger(), nullable=False),
        sa.Column("total", sa.Float(), nullable=False),
        sa.Column("lo", sa.Float(), nullable=False),
        sa.Column("hi", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint("parcela_id", "parametro", "hour", name=op.f("pk_hourly")),
        schema=S,
    )
    op.create_table(
        "sensors",
        sa.Column("parcela_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("nodo_codigo", sa.String(length=100), nullable=False),
        sa.Column("parametro", sa.String(length=100), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("last_seen", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stale_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("parcela_id", "nodo_codigo", "parametro", name=op.f("pk_sensors")),
        schema=S,
    )
    op.create_table(
        "suggestions",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("parcela_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("regla_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("descripcion", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_suggestions")),
        schema=S,
    )
    op.create_index(
        "uq_suggestions_open",
        "suggestions",
        ["parcela_id", "regla_id"],
        unique=True,
        schema=S,
        postgresql_where=sa.text("closed_at IS NULL"),
    )
    op.create_table(
        "alerts",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("parcela_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("tipo", sa.String(length=20), nullable=False),
        sa.Column("severity", sa.String(length=10), nullable=False),
        sa.Column("regla_id", sa.BigInteger(), nullable=True),
        sa.Column("nodo_codigo", sa.String(length=100), nullable=True),
        sa.Column("parametro", sa.String(length=100), nullable=False),
        sa.Column("valor", sa.Float(), nullable=True),
        sa.Column("mensaje", sa.Text(), nullable=False),
        sa.Column("raised_at", sa.DateTime(timezone=True), server_default=sa.text("now()"), nullable=False),
        sa.Column("cleared_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
        schema=S,
    )
    op.create_index("ix_alerts_tenant_raised", "alerts", ["tenant_id", "raised_at"], schema=S)
    op.create_table(
        "tasks",
        sa.Column("tarea_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("parcela_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("origen", sa.String(length=10), nullable=False),
        sa.Column("regla_id", sa.BigInteger(), nullable=True),
        sa.Column("decision", sa.String(length=20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("tarea_id", name=op.f("pk_tasks")),
        schema=S,
    )
    op.create_index("ix_tasks_parcela_created", "tasks", ["parcela_id", "created_at"], schema=S)


def downgrade() -> None:
    for table in ("tasks", "alerts", "suggestions", "sensors", "hourly", "readings", "subscriptions", "rules",
                  "stages", "fields"):  # fmt: skip
        op.drop_table(table, schema=S)
    drop_messaging_tables()
