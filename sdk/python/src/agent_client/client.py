"""`AgentClient` (sync) and `AsyncAgentClient` (async): the same resources and methods.

    client = AgentClient(api_key="<token>")                       # a token, or
    client = AgentClient(username="ana@example.com", password="...")  # a login (002's)
    client.chat.send(conversation_id="conv_1", message="Lista las instancias")
    for event in client.chat.stream("¿Qué parcelas necesitan riego?"): ...
    for field in client.fields.list_fields.iterate(): ...

`base_url` defaults to `AGENT_CLIENT_BASE_URL`, else http://127.0.0.1:8000. Without a token or
a login the client still calls public operations (register, a guest's chat). A 429 is retried
(`max_retries` times) after the wait the gateway asks for when it is at most `max_retry_wait`
seconds; a longer one (a daily quota) raises `RateLimited` at once, with `reset_at`.
"""

import asyncio
import os
import time
from collections.abc import AsyncIterator, Callable, Iterator
from typing import Any

import httpx

from agent_client._core import async_sse_events, items_of, parsed, retry_wait, sse_events
from agent_client.errors import RateLimited, Unauthorized
from agent_client.models import ChatEvent
from agent_client.resources import (
    RESOURCES,
    Agents,
    Ai,
    ApiKeys,
    Auth,
    Bots,
    Brain,
    Catalog,
    Chat,
    Chats,
    Config,
    Conversations,
    DeskAgents,
    Documents,
    Fields,
    Guests,
    Invitations,
    Knowledge,
    LearnedApis,
    Members,
    Messages,
    Metrics,
    Nodes,
    Notifications,
    Plans,
    Profile,
    Prospects,
    Rbac,
    Rooms,
    Tasks,
    Tenants,
    Tools,
    Webhooks,
)

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
LOGIN_PATH = "/api/auth/login"


class _Client:
    catalog: Catalog
    plans: Plans
    fields: Fields
    nodes: Nodes
    tasks: Tasks
    auth: Auth
    rbac: Rbac
    profile: Profile
    prospects: Prospects
    tenants: Tenants
    members: Members
    invitations: Invitations
    api_keys: ApiKeys
    bots: Bots
    conversations: Conversations
    chat: Chat
    agents: Agents
    ai: Ai
    tools: Tools
    learned_apis: LearnedApis
    knowledge: Knowledge
    documents: Documents
    config: Config
    brain: Brain
    guests: Guests
    rooms: Rooms
    messages: Messages
    notifications: Notifications
    desk_agents: DeskAgents
    chats: Chats
    webhooks: Webhooks
    metrics: Metrics

    def __init__(
        self,
        api_key: str | None = None,
        *,
        base_url: str | None = None,
        username: str | None = None,
        password: str | None = None,
        max_retries: int = 3,
        max_retry_wait: float = 30.0,
    ) -> None:
        self.base_url = (base_url or os.environ.get("AGENT_CLIENT_BASE_URL") or DEFAULT_BASE_URL).rstrip("/")
        self.token = api_key
        self._login = (username, password) if username and password else None
        self.max_retries = max_retries
        self.max_retry_wait = max_retry_wait
        for name, resource in RESOURCES.items():
            setattr(self, name, resource(self))

    def _headers(self, extra: dict[str, str] | None, anonymous: bool) -> dict[str, str]:
        headers = {} if anonymous or not self.token else {"Authorization": f"Bearer {self.token}"}
        return {**headers, **(extra or {})}


class AgentClient(_Client):
    def __init__(self, api_key: str | None = None, *, timeout: float = 60, http: httpx.Client | None = None,
                 **options: Any) -> None:  # fmt: skip
        super().__init__(api_key, **options)
        self._http = http or httpx.Client(base_url=self.base_url, timeout=timeout)
        if self.token is None and self._login is not None:
            self.login(*self._login)

    def login(self, username: str, password: str) -> str:
        """002's JSON login; the token is used from then on."""
        body = self._send("POST", LOGIN_PATH, json={"username": username, "password": password}, anonymous=True)
        self.token = str(body["access_token"])
        return self.token

    def _send(self, method: str, path: str, *, transform: Callable[[Any], Any] | None = None,
              headers: dict[str, str] | None = None, anonymous: bool = False, **options: Any) -> Any:  # fmt: skip
        for attempt in range(self.max_retries + 1):
            response = self._http.request(method, path, headers=self._headers(headers, anonymous), **options)
            wait = retry_wait(response, attempt, self.max_retries, self.max_retry_wait)
            if wait is not None:
                time.sleep(wait)
                continue
            body = parsed(response)
            return transform(body) if transform else body
        raise AssertionError("unreachable")  # pragma: no cover

    def _stream(self, method: str, path: str, *, headers: dict[str, str] | None = None,
                **options: Any) -> Iterator[ChatEvent]:  # fmt: skip
        with self._http.stream(method, path, headers=self._headers(headers, False), **options) as response:
            if response.status_code >= 400:
                response.read()
                parsed(response)
            yield from sse_events(response.iter_lines())

    def _pages(self, path: str, params: dict[str, Any], headers: dict[str, str] | None,
               item: Callable[[Any], Any]) -> Iterator[Any]:  # fmt: skip
        query: dict[str, Any] | None = dict(params)
        while query is not None:
            items, query = items_of(self._send("GET", path, params={**params, **query}, headers=headers))
            yield from map(item, items)

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> "AgentClient":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class AsyncAgentClient(_Client):
    def __init__(self, api_key: str | None = None, *, timeout: float = 60, http: httpx.AsyncClient | None = None,
                 **options: Any) -> None:  # fmt: skip
        super().__init__(api_key, **options)
        self._http = http or httpx.AsyncClient(base_url=self.base_url, timeout=timeout)

    async def login(self, username: str, password: str) -> str:
        body = await self._send("POST", LOGIN_PATH, json={"username": username, "password": password}, anonymous=True)
        self.token = str(body["access_token"])
        return self.token

    async def _ready(self, anonymous: bool) -> None:
        if not anonymous and self.token is None and self._login is not None:
            await self.login(*self._login)

    async def _send(self, method: str, path: str, *, transform: Callable[[Any], Any] | None = None,
                    headers: dict[str, str] | None = None, anonymous: bool = False, **options: Any) -> Any:  # fmt: skip
        await self._ready(anonymous or path == LOGIN_PATH)
        for attempt in range(self.max_retries + 1):
            response = await self._http.request(method, path, headers=self._headers(headers, anonymous), **options)
            wait = retry_wait(response, attempt, self.max_retries, self.max_retry_wait)
            if wait is not None:
                await asyncio.sleep(wait)
                continue
            body = parsed(response)
            return transform(body) if transform else body
        raise AssertionError("unreachable")  # pragma: no cover

    async def _stream(self, method: str, path: str, *, headers: dict[str, str] | None = None,
                      **options: Any) -> AsyncIterator[ChatEvent]:  # fmt: skip
        await self._ready(False)
        async with self._http.stream(method, path, headers=self._headers(headers, False), **options) as response:
            if response.status_code >= 400:
                await response.aread()
                parsed(response)
            async for event in async_sse_events(response.aiter_lines()):
                yield event

    async def _pages(
        self, path: str, params: dict[str, Any], headers: dict[str, str] | None, item: Callable[[Any], Any]
    ) -> AsyncIterator[Any]:
        query: dict[str, Any] | None = dict(params)
        while query is not None:
            items, query = items_of(await self._send("GET", path, params={**params, **query}, headers=headers))
            for value in items:
                yield item(value)

    async def aclose(self) -> None:
        await self._http.aclose()

    async def __aenter__(self) -> "AsyncAgentClient":
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()


__all__ = ["AgentClient", "AsyncAgentClient", "RateLimited", "Unauthorized"]
