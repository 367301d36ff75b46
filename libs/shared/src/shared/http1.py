"""A lean HTTP/1.1 client: keep-alive connections, one request at a time each, for the
platform's hot paths (the gateway's proxy, bots' streamed provider answers).

httpx's client and httpcore's pool under it were the largest share of the gateway's CPU per
proxied request (py-spy during `bench/gateway.py`: auth, redirect and cookie layers, anyio's
cancel scopes, a `poll()` per checkout to learn whether a pooled socket was still open), and
h11's parsing with httpcore2's and httpx2's layers over it cost bots 0.07-0.1 ms of every event
of a streamed answer (issue 25). Here a pooled connection is an asyncio protocol that hears its
own close (`connection_lost`), an answer is parsed by httptools (uvicorn's parser) as its bytes
arrive, and a request is one write. It speaks HTTP/1.1 over TCP or TLS, to an address given
(no proxies: a caller behind one keeps httpx or httpx2). 1xx answers are skipped.
"""

import asyncio
import collections
import functools
import ipaddress
import itertools
import math
import socket
import ssl
import time
from asyncio.staggered import staggered_race
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Literal, cast

import httptools

__all__ = [
    "Answer",
    "Upstream",
    "UpstreamBroken",
    "UpstreamError",
    "UpstreamPool",
    "UpstreamTimedOut",
    "UpstreamUnreachable",
]

# A streamed answer the client reads slower than the service writes: stop reading the
# service's socket past this much buffered, go on once the client has taken it.
_HIGH_WATER = 256 * 1024


class UpstreamError(Exception):
    """No (whole) answer from the service."""


class UpstreamUnreachable(UpstreamError):
    """No connection could be made (the service is down or not listening)."""


class UpstreamTimedOut(UpstreamError):
    """Waiting for a free connection (`pool`), connecting (`connect`), or for the answer or its
    next piece (`read`) took too long."""

    def __init__(self, message: str, *, phase: Literal["pool", "connect", "read"]) -> None:
        super().__init__(message)
        self.phase = phase


class UpstreamBroken(UpstreamError):
    """The connection closed or spoke something other than HTTP/1.1 before the answer was whole.

    `reused`: it happened on a pooled connection, which the service may have been closing just
    as it was taken (a request that is safe to repeat is repeated once on a fresh one)."""

    def __init__(self, message: str, *, reused: bool) -> None:
        super().__init__(message)
        self.reused = reused


class _Connection(asyncio.Protocol):
    """One keep-alive connection; its answer's status, headers and body as httptools parses them."""

    def __init__(self, loop: asyncio.AbstractEventLoop, read_timeout: float) -> None:
        self.loop = loop
        self.read_timeout = read_timeout
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.reused = False
        self.idle_since = 0.0
        self._parser = httptools.HttpResponseParser(self)
        self._waiter: asyncio.Future[None] | None = None
        self._error: UpstreamError | None = None
        # One read timer per connection, moved on by each wait rather than made and cancelled
        # per wait (twice per request, once per streamed chunk).
        self._deadline = 0.0
        self._timer: asyncio.TimerHandle | None = None
        self._reset()

    def _reset(self) -> None:
        self.status = 0
        self.headers: list[tuple[bytes, bytes]] = []
        self.headers_done = False
        self.complete = False
        self.keep_alive = False
        self.until_close = False  # no length and not chunked: the body ends with the connection
        self.informational = False  # a 1xx answer before the real one (100 Continue, 103 Early Hints)
        self.chunks: collections.deque[bytes] = collections.deque()
        self._buffered = 0
        self._paused = False

    # -- asyncio.Protocol
    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        self.transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass

    def data_received(self, data: bytes) -> None:
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(UpstreamBroken(f"not an HTTP/1.1 answer: {exc}", reused=self.reused))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self.headers_done and self.until_close and not self.complete:
            self.complete = True
        elif not self.complete:
            self._error = self._error or UpstreamBroken(f"connection closed: {exc!r}", reused=self.reused)
        self._wake()

    # -- httptools callbacks
    def on_header(self, name: bytes, value: bytes) -> None:
        self.headers.append((name, value))

    def on_headers_complete(self) -> None:
        status = self._parser.get_status_code()
        if 100 <= status < 200 and status != 101:
            self.informational = True  # skipped: the answer follows on the same connection
            self.headers = []
            return
        self.status = status
        self.headers_done = True
        names = {name.lower() for name, _ in self.headers}
        self.until_close = b"content-length" not in names and b"transfer-encoding" not in names
        self._wake()

    def on_body(self, body: bytes) -> None:
        if not body:
            return  # an empty chunk would read as the body's end
        self.chunks.append(body)
        self._buffered += len(body)
        if self._buffered > _HIGH_WATER and not self._paused and self.transport is not None:
            self._paused = True
            self.transport.pause_reading()
        self._wake()

    def on_message_complete(self) -> None:
        if self.informational:
            self.informational = False
            return
        self.complete = True
        self.keep_alive = self._parser.should_keep_alive()
        self._wake()

    # -- used by the pool and the answer
    def send(self, request: bytes, read_timeout: float) -> None:
        self._reset()
        self._error = None
        self.read_timeout = read_timeout
        assert self.transport is not None
        self.transport.write(request)

    async def wait(self) -> None:
        """Until something more of the answer came (or it failed, or the read timeout passed;
        `math.inf`: no read timeout)."""
        if self._error is not None:
            raise self._error
        waiter = self._waiter = self.loop.create_future()
        self._deadline = self.loop.time() + self.read_timeout
        # The timer set for an earlier, longer wait would fire too late for this one.
        if self._deadline != math.inf and (self._timer is None or self._timer.when() > self._deadline):
            if self._timer is not None:
                self._timer.cancel()
            self._timer = self.loop.call_at(self._deadline, self._check_deadline)
        try:
            await waiter
        finally:
            self._waiter = None
        if self._error is not None:
            raise self._error

    def take(self) -> bytes:
        data = b"".join(self.chunks)
        self.chunks.clear()
        self._buffered = 0
        if self._paused and self.transport is not None and not self.closed:
            self._paused = False
            self.transport.resume_reading()
        return data

    def close(self) -> None:
        self.closed = True
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self.transport is not None:
            self.transport.close()

    def _wake(self) -> None:
        if self._waiter is not None and not self._waiter.done():
            self._waiter.set_result(None)

    def _fail(self, error: UpstreamError) -> None:
        self._error = error
        self.close()
        self._wake()

    def _check_deadline(self) -> None:
        """Time out a wait that passed its deadline; a later wait moved it on: look again then."""
        self._timer = None
        if self._waiter is None or self.closed:
            return  # nobody waiting: the next wait arms it again
        if self.loop.time() >= self._deadline:
            self._fail(UpstreamTimedOut("the service did not answer in time", phase="read"))
        elif self._deadline != math.inf:
            self._timer = self.loop.call_at(self._deadline, self._check_deadline)


class Answer:
    """A service's answer: status and raw headers at once, the body read whole or streamed."""

    def __init__(self, pool: "UpstreamPool", key: "Upstream", connection: _Connection, *, head: bool) -> None:
        self._pool = pool
        self._key = key
        self._connection = connection
        self._head = head  # a HEAD's answer has a length and no body
        self._done = False
        self.status = connection.status
        self.headers = connection.headers

    def header(self, name: bytes) -> bytes | None:
        """The first value of header `name` (lower case)."""
        return next((value for key, value in self.headers if key.lower() == name), None)

    async def read(self) -> bytes:
        parts = []
        while chunk := await self.next_chunk():
            parts.append(chunk)
        return b"".join(parts)

    async def stream(self) -> AsyncIterator[bytes]:
        try:
            while chunk := await self.next_chunk():
                yield chunk
        finally:
            self.close()

    async def next_chunk(self) -> bytes:
        """What came of the body since the last call, waiting for something; b"" at its end
        (then, or on an error, the connection is given back or closed)."""
        connection = self._connection
        try:
            while not self._head:
                if connection.chunks:
                    return connection.take()
                if connection.complete:
                    break
                await connection.wait()
        except BaseException:
            self.close()
            raise
        self.close()
        return b""

    async def aclose(self) -> None:
        self.close()

    def close(self) -> None:
        """Give the connection back if the answer was read to its end, else close it."""
        if self._done:
            return
        self._done = True
        connection = self._connection
        reusable = connection.complete and connection.keep_alive and not connection.closed and not self._head
        if reusable and not connection.chunks:
            self._pool.release(self._key, connection)
        else:
            connection.close()
            self._pool.release(self._key, None)


@dataclass(frozen=True)
class Upstream:
    """Where requests go: an address (a name or an IP), the Host header they carry and, for
    HTTPS, the TLS context and the name the certificate must have. Connections are pooled per
    Upstream."""

    host: str
    port: int
    host_header: bytes
    tls: ssl.SSLContext | None = None
    server_hostname: str | None = None


class UpstreamPool:
    """Connections kept per upstream: an idle one is reused within `keepalive_expiry` (later, it
    is closed when next met), at most `max_idle` of them. Timeouts are seconds, `math.inf`
    for none."""

    def __init__(
        self,
        *,
        connect_timeout: float,
        read_timeout: float,
        keepalive_expiry: float,
        max_connections: int = 500,
        max_idle: int = 100,
    ) -> None:
        self.connect_timeout = connect_timeout
        self.read_timeout = read_timeout
        self.keepalive_expiry = keepalive_expiry
        self.max_idle = max_idle
        self._idle: dict[Upstream, list[_Connection]] = {}
        self._idle_count = 0
        self._slots = asyncio.Semaphore(max_connections)
        self._upstreams: dict[str, Upstream] = {}
        self._swept_at = 0.0
        self._closed = False

    def upstream(self, base_url: str) -> Upstream:
        """`http://host:port` (a service's base URL) parsed once. (HTTPS: build an `Upstream`
        with its TLS context.)"""
        found = self._upstreams.get(base_url)
        if found is None:
            if not base_url.startswith("http://"):
                raise ValueError(f"not an http:// base URL: {base_url!r}")
            netloc = base_url.split("://", 1)[1].split("/", 1)[0]
            host, _, port = netloc.rpartition(":") if netloc.rsplit(":", 1)[-1].isdigit() else (netloc, "", "80")
            found = self._upstreams[base_url] = Upstream(host.strip("[]"), int(port), netloc.encode("ascii"))
        return found

    async def request(
        self,
        upstream: Upstream,
        method: str,
        target: bytes,
        headers: list[tuple[bytes, bytes]],
        body: bytes | None,
        *,
        read_timeout: float | None = None,
        connect_timeout: float | None = None,
        pool_timeout: float | None = None,
        sent: Callable[[], Awaitable[None]] | None = None,
    ) -> Answer:
        """Send the request and wait for the answer's status and headers.

        `headers` without Host (the upstream's) or Content-Length (the body's); the timeouts
        default to the pool's (`pool_timeout`, for a free connection, to the read timeout);
        `sent` is awaited once the request is written."""
        read_timeout = self.read_timeout if read_timeout is None else read_timeout
        pool_timeout = read_timeout if pool_timeout is None else pool_timeout
        head = [method.encode("ascii"), b" ", target, b" HTTP/1.1\r\nhost: ", upstream.host_header, b"\r\n"]
        for name, value in headers:
            head += (name, b": ", value, b"\r\n")
        if body is not None:
            head += (b"content-length: ", str(len(body)).encode("ascii"), b"\r\n")
        head.append(b"\r\n")
        if body:
            head.append(body)
        if self._slots.locked():
            try:
                await asyncio.wait_for(self._slots.acquire(), _bounded(pool_timeout))
            except TimeoutError as exc:
                raise UpstreamTimedOut("no free connection to the service in time", phase="pool") from exc
        else:
            await self._slots.acquire()
        connection: _Connection | None = None
        try:
            connection = self._take(upstream) or await self._connect(upstream, connect_timeout)
            connection.send(b"".join(head), read_timeout)
            if sent is not None:
                await sent()
            while not connection.headers_done:
                await connection.wait()
        except BaseException:
            if connection is not None:
                connection.close()
            self._slots.release()
            raise
        return Answer(self, upstream, connection, head=method == "HEAD")

    def release(self, key: Upstream, connection: _Connection | None) -> None:
        self._slots.release()
        if connection is None:
            return
        if self._idle_count >= self.max_idle:
            self._make_room()
        if self._closed or self._idle_count >= self.max_idle:
            connection.close()
            return
        connection.idle_since = time.monotonic()
        connection.reused = True
        self._idle.setdefault(key, []).append(connection)
        self._idle_count += 1

    def _take(self, key: Upstream) -> _Connection | None:
        idle = self._idle.get(key)
        if not idle:
            return None
        now = time.monotonic()
        found = None
        while idle and found is None:
            connection = idle.pop()  # the most recently used: least likely to be closing
            self._idle_count -= 1
            if self._reusable(connection, now):
                found = connection
            else:
                connection.close()
        if not idle:
            del self._idle[key]
        return found

    def _reusable(self, connection: _Connection, now: float) -> bool:
        """Still open, and idle for less than `keepalive_expiry`."""
        return not connection.closed and now - connection.idle_since < self.keepalive_expiry

    def _make_room(self) -> None:
        """Room for one more idle connection: at most once a second, those closed or expired go;
        else the one idle longest. (Addresses change, a provider's DNS rotates: connections to
        an address no longer used must not keep the room from those in use.)"""
        now = time.monotonic()
        if now - self._swept_at >= 1.0:
            self._swept_at = now
            for key, idle in list(self._idle.items()):
                kept = []
                for connection in idle:
                    if self._reusable(connection, now):
                        kept.append(connection)
                    else:
                        connection.close()
                self._idle_count -= len(idle) - len(kept)
                if kept:
                    self._idle[key] = kept
                else:
                    del self._idle[key]
        if self._idle_count < self.max_idle or not self._idle:
            return
        key, idle = min(self._idle.items(), key=lambda item: item[1][0].idle_since)  # each list is oldest first
        idle.pop(0).close()
        self._idle_count -= 1
        if not idle:
            del self._idle[key]

    async def _connect(self, upstream: Upstream, timeout: float | None) -> _Connection:
        try:
            return await asyncio.wait_for(_open(upstream, self.read_timeout), _bounded(
                self.connect_timeout if timeout is None else timeout))  # fmt: skip
        except TimeoutError as exc:
            raise UpstreamTimedOut("the service did not accept a connection in time", phase="connect") from exc
        except OSError as exc:  # TLS failures (ssl.SSLError) included
            raise UpstreamUnreachable(f"cannot connect: {exc}") from exc

    async def aclose(self) -> None:
        """Close the idle connections; one in use is closed when its answer gives it back."""
        self._closed = True
        for idle in self._idle.values():
            for connection in idle:
                connection.close()
        self._idle.clear()
        self._idle_count = 0


def _bounded(timeout: float) -> float | None:
    """A timeout as asyncio takes it (None: none)."""
    return None if timeout == math.inf else timeout


async def _open(upstream: Upstream, read_timeout: float) -> _Connection:
    """A connection to `upstream`. A name's addresses are tried as RFC 8305 says (what httpcore
    did through anyio; uvloop's `create_connection` has no `happy_eyeballs_delay`): families
    alternating, the next attempt started when one fails or after 0.25 s without an answer,
    so an address that silently drops packets does not cost the whole connect timeout."""
    loop = asyncio.get_running_loop()

    async def connect(host: str) -> _Connection:
        _, connection = await loop.create_connection(
            lambda: _Connection(loop, read_timeout), host, upstream.port, ssl=upstream.tls,
            server_hostname=(upstream.server_hostname or upstream.host) if upstream.tls else None,
        )  # fmt: skip
        return connection

    try:
        ipaddress.ip_address(upstream.host)
    except ValueError:
        pass
    else:
        return await connect(upstream.host)
    infos = await loop.getaddrinfo(upstream.host, upstream.port, type=socket.SOCK_STREAM)
    addresses = _interleaved([(info[0], str(info[4][0])) for info in infos])
    connected, _, errors = await staggered_race([functools.partial(connect, a) for a in addresses], 0.25)
    if connected is None:
        failures = "; ".join(str(error) for error in errors if error is not None)
        raise OSError(f"no address of {upstream.host} answered: {failures}")
    return cast(_Connection, connected)


def _interleaved(found: Sequence[tuple[int, str]]) -> list[str]:
    """Addresses as (family, address) in the resolver's order: the first family's first, then
    the other family's, alternating (RFC 8305, section 4); each once."""
    first = [address for family, address in found if family == found[0][0]]
    other = [address for family, address in found if family != found[0][0]]
    merged = [address for pair in itertools.zip_longest(first, other) for address in pair if address is not None]
    return list(dict.fromkeys(merged))
