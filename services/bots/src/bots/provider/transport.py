"""The provider SDKs' HTTP transport: httpx2's interface over `shared.http1`'s pool.

The SDKs (`openai`, `anthropic`) build each request and read each answer through an httpx2
client; under it, httpx2's own transport parses answers with h11 through httpcore's and anyio's
layers, which cost 0.07-0.1 ms of every event of a streamed answer before bots could pass it on
(issue 25). This transport sends the SDK's request as one write and gives back the answer's
body as httptools parsed it on arrival; the SDK's headers, retries, errors and decoding stay
the SDK's and httpx2's. It does not speak to proxies: a client that must use one keeps httpx2's
transport (see `bots.provider.registry`).

What httpx2's transports honour, this one does: the request's `timeout` extension (connect,
read, pool; None waits for ever), `sni_hostname` (the SSRF guard connects to a checked address
and keeps the name for TLS), and httpcore's `trace` extension, which is told
`http11.send_request_body.complete` once the request is written (`bots.provider.sent`).
Header names and values with CR, LF or NUL are refused, as h11 refused them (a user's API key
goes into one). Failures are httpx2's exceptions.

"""

import math
import re
import ssl
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import httpx2

from shared.http1 import Answer, Upstream, UpstreamBroken, UpstreamError, UpstreamPool, UpstreamTimedOut

__all__ = ["Http1Transport"]

# httpx2's defaults (`httpx2.Limits()`, `httpx2.Timeout(5.0)`), for requests that carry no
# timeout of their own; the SDKs always set one.
_MAX_CONNECTIONS = 100
_MAX_IDLE = 20
_KEEPALIVE_SECONDS = 5.0
_DEFAULT_TIMEOUT = 5.0
# Parsed destinations kept for reuse, at most.
_MAX_UPSTREAMS = 256

# Headers the pool writes itself (Host from the upstream, Content-Length from the body) or that
# would contradict the one body it sends.
_OWN_HEADERS = frozenset({b"host", b"content-length", b"transfer-encoding"})
_NOT_IN_HEADERS = re.compile(rb"[\r\n\0]")
_TIMEOUTS: dict[str, type[httpx2.TimeoutException]] = {
    "pool": httpx2.PoolTimeout,
    "connect": httpx2.ConnectTimeout,
    "read": httpx2.ReadTimeout,
}


def _seconds(timeouts: dict[str, float | None], phase: str) -> float | None:
    """A phase's timeout as the pool takes it: not given, the default (None); None, none (inf)."""
    if phase not in timeouts:
        return None
    given = timeouts[phase]
    return math.inf if given is None else given


def _failure(exc: UpstreamError, request: httpx2.Request) -> httpx2.TransportError:
    """httpx2's exception for what went wrong, as its own transport would raise it."""
    if isinstance(exc, UpstreamTimedOut):
        return _TIMEOUTS[exc.phase](str(exc), request=request)
    if isinstance(exc, UpstreamBroken):
        return httpx2.RemoteProtocolError(str(exc), request=request)
    return httpx2.ConnectError(str(exc), request=request)


class _Body(httpx2.AsyncByteStream):
    """An answer's body as it arrives; closing it early closes its connection."""

    def __init__(self, answer: Answer, request: httpx2.Request) -> None:
        self._answer = answer
        self._request = request

    async def __aiter__(self) -> AsyncIterator[bytes]:
        try:
            while chunk := await self._answer.next_chunk():
                yield chunk
        except UpstreamError as exc:
            raise _failure(exc, self._request) from exc

    async def aclose(self) -> None:
        self._answer.close()


class Http1Transport(httpx2.AsyncBaseTransport):
    def __init__(self, ssl_context: ssl.SSLContext | None = None) -> None:
        # Made on first use of HTTPS: loading the system's certificates takes a while.
        self._ssl_context = ssl_context
        self._pool = UpstreamPool(
            connect_timeout=_DEFAULT_TIMEOUT, read_timeout=_DEFAULT_TIMEOUT, keepalive_expiry=_KEEPALIVE_SECONDS,
            max_connections=_MAX_CONNECTIONS, max_idle=_MAX_IDLE,
        )  # fmt: skip
        self._upstreams: dict[tuple[str, str, int, bytes, str | None], Upstream] = {}

    def _upstream(self, request: httpx2.Request) -> Upstream:
        url = request.url
        scheme = url.scheme
        if scheme not in ("http", "https"):
            raise httpx2.UnsupportedProtocol(f"{scheme!r} is not http or https", request=request)
        port = url.port or (443 if scheme == "https" else 80)
        host = url.raw_host.decode("ascii")  # IDNA-encoded, as httpcore connects
        host_header = request.headers.get("host", "").encode("ascii") or url.netloc
        server_hostname = request.extensions.get("sni_hostname") if scheme == "https" else None
        key = (scheme, host, port, host_header, server_hostname)
        found = self._upstreams.get(key)
        if found is None:
            if len(self._upstreams) >= _MAX_UPSTREAMS:  # a name whose addresses keep changing
                self._upstreams.clear()  # (equal Upstreams share their pooled connections)
            tls = None
            if scheme == "https":
                if self._ssl_context is None:
                    self._ssl_context = httpx2.create_ssl_context()
                tls = self._ssl_context
            found = self._upstreams[key] = Upstream(host.strip("[]"), port, host_header, tls, server_hostname or host)
        return found

    async def handle_async_request(self, request: httpx2.Request) -> httpx2.Response:
        upstream = self._upstream(request)
        content = await request.aread()
        # No body and no length said: none sent (a GET); an empty POST still says length 0.
        body = content if content or "content-length" in request.headers else None
        headers = [(name, value) for name, value in request.headers.raw if name.lower() not in _OWN_HEADERS]
        for name, value in headers:
            if _NOT_IN_HEADERS.search(name) or _NOT_IN_HEADERS.search(value):
                raise httpx2.LocalProtocolError("a header name or value holds CR, LF or NUL", request=request)
        timeouts: dict[str, float | None] = request.extensions.get("timeout", {})
        trace: Callable[[str, dict[str, Any]], Awaitable[None]] | None = request.extensions.get("trace")

        async def sent() -> None:
            assert trace is not None
            await trace("http11.send_request_body.complete", {"request": request})

        try:
            answer = await self._pool.request(
                upstream, request.method, request.url.raw_path, headers, body,
                read_timeout=_seconds(timeouts, "read"), connect_timeout=_seconds(timeouts, "connect"),
                pool_timeout=_seconds(timeouts, "pool"), sent=sent if trace is not None else None,
            )  # fmt: skip
        except UpstreamError as exc:
            raise _failure(exc, request) from exc
        return httpx2.Response(
            answer.status, headers=answer.headers, stream=_Body(answer, request), request=request,
            extensions={"http_version": b"HTTP/1.1"},
        )  # fmt: skip

    async def aclose(self) -> None:
        await self._pool.aclose()
