"""Provider clients built from a workspace's integrations, kept while the integration is
unchanged (their connection pools are reused), and the platform's own providers, which serve
every workspace that has no integration of their kind. Every call to a workspace's provider
URL goes through the SSRF guard of `shared.outbound`: a base URL is a URL a user gave. The
platform's URLs are the operator's settings, trusted like the database's.

Requests go through `Http1Transport` (the lean client under the SDKs), except that while the
environment names a proxy (`HTTP_PROXY`, `HTTPS_PROXY`, `ALL_PROXY`; `NO_PROXY` alone is none),
the platform's providers keep httpx2's own transport, which speaks to it. (A workspace's never
did: the guard connects to the address it checked.)"""

import urllib.request
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import cast

import anthropic
import httpx2
import openai
from pydantic import SecretStr

from bots.config import Settings
from bots.errors import NotConfigured
from bots.provider.base import Provider
from bots.provider.catalog import OPENAI_COMPATIBLE
from bots.provider.claude import Claude
from bots.provider.local import Local
from bots.provider.openai_compatible import OpenAICompatible
from bots.provider.sent import announce_when_sent
from bots.provider.transport import Http1Transport
from shared.crypto import SecretCipher
from shared.outbound import GuardedTransport, OutboundPolicy

# What an operator sets to serve a provider kind to every workspace (named in refusals).
PLATFORM_SETTINGS = {
    "openai": "BOTS_OPENAI_API_KEY",
    "anthropic": "BOTS_ANTHROPIC_API_KEY",
    "ollama": "BOTS_OLLAMA_BASE_URL",
}


@dataclass(frozen=True)
class PlatformProvider:
    """A provider kind the platform offers every workspace, from the operator's settings."""

    kind: str
    base_url: str | None
    api_key: SecretStr | None  # masked in every repr and log line


def platform_providers(settings: Settings) -> dict[str, PlatformProvider]:
    """The kinds the operator configured (see `bots.config`)."""
    found: dict[str, PlatformProvider] = {}
    if settings.openai_api_key is not None or settings.openai_base_url:
        found["openai"] = PlatformProvider("openai", settings.openai_base_url, settings.openai_api_key)
    if settings.anthropic_api_key is not None:
        found["anthropic"] = PlatformProvider("anthropic", settings.anthropic_base_url, settings.anthropic_api_key)
    if settings.ollama_base_url:
        found["ollama"] = PlatformProvider("ollama", settings.ollama_base_url, None)
    return found


@dataclass(frozen=True)
class Credentials:
    """What a provider client needs, read from an integration; the key stays sealed until a
    client is built with it."""

    integration_id: int
    kind: str
    base_url: str | None
    api_key_sealed: bytes | None
    updated_at: datetime

    @property
    def version(self) -> tuple[int, datetime]:
        return self.integration_id, self.updated_at


def _proxy_configured() -> bool:
    """Whether the environment names a proxy, as httpx2 reads it (`urllib`'s `*_proxy`)."""
    proxies = urllib.request.getproxies()
    return any(proxies.get(scheme) for scheme in ("http", "https", "all"))


class Providers:
    def __init__(
        self,
        cipher: SecretCipher,
        policy: OutboundPolicy,
        *,
        timeout: float,
        max_retries: int,
        platform: Mapping[str, PlatformProvider] | None = None,
    ) -> None:
        self.cipher = cipher
        self.policy = policy
        self.timeout = timeout
        self.max_retries = max_retries
        self.platform = dict(platform or {})
        self._retired: list[httpx2.AsyncClient] = []
        # integration id -> (its version, the provider, the HTTP client under it)
        self._clients: dict[int, tuple[tuple[int, datetime], Provider, httpx2.AsyncClient]] = {}
        # kind -> the platform's provider of that kind, and its HTTP client
        self._platform_clients: dict[str, tuple[Provider, httpx2.AsyncClient]] = {}

    @property
    def platform_kinds(self) -> frozenset[str]:
        """The provider kinds every workspace has, through the platform, without an integration."""
        return frozenset(self.platform)

    def get(self, kind: str, credentials: Credentials | None) -> Provider:
        """The workspace's provider of `kind` (its integration's `credentials`), or else the
        platform's; NotConfigured when neither exists."""
        if kind == "local":
            return Local()
        if credentials is None:
            return self._platform_provider(kind)
        known = self._clients.get(credentials.integration_id)
        if known is not None and known[0] == credentials.version:
            return known[1]
        if known is not None:  # the integration changed: a new client, the old one's pool closed
            self._retired.append(known[2])
        # Redirects are followed by the client, each hop through the guard (duck-typed: the
        # guard serves httpx's transports and httpx2's alike).
        guarded = cast(httpx2.AsyncBaseTransport, GuardedTransport(Http1Transport(), self.policy))
        http = httpx2.AsyncClient(
            transport=guarded,
            follow_redirects=True,
            timeout=self.timeout,
            event_hooks={"request": [announce_when_sent]},
        )
        sealed = credentials.api_key_sealed
        api_key = self.cipher.open(sealed).decode() if sealed else None
        provider = self._build(credentials.kind, credentials.base_url, api_key, http)
        self._clients[credentials.integration_id] = (credentials.version, provider, http)
        return provider

    def _platform_provider(self, kind: str) -> Provider:
        known = self._platform_clients.get(kind)
        if known is not None:
            return known[0]
        offered = self.platform.get(kind)
        if offered is None:
            raise NotConfigured(kind)
        # The operator's own URL: no SSRF guard (an in-house server may well be private), and
        # no redirects followed, so the key goes nowhere else.
        http = httpx2.AsyncClient(
            transport=None if _proxy_configured() else Http1Transport(),
            follow_redirects=False, timeout=self.timeout, event_hooks={"request": [announce_when_sent]},
        )  # fmt: skip
        api_key = offered.api_key.get_secret_value() if offered.api_key is not None else None
        provider = self._build(kind, offered.base_url, api_key, http)
        self._platform_clients[kind] = (provider, http)
        return provider

    def _build(self, kind: str, base_url: str | None, api_key: str | None, http: httpx2.AsyncClient) -> Provider:
        if kind == "anthropic":
            client = anthropic.AsyncAnthropic(
                api_key=api_key or "", base_url=base_url,
                timeout=self.timeout, max_retries=self.max_retries, http_client=http,
            )  # fmt: skip
            return Claude(client)
        # Local servers (Ollama, vLLM...) take any key; the SDK insists on one.
        compatible = openai.AsyncOpenAI(
            api_key=api_key or "no-key", base_url=base_url or OPENAI_COMPATIBLE[kind],
            timeout=self.timeout, max_retries=self.max_retries, http_client=http,
        )  # fmt: skip
        return OpenAICompatible(kind, compatible)

    async def close_retired(self) -> None:
        retired, self._retired = self._retired, []
        for http in retired:
            await http.aclose()

    async def aclose(self) -> None:
        await self.close_retired()
        for _, _, http in self._clients.values():
            await http.aclose()
        self._clients.clear()
        for _, http in self._platform_clients.values():
            await http.aclose()
        self._platform_clients.clear()
