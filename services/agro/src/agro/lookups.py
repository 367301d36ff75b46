"""Small helpers every agro service module uses."""

from typing import Any, TypeVar

from sqlalchemy.ext.asyncio import AsyncSession

from shared.errors import NotFound

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
