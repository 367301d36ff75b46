"""The machinery under both clients: an operation is declared once (`Endpoint`: method and
path), bound to a client it becomes a method; the sync client answers values, the async one
awaitables. Retries on 429 honour `Retry-After` / `X-RateLimit-Reset`; pages iterate."""

import json
import re
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any, ClassVar, TypeVar
from urllib.parse import quote

import httpx

from agent_client._operations import OPERATIONS
from agent_client._spec import Operation
from agent_client.errors import error_for
from agent_client.models import ChatEvent

_PARAM = re.compile(r"\{(\w+)\}")
_BODY_METHODS = frozenset({"POST", "PUT", "PATCH"})
F = TypeVar("F", bound=Callable[..., Any])


def spec(method: str, path: str) -> Operation:
    """The generated description of `method path`. Looked up when called, not at import: an SDK
    whose paths and generated files are out of step still imports, and its tests name the drift."""
    found = OPERATIONS.get(f"{method} {path}")
    if found is None:
        raise LookupError(
            f"{method} {path} is not among the generated operations (agent_client/_operations.py): the SDK's "
            "method and the gateway's document differ; see agent_client._generate"
        )
    return found


class Endpoint:
    """`list_fields = Endpoint("GET", "/api/parcelas/")` in a resource class: an operation of
    the gateway. Called with its path parameters (positionally or by name), then keyword
    fields: the JSON body of a POST, PUT or PATCH, the query of a GET or DELETE, each checked
    against the operation's generated model before any request (or pass `json=` / `params=`
    as is). It answers the operation's model (`_spec.Operation.parse`); `.iterate()` yields
    a page's items as theirs. Its docstring is the operation's description."""

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
        self.query = query  # keywords the query string takes where the body has the same name
        self.headers = headers or {}  # keywords sent as headers: {"guest_token": "X-Guest-Token"}
        self.names = _PARAM.findall(path)
        self.name = ""
        described = OPERATIONS.get(f"{method} {path}")
        self.__doc__ = described.doc if described else f"`{method} {path}`"

    @property
    def spec(self) -> Operation:
        return spec(self.method, self.path)

    def __set_name__(self, owner: type, name: str) -> None:
        self.name = name
        Endpoint.registry.append((self.method, self.path, f"{owner.__name__}.{name}"))

    def __get__(self, resource: Any, owner: type | None = None) -> Any:
        return self if resource is None else Bound(self, resource._client)

    def request(self, args: tuple[Any, ...], kwargs: dict[str, Any]) -> tuple[str, dict[str, Any]]:
        """The path with its parameters filled in, and httpx's options (query, body, headers)."""
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
        # With json= (the caller's own body, sent as is) the keywords left are the query's.
        query, body = self.spec.split(self.name, kwargs, query_too=self.query, body=explicit_json is None)
        body = body if explicit_json is None else explicit_json
        params = {**query, **(explicit_params or {})}
        if params:
            options["params"] = params
        if self.method in _BODY_METHODS and (body or explicit_json is not None):
            options["data" if self.spec.body_kind == "form" else "json"] = body
        return path, options


class Bound:
    """An endpoint of one client: call it, or `.iterate(...)` over every item of its pages."""

    def __init__(self, endpoint: Endpoint, client: Any) -> None:
        self.endpoint = endpoint
        self.client = client
        self.__doc__ = endpoint.__doc__

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        path, options = self.endpoint.request(args, dict(kwargs))
        # A public operation needs no token: sent when the client has one, never asked for.
        anonymous = self.endpoint.public and self.client.token is None
        spec = self.endpoint.spec
        if spec.stream and (spec.answer is None or (options.get("json") or {}).get("stream") is True):
            # Server-Sent Events (asked for with `stream=True`, or the operation's only answer): typed events.
            return self.client._stream(spec.method, path, **options)
        return self.client._send(spec.method, path, anonymous=anonymous, transform=spec.parse, **options)

    def iterate(self, *args: Any, **kwargs: Any) -> Any:
        """Every item of every page (a page's items as their model)."""
        path, options = self.endpoint.request(args, dict(kwargs))
        return self.client._pages(path, options.get("params", {}), options.get("headers"), self.endpoint.spec.item)


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


def operation(method: str, path: str) -> Callable[[F], F]:
    """Marks a hand-written SDK method as the one for `method path` (for the surface test); its
    docstring becomes the operation's description, then what the method itself adds."""
    described = OPERATIONS.get(f"{method} {path}")

    def mark(function: F) -> F:
        Endpoint.registry.append((method, path, function.__qualname__))
        own = (function.__doc__ or "").strip()
        function.__doc__ = "\n\n".join(part for part in (described.doc if described else "", own) if part)
        return function

    return mark
