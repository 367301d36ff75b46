"""004's RBAC (modules, operations, roles, permissions) with seeded roles; profiles; prospects

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Frozen here on purpose: a migration must not change when application code does.
MODULES = [
    "administracion",
    "usuarios",
    "cultivos",
    "parcelas",
    "nodos",
    "tareas",
    "planes",
    "ia",
    "brain",
    "chat",
    "bots",
]
OPERATIONS = ["ver", "crear", "actualizar", "eliminar"]
ROLES = {
    "administrador": ("Administra su espacio de trabajo", dict.fromkeys(MODULES, OPERATIONS)),
    "tecnico": (
        "Instala y mantiene nodos",
        {"parcelas": ["ver"], "nodos": ["ver", "crear", "actualizar"], "tareas": ["ver", "actualizar"],
         "cultivos": ["ver"], "brain": ["ver"]},
    ),
    "agricultor": (
        "Gestiona sus parcelas y tareas",
        {"parcelas": OPERATIONS, "tareas": ["ver", "crear", "actualizar"], "nodos": ["ver"], "cultivos": ["ver"],
         "planes": ["ver"], "brain": ["ver"], "ia": ["ver", "crear"]},
    ),
    "agente": ("Agente de soporte del chat en vivo", {"chat": ["ver", "crear", "actualizar"]}),
}  # fmt: skip


def upgrade() -> None:
    op.add_column("tenants", sa.Column("is_active", sa.Boolean(), server_default=sa.true(), nullable=False))
    modules = op.create_table(
        "modules",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("nombre", sa.String(50), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_modules"),
        sa.UniqueConstraint("nombre", name="uq_modules_nombre"),
    )
    operations = op.create_table(
        "operations",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("module_id", sa.BigInteger(), nullable=False),
        sa.Column("nombre", sa.String(50), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_operations"),
        sa.ForeignKeyConstraint(
            ["module_id"], ["modules.id"], name="fk_operations_module_id_modules", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("module_id", "nombre", name="uq_operations_module_id"),
    )
    roles = op.create_table(
        "roles",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("nombre", sa.String(50), nullable=False),
        sa.Column("descripcion", sa.String(255), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_roles"),
        sa.UniqueConstraint("nombre", name="uq_roles_nombre"),
    )
    op.create_table(
        "permissions",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("role_id", sa.BigInteger(), nullable=False),
        sa.Column("module_id", sa.BigInteger(), nullable=False),
        sa.Column("operation_id", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_permissions"),
        sa.ForeignKeyConstraint(["role_id"], ["roles.id"], name="fk_permissions_role_id_roles", ondelete="CASCADE"),
        sa.ForeignKeyConstraint(
            ["module_id"], ["modules.id"], name="fk_permissions_module_id_modules", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["operation_id"], ["operations.id"], name="fk_permissions_operation_id_operations", ondelete="CASCADE"
        ),
        sa.UniqueConstraint("role_id", "operation_id", name="uq_permissions_role_id"),
    )
    op.create_index("ix_permissions_role_id", "permissions", ["role_id"])
    op.create_table(
        "profiles",
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("nombres", sa.String(150), nullable=False),
        sa.Column("apellidos", sa.String(150), nullable=False),
        sa.Column("telefono", sa.String(30), nullable=False),
        sa.Column("dni", sa.String(20), nullable=False),
        sa.Column("fecha_nacimiento", sa.Date()),
        sa.Column("experiencia_agricola", sa.Integer()),
        sa.PrimaryKeyConstraint("user_id", name="pk_profiles"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], name="fk_profiles_user_id_users", ondelete="CASCADE"),
    )
    op.create_table(
        "prospects",
        sa.Column("id", sa.BigInteger(), nullable=False),
        sa.Column("tenant_id", sa.BigInteger(), nullable=False),
        sa.Column("nombre_completo", sa.String(200), nullable=False),
        sa.Column("dni", sa.String(20), nullable=False),
        sa.Column("correo", sa.String(254), nullable=False),
        sa.Column("telefono", sa.String(30), nullable=False),
        sa.Column("ubicacion_parcela", sa.String(255), nullable=False),
        sa.Column("descripcion_terreno", sa.String(2000), nullable=False),
        sa.Column("estado", sa.String(20), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.func.now(), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_prospects"),
        sa.ForeignKeyConstraint(["tenant_id"], ["tenants.id"], name="fk_prospects_tenant_id_tenants"),
        sa.CheckConstraint("estado IN ('pendiente', 'aprobado', 'rechazado')", name="ck_prospects_estado"),
    )
    op.create_index("ix_prospects_tenant_id", "prospects", ["tenant_id"])

    conn = op.get_bind()
    module_ids = {}
    for name in MODULES:
        module_ids[name] = conn.execute(modules.insert().values(nombre=name).returning(modules.c.id)).scalar_one()
    operation_ids = {}
    for module in MODULES:
        for name in OPERATIONS:
            operation_ids[module, name] = conn.execute(
                operations.insert().values(module_id=module_ids[module], nombre=name).returning(operations.c.id)
            ).scalar_one()
    permissions = sa.table("permissions", sa.column("role_id"), sa.column("module_id"), sa.column("operation_id"))
    for role, (description, grants) in ROLES.items():
        role_id = conn.execute(
            roles.insert().values(nombre=role, descripcion=description).returning(roles.c.id)
        ).scalar_one()
        for module, names in grants.items():
            for name in names:
                conn.execute(
                    permissions.insert().values(
                        role_id=role_id, module_id=module_ids[module], operation_id=operation_ids[module, name]
                    )
                )
    op.create_foreign_key("fk_users_role_roles", "users", "roles", ["role"], ["nombre"], onupdate="CASCADE")


def downgrade() -> None:
    op.drop_constraint("fk_users_role_roles", "users", type_="foreignkey")
    for table in ("prospects", "profiles", "permissions", "roles", "operations", "modules"):
        op.drop_table(table)
    op.drop_column("tenants", "is_active")
