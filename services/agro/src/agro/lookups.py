"""Small helpers every agro service module uses."""

from typing import Any, TypeVar

from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import InvalidRequest, NotFound

T = TypeVar("T")


async def get_or_404(session: AsyncSession, model: type[T], ident: int, *, tenant_id: str | None = None) -> T:
    """The row, or 404; with `tenant_id`, another workspace's row is a 404 too."""
    row = await session.get(model, ident)
    if row is None or (tenant_id is not None and getattr(row, "tenant_id", None) != tenant_id):
        raise NotFound()
    return row


def assign(row: Any, values: dict[str, Any]) -> None:
    for name, value in values.items():
        setattr(row, name, value)


async def save_unique(
    session: AsyncSession, row: Any, *, field: str, message: str, detail: str = "Datos inválidos."
) -> None:
    """Add and flush `row` in a savepoint; a unique-constraint clash becomes a 400 on `field`.

    The database decides (no check-then-insert race); the savepoint keeps the outer
    transaction usable after the clash.
    """
    try:
        async with session.begin_nested():
            session.add(row)
            await session.flush()
    except IntegrityError as exc:
        raise InvalidRequest(detail, fields={field: [message]}) from exc
