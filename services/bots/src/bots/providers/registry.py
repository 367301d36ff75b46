"""Provider clients built from a workspace's integrations, kept while the integration is
unchanged (their connection pools are reused). Every call to a provider's URL goes through
the SSRF guard of `shared.outbound`: a base URL is a URL a user gave."""

from dataclasses import dataclass
from datetime import datetime
from typing import cast

import anthropic
import httpx2
import openai

from bots.providers.base import Provider, ProviderFailed
from bots.providers.catalog import OPENAI_COMPATIBLE
from bots.providers.claude import Claude
from bots.providers.local import Local
from bots.providers.openai_compatible import OpenAICompatible
from shared.crypto import SecretCipher
from shared.outbound import GuardedTransport, OutboundPolicy


class NotConfigured(ProviderFailed):
    def __init__(self, kind: str) -> None:
        super().__init__(f"el espacio no tiene una integración activa de {kind}", retryable=True)


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


class Providers:
    def __init__(self, cipher: SecretCipher, policy: OutboundPolicy, *, timeout: float, max_retries: int) -> None:
        self.cipher = cipher
        self.policy = policy
        self.timeout = timeout
        self.max_retries = max_retries
        self._retired: list[httpx2.AsyncClient] = []
        # integration id -> (its version, the provider, the HTTP client under it)
        self._clients: dict[int, tuple[tuple[int, datetime], Provider, httpx2.AsyncClient]] = {}

    def get(self, kind: str, credentials: Credentials | None) -> Provider:
        if kind == "local":
            return Local()
        if credentials is None:
            raise NotConfigured(kind)
        known = self._clients.get(credentials.integration_id)
        if known is not None and known[0] == credentials.version:
            return known[1]
        if known is not None:  # the integration changed: a new client, the old one's pool closed
            self._retired.append(known[2])
        # Redirects are followed by the client, each hop through the guard (duck-typed: the
        # guard serves httpx's transports and httpx2's alike).
        guarded = cast(httpx2.AsyncBaseTransport, GuardedTransport(httpx2.AsyncHTTPTransport(), self.policy))
        http = httpx2.AsyncClient(
            transport=guarded,
            follow_redirects=True,
            timeout=self.timeout,
        )
        provider = self._build(credentials, http)
        self._clients[credentials.integration_id] = (credentials.version, provider, http)
        return provider

    def _build(self, credentials: Credentials, http: httpx2.AsyncClient) -> Provider:
        sealed = credentials.api_key_sealed
        api_key = self.cipher.open(sealed).decode() if sealed else None
        if credentials.kind == "anthropic":
            client = anthropic.AsyncAnthropic(
                api_key=api_key or "", base_url=credentials.base_url,
                timeout=self.timeout, max_retries=self.max_retries, http_client=http,
            )  # fmt: skip
            return Claude(client)
        # Local servers (Ollama, vLLM...) take any key; the SDK insists on one.
        base_url = credentials.base_url or OPENAI_COMPATIBLE[credentials.kind]
        compatible = openai.AsyncOpenAI(
            api_key=api_key or "no-key", base_url=base_url,
            timeout=self.timeout, max_retries=self.max_retries, http_client=http,
        )  # fmt: skip
        return OpenAICompatible(credentials.kind, compatible)

    async def close_retired(self) -> None:
        retired, self._retired = self._retired, []
        for http in retired:
            await http.aclose()

    async def aclose(self) -> None:
        await self.close_retired()
        for _, _, http in self._clients.values():
            await http.aclose()
        self._clients.clear()
