"""The lean HTTP/1.1 client against small loopback servers (no stack)."""

import asyncio
import math
import socket

import pytest

from devstack.rawhttp import serving, tls_pair
from shared.http1 import Upstream, UpstreamBroken, UpstreamPool, UpstreamTimedOut, UpstreamUnreachable, _interleaved

_OK = b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"


async def _ok(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answers one request with `{}`."""
    await reader.readuntil(b"\r\n\r\n")
    writer.write(_OK)
    await writer.drain()


async def _ok_always(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    """Answers every request on the connection with `{}`."""
    while True:
        await _ok(reader, writer)


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
        writer.write(_OK)
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
        with pytest.raises(UpstreamTimedOut) as timed_out:
            await client.request(client.upstream(url), "GET", b"/", [], None)
        assert timed_out.value.phase == "read"
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


async def test_https_is_spoken_to_the_name_the_certificate_has() -> None:
    """An address and the name to verify it by (the SSRF guard connects to the address it checked)."""
    server_tls, client_tls = tls_pair("provider.test")

    async with serving(_ok, tls=server_tls) as (url, heads):
        port = int(url.rsplit(":", 1)[1])
        client = pool()
        trusted = Upstream("127.0.0.1", port, b"provider.test", client_tls, "provider.test")
        assert await (await client.request(trusted, "GET", b"/", [], None)).read() == b"{}"
        assert heads[0].startswith(b"GET / HTTP/1.1\r\nhost: provider.test\r\n")
        with pytest.raises(UpstreamUnreachable, match="certificate"):
            await client.request(
                Upstream("127.0.0.1", port, b"other.test", client_tls, "other.test"), "GET", b"/", [], None
            )
        await client.aclose()


async def test_a_request_says_when_it_is_written_and_may_wait_longer_than_the_pool() -> None:
    received, written = asyncio.Event(), asyncio.Event()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        await reader.readexactly(5)
        received.set()
        await asyncio.wait_for(written.wait(), 2)  # no answer before the client said it had sent
        await asyncio.sleep(0.3)  # longer than the pool's read timeout, within the request's
        writer.write(_OK)
        await writer.drain()

    async def sent() -> None:
        await asyncio.wait_for(received.wait(), 2)  # said once the request is on the wire, not before
        written.set()

    async with serving(serve) as (url, heads):
        client = pool(read_timeout=0.1)
        answer = await client.request(
            client.upstream(url), "POST", b"/", [(b"x-a", b"1")], b"hello", read_timeout=1.0, sent=sent
        )
        assert await answer.read() == b"{}"
        assert b"x-a: 1\r\ncontent-length: 5\r\n" in heads[0]
        await client.aclose()


async def test_each_request_keeps_its_own_read_timeout_on_a_reused_connection() -> None:
    """A shorter timeout after a longer one on the same connection, and none at all (inf)."""

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            if head.startswith(b"GET /slow"):
                await asyncio.sleep(0.5)
            writer.write(_OK)
            await writer.drain()

    async with serving(serve) as (url, _):
        client = pool(read_timeout=0.1)
        upstream = client.upstream(url)
        assert await (await client.request(upstream, "GET", b"/", [], None, read_timeout=30.0)).read() == b"{}"
        started = asyncio.get_running_loop().time()
        with pytest.raises(UpstreamTimedOut):
            await client.request(upstream, "GET", b"/slow", [], None, read_timeout=0.2)
        assert asyncio.get_running_loop().time() - started < 0.45  # its own 0.2 s, not the 30 s before
        answer = await client.request(upstream, "GET", b"/slow", [], None, read_timeout=math.inf)
        assert await answer.read() == b"{}"  # no timeout: longer than the pool's 0.1 s
        await client.aclose()


async def test_informational_answers_are_skipped() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n")
        await writer.drain()
        await asyncio.sleep(0.05)
        writer.write(b"HTTP/1.1 201 Created\r\nContent-Length: 2\r\n\r\n{}")
        await writer.drain()
        await reader.readuntil(b"\r\n\r\n")

    async with serving(serve) as (url, _):
        client = pool()
        answer = await client.request(client.upstream(url), "GET", b"/", [], None)
        assert (answer.status, answer.header(b"link"), await answer.read()) == (201, None, b"{}")
        assert client._idle_count == 1
        await client.aclose()


async def test_a_closed_pool_keeps_nothing_and_no_room_means_nothing_is_kept() -> None:
    async with serving(_ok_always) as (url, _):
        client = pool()
        answer = await client.request(client.upstream(url), "GET", b"/", [], None)
        await client.aclose()  # while the answer is still being read
        assert await answer.read() == b"{}"
        assert client._idle_count == 0
        none_kept = UpstreamPool(connect_timeout=1.0, read_timeout=2.0, keepalive_expiry=2.0, max_idle=0)
        assert await (await none_kept.request(none_kept.upstream(url), "GET", b"/", [], None)).read() == b"{}"
        assert none_kept._idle_count == 0
    with pytest.raises(ValueError, match="http://"):
        client.upstream("https://example.test")


async def test_idle_connections_to_addresses_no_longer_used_make_room_for_those_in_use() -> None:
    """A provider's name resolving to new addresses leaves connections to the old ones idle:
    past `max_idle` the one idle longest goes, never the one just used."""
    connections: list[int] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(writer.get_extra_info("sockname")[1])
        await _ok_always(reader, writer)

    async with serving(serve) as (one, _), serving(serve) as (two, _), serving(serve) as (three, _):
        client = UpstreamPool(connect_timeout=1.0, read_timeout=2.0, keepalive_expiry=2.0, max_idle=2)
        upstreams = [client.upstream(url) for url in (one, two, three)]
        for upstream in [*upstreams, upstreams[2], upstreams[1]]:
            assert await (await client.request(upstream, "GET", b"/", [], None)).read() == b"{}"
        assert client._idle_count == 2
        assert upstreams[0] not in client._idle  # the oldest went
        assert len(connections) == 3  # the last two requests reused the connections kept
        await client.aclose()


async def test_a_name_is_resolved_and_its_addresses_tried_families_alternating() -> None:
    async with serving(_ok) as (url, heads):
        port = int(url.rsplit(":", 1)[1])
        client = pool()
        answer = await client.request(Upstream("localhost", port, b"localhost"), "GET", b"/", [], None)
        assert await answer.read() == b"{}"
        assert heads[0].startswith(b"GET / HTTP/1.1\r\nhost: localhost\r\n")
        await client.aclose()
    v6, v4 = socket.AF_INET6, socket.AF_INET
    found = [(v6, "2001:db8::1"), (v6, "2001:db8::2"), (v6, "2001:db8::1"), (v4, "192.0.2.1")]
    assert _interleaved(found) == ["2001:db8::1", "192.0.2.1", "2001:db8::2"]
