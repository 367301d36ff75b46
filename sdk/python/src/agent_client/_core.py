"""The machinery under both clients: an operation is declared once (`Endpoint`: method and
path), bound to a client it becomes a method; the sync client answers values, the async one
awaitables. Retries on 429 honour `Retry-After` / `X-RateLimit-Reset`; pages iterate."""

import json
import re
import time
from collections.abc import AsyncIterator, Iterator
from typing import Any, ClassVar
from urllib.parse import quote

import httpx

from agent_client._documented import documented
from agent_client.errors import error_for
from agent_client.models import ChatEvent

_PARAM = re.compile(r"\{(\w+)\}")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})


class Endpoint:
    """`list_fields = Endpoint("GET", "/api/parcelas/")` in a resource class: an operation of
    the gateway. Called with its path parameters (positionally or by name), then keyword
    fields: the JSON body of a POST, PUT or PATCH, the query of a GET or DELETE (or pass
    `json=` / `params=` explicitly)."""

    # (method, path, "Resource.name") of every operation the SDK calls.
    registry: ClassVar[list[tuple[str, str, str]]] = []

    def __init__(
        self,
        method: str,
        path: str,
        *,
        public: bool = False,
        query: tuple[str, ...] = (),
        headers: dict[str, str] | None = None,
    ) -> None:
        self.method = method
        self.path = path
        self.public = public  # no token needed
        self.query = query  # keywords that go in the query string of a POST, PUT or PATCH
        self.headers = headers or {}  # keywords sent as headers: {"guest_token": "X-Guest-Token"}
        self.names = _PARAM.findall(path)
        self.name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        Endpoint.registry.append((self.method, self.path, f"{owner.__name__}.{name}"))

    def __get__(self, resource: Any, owner: type | None = None) -> Any:
        return self if resource is None else Bound(self, resource._client)

    def request(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """The path with its parameters filled in, and httpx's options (query or body)."""
        values = dict(zip(self.names, args, strict=False))
        if len(args) > len(self.names):
            raise TypeError(f"{self.name}() takes {len(self.names)} path parameters: {self.names}")
        for name in self.names[len(args) :]:
            if name not in kwargs:
                raise TypeError(f"{self.name}() needs '{name}'")
            values[name] = kwargs.pop(name)
        path = _PARAM.sub(lambda m: quote(str(values[m.group(1)]), safe=""), self.path)
        options: dict[str, Any] = {}
        named = {header: kwargs.pop(name, None) for name, header in self.headers.items()}
        headers = {header: str(value) for header, value in named.items() if value is not None}
        headers.update(kwargs.pop("headers", None) or {})
        if headers:
            options["headers"] = headers
        explicit_json, explicit_params = kwargs.pop("json", None), kwargs.pop("params", None)
        self.check(kwargs)
        if self.method in _BODY_METHODS:
            in_query = {name: kwargs.pop(name) for name in self.query if name in kwargs}
            explicit_params = {**in_query, **(explicit_params or {})}
            body = explicit_json if explicit_json is not None else (kwargs or None)
            if body is not None:
                options["json"] = body
            if explicit_params:
                options["params"] = explicit_params
        else:
            query = {**kwargs, **(explicit_params or {})}
            if query:
                options["params"] = {k: v for k, v in query.items() if v is not None}
        return path, options

    def check(self, kwargs: dict[str, Any]) -> None:
        """A TypeError, before any request, for a keyword the operation does not document
        (`create_field(nombre=..., variedad=1)`: 004 names it `variedad_id`)."""
        known = documented().get(f"{self.method} {self.path}")
        if known is None or (self.method in _BODY_METHODS and known["body"] is None):
            return
        accepted = set(known["query"] or ()) | set(known["body"] or ())
        unknown = sorted(set(kwargs) - accepted)
        if unknown:
            raise TypeError(
                f"{self.name}() got unknown keyword argument(s) {', '.join(map(repr, unknown))}; "
                f"{self.method} {self.path} takes: {', '.join(sorted(accepted)) or 'none'} "
                "(json=, params= and headers= pass anything as is)"
            )


class Bound:
    """An endpoint of one client: call it, or `.iterate(...)` over every item of its pages."""

    def __init__(self, endpoint: Endpoint, client: Any) -> None:
        self.endpoint = endpoint
        self.client = client

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        path, options = self.endpoint.request(args, dict(kwargs))
        # A public operation needs no token: sent when the client has one, never asked for.
        anonymous = self.endpoint.public and self.client.token is None
        return self.client._send(self.endpoint.method, path, anonymous=anonymous, **options)

    def iterate(self, *args: Any, **kwargs: Any) -> Any:
        path, options = self.endpoint.request(args, dict(kwargs))
        return self.client._pages(path, options.get("params", {}), options.get("headers"))


def items_of(page: Any) -> tuple[list[Any], dict[str, Any] | None]:
    """A page's items and what asks for the next one: 004/000's `{count, next, previous,
    results}` (the next URL's page), 003's `{"chats", "pagination"}` (page + 1), 002's
    one-list answers (`{"conversations": [...]}`, `{"tools": [...]}`: one page), or None."""
    if isinstance(page, dict) and "results" in page:
        following = page.get("next")
        if not following:
            return page["results"], None
        query = dict(httpx.URL(following).params)
        return page["results"], query
    if isinstance(page, dict) and isinstance(page.get("pagination"), dict):
        listing = next((v for k, v in page.items() if k != "pagination" and isinstance(v, list)), [])
        info = page["pagination"]
        return listing, ({"page": info["current_page"] + 1} if info.get("has_next") else None)
    if isinstance(page, dict):
        lists = [v for v in page.values() if isinstance(v, list)]
        if len(lists) == 1:
            return lists[0], None
    return (page if isinstance(page, list) else [page]), None


def wait_for(response: httpx.Response) -> float:
    """How long a 429 asks to wait: `Retry-After` (seconds), else until `X-RateLimit-Reset` (Unix time)."""
    retry_after = response.headers.get("retry-after")
    if retry_after and retry_after.replace(".", "", 1).isdigit():
        return float(retry_after)
    reset = response.headers.get("x-ratelimit-reset")
    if reset and reset.replace(".", "", 1).isdigit():
        return max(0.0, float(reset) - time.time())
    return 1.0


def retry_wait(response: httpx.Response, attempt: int, max_retries: int, max_wait: float) -> float | None:
    """The wait before retrying a 429, or None to raise it now: retries are spent, or the
    gateway asks for longer than `max_wait` (a daily quota: `RateLimited.reset_at` tells when)."""
    if response.status_code != 429 or attempt >= max_retries:
        return None
    wait = wait_for(response)
    return wait if wait <= max_wait else None


def parsed(response: httpx.Response) -> Any:
    if response.status_code >= 400:
        try:
            body: Any = response.json()
        except ValueError:
            body = response.text
        raise error_for(response.status_code, body, dict(response.headers))
    if response.status_code == 204 or not response.content:
        return None
    if "json" in response.headers.get("content-type", ""):
        return response.json()
    return response.text


class SseParser:
    """Server-Sent Events, a line at a time: `feed` answers the event a blank line completes."""

    def __init__(self) -> None:
        self.event_id: str | None = None
        self.data: list[str] = []

    def feed(self, line: str) -> ChatEvent | None:
        if line.startswith("id:"):
            self.event_id = line[3:].strip()
        elif line.startswith("data:"):
            self.data.append(line[5:].lstrip())
        elif not line.strip() and self.data:
            event = ChatEvent.model_validate({**json.loads("\n".join(self.data)), "id": self.event_id})
            self.event_id, self.data = None, []
            return event
        return None


def sse_events(lines: Iterator[str]) -> Iterator[ChatEvent]:
    parser = SseParser()
    for line in lines:
        if (event := parser.feed(line)) is not None:
            yield event


async def async_sse_events(lines: AsyncIterator[str]) -> AsyncIterator[ChatEvent]:
    parser = SseParser()
    async for line in lines:
        if (event := parser.feed(line)) is not None:
            yield event


def operation(method: str, path: str) -> Any:
    """Marks a hand-written SDK method as the one for `method path` (for the surface test)."""

    def mark(function: Any) -> Any:
        Endpoint.registry.append((method, path, function.__qualname__))
        return function

    return mark
