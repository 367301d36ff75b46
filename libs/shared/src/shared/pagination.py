"""004's page-number pagination: `?page=&page_size=` -> `{count, next, previous, results}`."""

import math
from collections.abc import Sequence
from typing import Annotated, Any, Generic, TypeVar

from fastapi import Depends, Query, Request
from pydantic import BaseModel, ConfigDict

from shared.errors import NotFound

__all__ = ["MAX_PAGE_SIZE", "Page", "PageParams", "Pagination", "build_page", "public_url"]

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)
MAX_PAGE_SIZE = 100
# Far beyond any real listing, and small enough that the offset stays a 64-bit integer.
MAX_PAGE = 10**9


class PageParams(BaseModel):
    page: int = 1
    page_size: int = 20

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.page_size


def _page_example(schema: dict[str, Any], model: type[BaseModel]) -> None:
    """A page's documented example: one page holding the item model's first example."""
    args = model.__pydantic_generic_metadata__["args"]
    extra = getattr(args[0], "model_config", {}).get("json_schema_extra") if args else None
    examples = extra.get("examples") if isinstance(extra, dict) else None
    if isinstance(examples, list) and examples:
        schema["examples"] = [{"count": 1, "next": None, "previous": None, "results": examples[:1]}]


class Page(BaseModel, Generic[T]):
    model_config = ConfigDict(json_schema_extra=_page_example)

    count: int
    next: str | None
    previous: str | None
    results: list[T]


def _page_params(
    page: Annotated[int, Query(ge=1, le=MAX_PAGE, description="Página, desde 1")] = 1,
    page_size: Annotated[int, Query(ge=1, le=MAX_PAGE_SIZE, description="Elementos por página")] = 20,
) -> PageParams:
    return PageParams(page=page, page_size=page_size)


Pagination = Annotated[PageParams, Depends(_page_params)]


def public_url(request: Request) -> str:
    """The URL the client used, through the gateway's X-Forwarded-* headers."""
    url = request.url
    host = request.headers.get("x-forwarded-host")
    proto = request.headers.get("x-forwarded-proto")
    if host:
        url = url.replace(netloc=host)
    if proto:
        url = url.replace(scheme=proto)
    return str(url)


def build_page(request: Request, params: PageParams, *, count: int, results: Sequence[Any], item: type[M]) -> "Page[M]":
    """The page, its rows read as `item`; a page past the end answers 404 as DRF does."""
    last = max(1, math.ceil(count / params.page_size))
    if params.page > last:
        raise NotFound("Página inválida.")
    base = request.url.__class__(public_url(request))

    def link(page: int) -> str:
        return str(base.include_query_params(page=page, page_size=params.page_size))

    return Page[item](  # type: ignore[valid-type]
        count=count,
        next=link(params.page + 1) if params.page < last else None,
        previous=link(params.page - 1) if params.page > 1 else None,
        results=[row if isinstance(row, item) else item.model_validate(row, from_attributes=True) for row in results],
    )
