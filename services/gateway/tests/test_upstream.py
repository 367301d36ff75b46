"""The proxy's HTTP/1.1 client against small loopback servers (no stack)."""

import asyncio
import contextlib
from collections.abc import AsyncIterator, Awaitable, Callable

import pytest

from gateway.upstream import (
    UPSTREAM_KEEPALIVE_SECONDS,
    UpstreamBroken,
    UpstreamPool,
    UpstreamTimedOut,
    UpstreamUnreachable,
)
from shared.serve import KEEP_ALIVE_SECONDS

Serve = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@contextlib.asynccontextmanager
async def serving(serve: Serve) -> AsyncIterator[tuple[str, list[bytes]]]:
    """A loopback server; yields its base URL and every request head it read."""
    heads: list[bytes] = []

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with contextlib.suppress(asyncio.IncompleteReadError, ConnectionError):
            await serve(_Recording(reader, heads), writer)  # type: ignore[arg-type]
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    async with server:
        yield f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}", heads


class _Recording:
    def __init__(self, reader: asyncio.StreamReader, heads: list[bytes]) -> None:
        self.reader = reader
        self.heads = heads

    async def readuntil(self, separator: bytes) -> bytes:
        head = await self.reader.readuntil(separator)
        self.heads.append(head)
        return head

    async def readexactly(self, n: int) -> bytes:
        return await self.reader.readexactly(n)


def pool(read_timeout: float = 2.0) -> UpstreamPool:
    return UpstreamPool(connect_timeout=1.0, read_timeout=read_timeout, keepalive_expiry=2.0)


async def test_answers_are_read_whole_and_the_connection_is_kept() -> None:
    connections = 0

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            length = next((int(line.split(b":")[1]) for line in head.split(b"\r\n")
                           if line.lower().startswith(b"content-length:")), 0)  # fmt: skip
            body = await reader.readexactly(length)
            writer.write(b"HTTP/1.1 201 Created\r\nSet-Cookie: a=1\r\nSet-Cookie: b=2\r\nContent-Length: %d\r\n\r\n%s"
                         % (len(body) + 1, body + b"!"))  # fmt: skip
            await writer.drain()

    async with serving(serve) as (url, heads):
        client = pool()
        upstream = client.upstream(url)
        for n in range(3):
            answer = await client.request(upstream, "POST", b"/x?q=%d" % n, [(b"x-a", b"b")], b"hola")
            assert answer.status == 201
            assert [v for k, v in answer.headers if k.lower() == b"set-cookie"] == [b"a=1", b"b=2"]
            assert await answer.read() == b"hola!"
        await client.aclose()
    assert connections == 1
    assert heads[0].startswith(b"POST /x?q=0 HTTP/1.1\r\nhost: 127.0.0.1:")
    assert b"x-a: b\r\n" in heads[0]
    assert b"content-length: 4\r\n" in heads[0]


async def test_a_chunked_answer_streams_piece_by_piece() -> None:
    go_on = asyncio.Event()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nuno\n\n\r\n")
        await writer.drain()
        await go_on.wait()
        writer.write(b"5\r\ndos\n\n\r\n0\r\n\r\n")
        await writer.drain()
        await reader.readuntil(b"\r\n\r\n")  # the connection is reused for the next request

    async with serving(serve) as (url, _):
        client = pool()
        answer = await client.request(client.upstream(url), "GET", b"/sse", [], None)
        pieces = answer.stream()
        assert await anext(pieces) == b"uno\n\n"  # before the rest is even written
        go_on.set()
        assert [piece async for piece in pieces] == [b"dos\n\n"]
        assert client._idle_count == 1
        await client.aclose()


async def test_a_dropped_pooled_connection_says_it_was_reused() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")
        await writer.drain()
        await reader.readuntil(b"\r\n\r\n")  # the next request on it: dropped unanswered

    async with serving(serve) as (url, _):
        client = pool()
        upstream = client.upstream(url)
        assert await (await client.request(upstream, "GET", b"/", [], None)).read() == b"{}"
        with pytest.raises(UpstreamBroken) as broken:
            await client.request(upstream, "GET", b"/", [], None)
        assert broken.value.reused
        assert await (await client.request(upstream, "GET", b"/", [], None)).read() == b"{}"  # a fresh one
        await client.aclose()


async def test_a_silent_service_times_out_and_a_closed_port_is_unreachable() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        await asyncio.sleep(5)

    async with serving(serve) as (url, _):
        client = pool(read_timeout=0.2)
        with pytest.raises(UpstreamTimedOut):
            await client.request(client.upstream(url), "GET", b"/", [], None)
    with pytest.raises(UpstreamUnreachable):
        await client.request(client.upstream(url), "GET", b"/", [], None)


async def test_a_head_answer_has_no_body_and_its_connection_is_not_reused() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\n\r\n")
        await writer.drain()
        await reader.readuntil(b"\r\n\r\n")

    async with serving(serve) as (url, _):
        client = pool()
        answer = await client.request(client.upstream(url), "HEAD", b"/", [], None)
        assert answer.header(b"content-length") == b"10"
        assert await answer.read() == b""
        assert client._idle_count == 0


def test_idle_connections_are_dropped_well_before_the_services_close_them() -> None:
    """A POST on a connection the service is closing fails with a 502: the services (run by
    `shared.serve`) keep an idle connection longer than the gateway's pool reuses one."""
    assert UPSTREAM_KEEPALIVE_SECONDS <= KEEP_ALIVE_SECONDS - 10
