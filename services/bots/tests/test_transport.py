"""The provider clients' transport (`Http1Transport`) under httpx2's client, against servers on
loopback that write HTTP byte by byte: what it sends, how it reads, what it raises."""

import asyncio
import gzip
import json
import socket
from datetime import UTC, datetime
from typing import Any

import httpx2
import pytest

from bots.errors import ProviderFailed
from bots.provider.base import Prompt, Turn
from bots.provider.registry import Credentials, PlatformProvider, Providers
from bots.provider.transport import Http1Transport
from devstack.rawhttp import serving, tls_pair
from shared.crypto import SecretCipher
from shared.outbound import GuardedTransport, OutboundPolicy

_LOOPBACK = OutboundPolicy(allowed_networks=["127.0.0.1/32"])


def _client(transport: Any, timeout: float = 2.0) -> httpx2.AsyncClient:
    return httpx2.AsyncClient(transport=transport, timeout=timeout)


async def _answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, answer: bytes) -> bytes:
    """Reads one request (head and sized body), writes `answer`; the request's bytes."""
    head = await reader.readuntil(b"\r\n\r\n")
    length = next(
        (int(line.split(b":")[1]) for line in head.split(b"\r\n") if line.lower().startswith(b"content-length:")), 0
    )
    body = await reader.readexactly(length)
    writer.write(answer)
    await writer.drain()
    return head + body


async def test_requests_go_as_httpx2_would_send_them_on_one_kept_connection() -> None:
    connections = 0
    requests: list[bytes] = []

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        nonlocal connections
        connections += 1
        while True:
            requests.append(await _answer(reader, writer, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}"))

    async with serving(serve) as (url, heads), _client(Http1Transport()) as client:
        posted = await client.post(f"{url}/v1/chat?x=1", json={"a": "ñ"}, headers={"Authorization": "Bearer k"})
        fetched = await client.get(f"{url}/v1/models")
        empty = await client.post(f"{url}/v1/empty")
    assert (posted.json(), fetched.json(), empty.json()) == ({}, {}, {})
    assert connections == 1
    post, get, empty_post = (head.decode().lower() for head in heads)
    assert post.startswith("post /v1/chat?x=1 http/1.1\r\nhost: 127.0.0.1:")
    assert "authorization: bearer k\r\n" in post
    body = requests[0].split(b"\r\n\r\n", 1)[1]
    assert json.loads(body) == {"a": "ñ"}
    assert f"content-length: {len(body)}\r\n" in post
    assert post.count("host:") == 1
    assert post.count("content-length:") == 1
    assert get.startswith("get /v1/models http/1.1\r\n")
    assert "content-length" not in get
    assert "content-length: 0\r\n" in empty_post


async def test_a_streamed_answer_comes_piece_by_piece_and_compressed_ones_are_decoded() -> None:
    go_on = asyncio.Event()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _answer(reader, writer, b"HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nuno\n\n\r\n")
        await go_on.wait()
        writer.write(b"5\r\ndos\n\n\r\n0\r\n\r\n")
        packed = gzip.compress(b'{"zipped": true}')
        await _answer(reader, writer, b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n%s"
                      % (len(packed), packed))  # fmt: skip

    async with serving(serve) as (url, _), _client(Http1Transport()) as client:
        async with client.stream("GET", f"{url}/sse") as response:
            pieces = response.aiter_raw()
            assert await anext(pieces) == b"uno\n\n"  # before the rest is even written
            go_on.set()
            assert [piece async for piece in pieces] == [b"dos\n\n"]
        assert (await client.get(f"{url}/zipped")).json() == {"zipped": True}


async def test_failures_are_httpx2s_exceptions() -> None:
    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        if head.startswith(b"GET /silent"):
            await asyncio.sleep(5)
        elif head.startswith(b"GET /cut"):
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\npartial")
            await writer.drain()
        else:
            writer.write(b"not http at all\r\n\r\n")
            await writer.drain()

    async with serving(serve) as (url, _), _client(Http1Transport(), timeout=0.3) as client:
        with pytest.raises(httpx2.ReadTimeout):
            await client.get(f"{url}/silent")
        with pytest.raises(httpx2.RemoteProtocolError):
            await client.get(f"{url}/cut")
        with pytest.raises(httpx2.RemoteProtocolError):
            await client.get(f"{url}/garbled")
        with pytest.raises(httpx2.UnsupportedProtocol):
            await client.get("ftp://127.0.0.1/")
        with pytest.raises(httpx2.LocalProtocolError):
            await client.get(f"{url}/", headers={"Authorization": "Bearer k\r\nX-Injected: 1"})
    with socket.socket() as bound:  # a port held and never listened on: refused
        bound.bind(("127.0.0.1", 0))
        async with _client(Http1Transport()) as client:
            with pytest.raises(httpx2.ConnectError):
                await client.get(f"http://127.0.0.1:{bound.getsockname()[1]}/")


async def test_https_through_the_guard_connects_to_the_checked_address_under_its_name() -> None:
    """The guard rewrites the URL to the address it checked and keeps the name for Host and TLS:
    the certificate is verified against the name."""
    server_tls, client_tls = tls_pair("localhost")

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _answer(reader, writer, b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}")

    async with serving(serve, tls=server_tls) as (url, heads):
        port = url.rsplit(":", 1)[1]
        guarded = GuardedTransport(Http1Transport(client_tls), _LOOPBACK)
        async with _client(guarded) as client:
            assert (await client.get(f"https://localhost:{port}/v1/models")).json() == {}
        async with _client(Http1Transport(client_tls)) as client:
            with pytest.raises(httpx2.ConnectError):  # the certificate is not 127.0.0.1's
                await client.get(f"https://127.0.0.1:{port}/v1/models")
    assert heads[0].lower().startswith(f"get /v1/models http/1.1\r\nhost: localhost:{port}\r\n".encode())


async def test_a_platform_provider_behind_a_proxy_keeps_speaking_through_it(monkeypatch: pytest.MonkeyPatch) -> None:
    """Proxies are httpx2's business: with one in the environment, a platform provider's
    request goes to it (absolute-form target), never straight to the provider."""
    chunk = {"choices": [{"index": 0, "delta": {"content": "proxied"}}]}
    sse = f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n".encode()
    asked: list[bytes] = []

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        asked.append(
            await _answer(reader, writer, b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                          b"Content-Length: %d\r\n\r\n%s" % (len(sse), sse))
        )  # fmt: skip

    cipher = SecretCipher("test-secret", purpose=b"integration")
    prompt = Prompt(system=None, turns=[Turn("user", "hola")])
    async with serving(proxy) as (proxy_url, _):
        monkeypatch.setenv("HTTP_PROXY", proxy_url)
        monkeypatch.delenv("NO_PROXY", raising=False)
        monkeypatch.delenv("no_proxy", raising=False)
        platform = {"ollama": PlatformProvider("ollama", "http://ollama.invalid:11434/v1", None)}
        providers = Providers(cipher, _LOOPBACK, timeout=5, max_retries=0, platform=platform)
        try:
            items = [item async for item in providers.get("ollama", None).stream("llama3", prompt)]
        finally:
            await providers.aclose()
    assert items[0] == "proxied"
    assert asked[0].startswith(b"POST http://ollama.invalid:11434/v1/chat/completions HTTP/1.1\r\n")


async def test_a_workspace_provider_goes_through_the_guard_and_the_lean_transport() -> None:
    """A workspace's provider URL is checked (loopback refused unless allowed) and the answer
    read through `Http1Transport`."""
    chunk = {"choices": [{"index": 0, "delta": {"content": "hola"}}]}
    sse = f"data: {json.dumps(chunk)}\n\ndata: [DONE]\n\n".encode()

    async def serve(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _answer(reader, writer, b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream\r\n"
                      b"Content-Length: %d\r\n\r\n%s" % (len(sse), sse))  # fmt: skip

    cipher = SecretCipher("test-secret", purpose=b"integration")
    prompt = Prompt(system=None, turns=[Turn("user", "hola")])
    async with serving(serve) as (url, heads):
        credentials = Credentials(1, "openai", f"{url}/v1", cipher.seal(b"sk-own"), datetime.now(UTC))
        refusing = Providers(cipher, OutboundPolicy(), timeout=5, max_retries=0)
        allowing = Providers(cipher, _LOOPBACK, timeout=5, max_retries=0)
        try:
            with pytest.raises(ProviderFailed) as refused:
                [item async for item in refusing.get("openai", credentials).stream("gpt-4o", prompt)]
            items = [item async for item in allowing.get("openai", credentials).stream("gpt-4o", prompt)]
        finally:
            await refusing.aclose()
            await allowing.aclose()
    assert "no permitida (loopback" in str(refused.value)
    assert items[0] == "hola"
    assert len(heads) == 1  # the refused call never left
    assert b"authorization: Bearer sk-own" in heads[0]
