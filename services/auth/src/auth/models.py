"""auth's tables, all in schema `auth`."""

from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    UniqueConstraint,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from shared.db import make_metadata
from shared.events import messaging_tables

SCHEMA = "auth"
metadata = make_metadata(SCHEMA)
outbox_table, inbox_table = messaging_tables(metadata)


class Base(DeclarativeBase):
    metadata = metadata


class Tenant(Base):
    """A workspace (000's tenants). Every customer row elsewhere carries its id."""

    __tablename__ = "tenants"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True, server_default="true")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class User(Base):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey(Tenant.id), index=True)
    username: Mapped[str] = mapped_column(String(150), unique=True)
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    first_name: Mapped[str] = mapped_column(String(150), default="")
    last_name: Mapped[str] = mapped_column(String(150), default="")
    # The role's name (roles.nombre, ON UPDATE CASCADE): tokens and events carry names.
    role: Mapped[str] = mapped_column(ForeignKey("roles.nombre", onupdate="CASCADE"))
    is_active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_platform_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # Removed from the workspace (then also inactive): the row stays for audit.
    removed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


# An address is one account whatever its case (migration 0001 made it; declared here so that
# `alembic check` sees it).
Index("ix_users_email_lower", func.lower(User.email), unique=True)


class LoginName(Base):
    """Usernames and emails share one namespace, platform-wide and case-insensitive.

    A login string names at most one account: one user's username can never be another's
    email. Each user holds a row for its username and one for its email (one if they match).
    """

    __tablename__ = "login_names"

    name: Mapped[str] = mapped_column(String(254), primary_key=True)  # lower-cased
    user_id: Mapped[int] = mapped_column(ForeignKey(User.id, ondelete="CASCADE"), index=True)


class SigningKey(Base):
    """A signing key pair; the private half is encrypted at rest."""

    __tablename__ = "signing_keys"

    kid: Mapped[str] = mapped_column(String(64), primary_key=True)
    private_key: Mapped[bytes] = mapped_column(LargeBinary)
    public_jwk: Mapped[dict[str, str]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    # Retired keys stop signing but keep verifying until their last token has expired.
    retired_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class RevokedToken(Base):
    __tablename__ = "revoked_tokens"

    jti: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(BigInteger, index=True)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class Module(Base):
    """004's RBAC: a functional area (`parcelas`, `administracion`, ...)."""

    __tablename__ = "modules"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    nombre: Mapped[str] = mapped_column(String(50), unique=True)


class Operation(Base):
    __tablename__ = "operations"
    __table_args__ = (UniqueConstraint("module_id", "nombre"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    module_id: Mapped[int] = mapped_column(ForeignKey(Module.id, ondelete="CASCADE"))
    nombre: Mapped[str] = mapped_column(String(50))


class Role(Base):
    __tablename__ = "roles"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    nombre: Mapped[str] = mapped_column(String(50), unique=True)
    descripcion: Mapped[str] = mapped_column(String(255), default="")


class Permission(Base):
    """Role x module x operation. The operation belongs to the module (checked on write)."""

    __tablename__ = "permissions"
    __table_args__ = (UniqueConstraint("role_id", "operation_id"),)

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    role_id: Mapped[int] = mapped_column(ForeignKey(Role.id, ondelete="CASCADE"), index=True)
    module_id: Mapped[int] = mapped_column(ForeignKey(Module.id, ondelete="CASCADE"))
    operation_id: Mapped[int] = mapped_column(ForeignKey(Operation.id, ondelete="CASCADE"))


class Profile(Base):
    """004's PerfilUsuario, one per user."""

    __tablename__ = "profiles"

    user_id: Mapped[int] = mapped_column(ForeignKey(User.id, ondelete="CASCADE"), primary_key=True)
    nombres: Mapped[str] = mapped_column(String(150), default="")
    apellidos: Mapped[str] = mapped_column(String(150), default="")
    telefono: Mapped[str] = mapped_column(String(30), default="")
    dni: Mapped[str] = mapped_column(String(20), default="")
    fecha_nacimiento: Mapped[date | None] = mapped_column(Date)
    experiencia_agricola: Mapped[int | None] = mapped_column(Integer)


class Prospect(Base):
    """A prospective farmer's application, reviewed by the admins of `tenant_id`."""

    __tablename__ = "prospects"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey(Tenant.id), index=True)
    nombre_completo: Mapped[str] = mapped_column(String(200))
    dni: Mapped[str] = mapped_column(String(20))
    correo: Mapped[str] = mapped_column(String(254))
    telefono: Mapped[str] = mapped_column(String(30), default="")
    ubicacion_parcela: Mapped[str] = mapped_column(String(255), default="")
    descripcion_terreno: Mapped[str] = mapped_column(String(2000), default="")
    estado: Mapped[str] = mapped_column(String(20), default="pendiente")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())


class DeskAgent(Base):
    """chat's support agents as `chat.agent.updated` tells them: 003's login answer carries
    the caller's `agent` object from here (eventually consistent, no call to chat)."""

    __tablename__ = "desk_agents"

    user_id: Mapped[int] = mapped_column(BigInteger, primary_key=True, autoincrement=False)
    agent_id: Mapped[int] = mapped_column(BigInteger)
    is_available: Mapped[bool] = mapped_column(Boolean)
    current_active_chats: Mapped[int] = mapped_column(Integer)
    max_concurrent_chats: Mapped[int] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))


class Invitation(Base):
    """An invitation to join `tenant_id` with `role`; only the accept token's SHA-256 is kept."""

    __tablename__ = "invitations"

    id: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey(Tenant.id), index=True)
    email: Mapped[str] = mapped_column(String(254))
    role: Mapped[str] = mapped_column(ForeignKey("roles.nombre", onupdate="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    invited_by: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    accepted_user_id: Mapped[int | None] = mapped_column(BigInteger)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class ApiKey(Base):
    """A program's credential in a workspace, made by `user_id`; only the key's SHA-256 is kept.

    It grants `role`'s permissions, or the explicit `permissions`; never more than its maker holds.
    """

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    tenant_id: Mapped[int] = mapped_column(ForeignKey(Tenant.id), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey(User.id), index=True)
    name: Mapped[str] = mapped_column(String(100))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str | None] = mapped_column(ForeignKey("roles.nombre", onupdate="CASCADE"))
    permissions: Mapped[list[str] | None] = mapped_column(JSONB)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class LoginSession(Base):
    """One login (a refresh-token family): access tokens carry its id as `sid`."""

    __tablename__ = "login_sessions"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey(User.id), index=True)
    tenant_id: Mapped[int] = mapped_column(BigInteger)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # logout, reuse (an already-used refresh token came back), removed
    revoked_reason: Mapped[str | None] = mapped_column(String(20))


class RefreshToken(Base):
    """A single-use refresh token of a session; only its SHA-256 is kept."""

    __tablename__ = "refresh_tokens"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    session_id: Mapped[str] = mapped_column(ForeignKey(LoginSession.id, ondelete="CASCADE"), index=True)
    issued_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), server_default=func.now())
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
