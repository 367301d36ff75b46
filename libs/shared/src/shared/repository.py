"""Helpers for repositories and services: the only layer that builds queries.

Endpoints never import this module (an import-linter contract says so).
"""

from collections.abc import Sequence
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Boolean, DateTime, Select, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Mapped, mapped_column

from shared.errors import InvalidRequest, NotFound
from shared.pagination import PageParams

__all__ = ["ReadModel", "apply_deletion", "apply_newer", "assign", "fetch_page", "get_or_404", "save_unique"]

T = TypeVar("T")


class ReadModel:
    """Declarative mixin: the columns a read model kept from another service's events needs for
    `apply_newer` and `apply_deletion`. The same columns every read model wrote by hand before
    (so no migration changes): `deleted` BOOLEAN NOT NULL, `version` TIMESTAMPTZ NOT NULL.
    """

    # A tombstone: the row's subject was deleted; a late upsert must not bring it back.
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    # The `occurred_at` of the event that last wrote the row: an older one changes nothing.
    version: Mapped[datetime] = mapped_column(DateTime(timezone=True))


async def get_or_404(session: AsyncSession, model: type[T], ident: int, *, tenant_id: int | None = None) -> T:
    """The row, or NotFound; with `tenant_id`, another workspace's row is not found either."""
    row = await session.get(model, ident)
    if row is None or (tenant_id is not None and getattr(row, "tenant_id", None) != tenant_id):
        raise NotFound()
    return row


def assign(row: Any, values: dict[str, Any]) -> None:
    """Set the given columns of `row` (a validated partial update)."""
    for name, value in values.items():
        setattr(row, name, value)


async def save_unique(
    session: AsyncSession, row: Any, *, field: str, message: str, detail: str = "Datos inválidos."
) -> None:
    """Add and flush `row` in a savepoint; a unique-constraint clash becomes InvalidRequest on `field`.

    The database decides (no check-then-insert race); the savepoint keeps the outer
    transaction usable after the clash.
    """
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError as exc:
        raise InvalidRequest(detail, fields={field: [message]}) from exc


async def fetch_page(session: AsyncSession, query: Select[Any], params: PageParams) -> tuple[int, Sequence[Any]]:
    """(total count, the page's rows) of an ORM `select(...)`; the query carries its own order."""
    count = await session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = (await session.scalars(query.offset(params.offset).limit(params.page_size))).all()
    return int(count or 0), rows


async def apply_newer(
    session: AsyncSession, model: type[Any], key: dict[str, Any], values: dict[str, Any], version: datetime
) -> None:
    """Upsert a read-model row from an event unless a newer event already wrote it.

    `model` has `version` (the event's `occurred_at`) and `deleted` columns: consumers of
    different subjects run side by side, so an upsert may arrive after the delete it preceded,
    and a tombstone must win.
    """
    statement = insert(model).values(**key, **values, version=version, deleted=False)
    await session.execute(
        statement.on_conflict_do_update(
            index_elements=list(key),
            set_={**values, "version": version},
            where=(model.version < statement.excluded.version) & ~model.deleted,
        )
    )


async def apply_deletion(
    session: AsyncSession, model: type[Any], key: dict[str, Any], version: datetime, **placeholders: Any
) -> None:
    """Mark the row deleted (a tombstone), creating it with `placeholders` if it was never seen."""
    statement = insert(model).values(**key, **placeholders, version=version, deleted=True)
    await session.execute(
        statement.on_conflict_do_update(index_elements=list(key), set_={"deleted": True, "version": version})
    )
