"""The relay of a proxied answer: CORS headers as Starlette's middleware adds them, streams
ending with their client, read timeouts per piece (no stack)."""

import asyncio
import contextlib
import itertools
from urllib.parse import quote

import pytest
from starlette.datastructures import Headers
from starlette.middleware.cors import CORSMiddleware
from starlette.types import Message, Receive, Scope, Send

from devstack.rawhttp import serving
from devstack.waiting import eventually
from gateway.cors import SimpleCors
from gateway.proxy import _PATH_SAFE, _QUERY_SAFE, UPSTREAM_KEEPALIVE_SECONDS, RelayedStream, upstream_target
from shared.http1 import UpstreamPool
from shared.serve import KEEP_ALIVE_SECONDS

RawHeaders = list[tuple[bytes, bytes]]

ANSWERS: list[RawHeaders] = [
    [(b"content-type", b"application/json")],
    [(b"vary", b"Accept-Encoding"), (b"content-type", b"text/html")],
    [(b"vary", b"Accept"), (b"x-a", b"1"), (b"vary", b"Cookie")],
    [(b"access-control-allow-origin", b"https://other.example"), (b"vary", b"Origin")],
    [(b"access-control-expose-headers", b"X-Mine"), (b"set-cookie", b"a=1"), (b"set-cookie", b"b=2")],
]


async def _noop(scope: Scope, receive: Receive, send: Send) -> None:
    pass


@pytest.mark.parametrize("allow_origins", [["*"], ["https://app.example"], []])
@pytest.mark.parametrize("credentials", [False, True])
@pytest.mark.parametrize("origin", [None, b"https://app.example", b"https://evil.example"])
@pytest.mark.parametrize("answer", ANSWERS)
async def test_a_proxied_answer_gets_the_cors_headers_of_starlettes_middleware(
    allow_origins: list[str], credentials: bool, origin: bytes | None, answer: RawHeaders
) -> None:
    middleware = CORSMiddleware(
        _noop,
        allow_origins=allow_origins,
        allow_methods=["*"],
        allow_headers=["*"],
        allow_credentials=credentials,
        expose_headers=["X-Request-ID", "X-RateLimit-Limit"],
    )
    request: RawHeaders = [(b"host", b"gw"), *([(b"origin", origin)] if origin else [])]
    scope: Scope = {"type": "http", "method": "GET", "headers": request}
    sent: list[Message] = []

    async def capture(message: Message) -> None:
        sent.append(message)

    start: Message = {"type": "http.response.start", "status": 200, "headers": list(answer)}
    await middleware.send(start, send=capture, request_headers=Headers(scope=scope))

    ours = list(answer)
    simple = SimpleCors(middleware)
    simple.apply(simple.origin(scope), ours)
    assert ours == sent[0]["headers"]


def test_only_an_options_with_origin_and_a_requested_method_is_a_preflight() -> None:
    def scope(method: str, *headers: tuple[bytes, bytes]) -> Scope:
        return {"type": "http", "method": method, "headers": list(headers)}

    origin = (b"origin", b"https://app.example")
    asks = (b"access-control-request-method", b"POST")
    cases = [
        (scope("OPTIONS", origin, asks), True),
        (scope("OPTIONS", origin), False),
        (scope("OPTIONS", asks), False),
        (scope("POST", origin, asks), False),
    ]
    for case, preflight in cases:
        assert SimpleCors.is_preflight(case, SimpleCors.origin(case)) is preflight


async def test_a_client_leaving_a_stream_closes_the_services_connection() -> None:
    service_saw_the_end = asyncio.Event()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        try:
            for n in itertools.count():  # an endless stream, as long as someone reads it
                piece = b"data: %d\n\n" % n
                writer.write(b"%x\r\n%s\r\n" % (len(piece), piece))
                await writer.drain()
                await asyncio.sleep(0.01)
        except ConnectionError:
            service_saw_the_end.set()

    async with serving(serve) as (url, _):
        pool = UpstreamPool(connect_timeout=1.0, read_timeout=2.0, keepalive_expiry=2.0)
        answer = await pool.request(pool.upstream(url), "GET", b"/sse", [], None)
        sent: list[Message] = []
        client_left = asyncio.Event()

        async def receive() -> Message:
            await client_left.wait()
            return {"type": "http.disconnect"}

        async def send(message: Message) -> None:
            sent.append(message)
            if len(sent) == 3:  # the head and two pieces: the client goes
                client_left.set()

        await asyncio.wait_for(RelayedStream(answer, [])({"type": "http"}, receive, send), 5)
        await asyncio.wait_for(service_saw_the_end.wait(), 5)
        assert sent[1] == {"type": "http.response.body", "body": b"data: 0\n\n", "more_body": True}
        assert pool._idle_count == 0  # the unfinished answer's connection was not kept
        await pool.aclose()


async def test_a_stream_outlasting_the_read_timeout_goes_on_while_pieces_keep_coming() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n")
        for _ in range(8):  # 0.8 s in all, a piece every 0.1 s: each within the 0.3 s timeout
            await asyncio.sleep(0.1)
            writer.write(b"2\r\nok\r\n")
            await writer.drain()
        writer.write(b"0\r\n\r\n")
        await writer.drain()
        with contextlib.suppress(asyncio.IncompleteReadError):
            await reader.readuntil(b"\r\n\r\n")

    async with serving(serve) as (url, _):
        pool = UpstreamPool(connect_timeout=1.0, read_timeout=0.3, keepalive_expiry=2.0)
        answer = await pool.request(pool.upstream(url), "GET", b"/sse", [], None)
        assert await answer.read() == b"ok" * 8
        assert await eventually(lambda: pool._idle_count == 1, "the connection is kept")
        await pool.aclose()


@pytest.mark.parametrize(
    ("raw_path", "query"),
    [
        (b"/api/parcelas/", b""),
        (b"/api/parcelas/12/", b"page=2&size=10"),
        (b"/a%2Fb/c:d@e!$&'()*+,;=-._~", b"q=[1]&r=a?b"),
        (b"/with space/", b""),
        (b"/caf\xc3\xa9/", b"q=caf\xc3\xa9"),
        (b"/x", b'q=a b&c=<d>|"e"^`{}'),
        (b"/x\\y", b"q=%ZZ#frag"),
    ],
)
def test_a_target_is_forwarded_as_quote_would_write_it(raw_path: bytes, query: bytes) -> None:
    expected = quote(raw_path.decode("latin-1"), safe=_PATH_SAFE)
    if query:
        expected += "?" + quote(query.decode("latin-1"), safe=_QUERY_SAFE)
    scope: Scope = {"raw_path": raw_path, "path": raw_path.decode("latin-1"), "query_string": query}
    assert upstream_target(scope) == expected.encode("ascii")


def test_idle_connections_are_dropped_well_before_the_services_close_them() -> None:
    """A POST on a connection the service is closing fails with a 502: the services (run by
    `shared.serve`) keep an idle connection longer than the gateway's pool reuses one."""
    assert UPSTREAM_KEEPALIVE_SECONDS <= KEEP_ALIVE_SECONDS - 10
