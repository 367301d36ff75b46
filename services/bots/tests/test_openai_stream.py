"""The OpenAI-compatible stream read without the SDK's decoder, against real HTTP servers on
loopback: what it yields, and each failure mapped as the SDK's errors were."""

import asyncio
import threading
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime

import httpx2
import openai
import pytest
from pydantic import SecretStr
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response, StreamingResponse
from starlette.routing import Route

from bots.errors import ProviderFailed
from bots.provider.base import Prompt, ToolCall, ToolResult, ToolSpec, Turn, Usage
from bots.provider.openai_compatible import OpenAICompatible, messages_of, request_body
from bots.provider.registry import Credentials, PlatformProvider, Providers
from bots.provider.sent import on_request_sent
from bots.provider.transport import Http1Transport
from bots.testing import loopback_provider
from devstack.pytest_plugin import serve_in_thread
from shared.crypto import SecretCipher
from shared.outbound import OutboundPolicy

_CHUNK = '{"id":"c","object":"chat.completion.chunk","choices":[{"index":0,"delta":{"content":"%s"}}]}'


@pytest.fixture(params=["http1", "httpx2"])
def transport(request: pytest.FixtureRequest) -> str:
    """Each test through both transports a provider client can have: the lean one, and
    httpx2's own (kept while a proxy is configured)."""
    kind: str = request.param
    return kind


def _provider(url: str, transport: str, *, timeout: float = 5.0) -> OpenAICompatible:
    client = openai.AsyncOpenAI(
        api_key="sk-test", base_url=f"{url}/v1", max_retries=0, timeout=timeout,
        http_client=httpx2.AsyncClient(timeout=timeout, transport=Http1Transport() if transport == "http1" else None),
    )  # fmt: skip
    return OpenAICompatible("openai", client)


async def _all(provider: OpenAICompatible, model: str, prompt: Prompt) -> list[object]:
    try:
        return [item async for item in provider.stream(model, prompt)]
    finally:
        await provider.client.close()


def _asked(question: str, *tools: str) -> Prompt:
    specs = tuple(ToolSpec(name, name, {"type": "object", "properties": {}}) for name in tools)
    return Prompt(system=None, turns=[Turn("user", question)], tools=specs)


@pytest.fixture
def scripted() -> Iterator[str]:
    """A server whose model name picks a way to misbehave mid-stream."""

    async def chat(request: Request) -> Response:
        model = (await request.json())["model"]

        async def body() -> AsyncIterator[str]:
            yield "data: " + _CHUNK % "Hola" + "\r\n\r\n"
            if model == "cut":
                raise RuntimeError("the connection drops before the end")
            if model == "stall":
                await asyncio.sleep(2)
            if model == "error":
                yield 'data: {"error": {"message": "overloaded mid-answer", "type": "server_error"}}\n\n'
            # Two data lines of one event, a comment and an unused field, then the end.
            yield ': keep-alive\nevent: chunk\ndata: {"choices": [{"index": 0,\n'
            yield 'data: "delta": {"content": " mundo"}}]}\n\n'
            yield 'data: {"choices": [], "usage": {"prompt_tokens": 3, "completion_tokens": 2}}\n\ndata: [DONE]\n\n'

        return StreamingResponse(body(), media_type="text/event-stream")

    with serve_in_thread(Starlette(routes=[Route("/v1/chat/completions", chat, methods=["POST"])])) as url:
        yield url


async def test_text_and_usage_are_read_from_the_stream(transport: str) -> None:
    with loopback_provider() as server:
        items = await _all(_provider(server.url, transport), "gpt-4o", _asked("hola"))
    assert items == ["Respuesta", " de", " gpt-4o:", " hola", Usage(1, 4)]
    assert server.finished == 1


async def test_streamed_tool_calls_are_put_back_together(transport: str) -> None:
    with loopback_provider() as server:
        items = await _all(
            _provider(server.url, transport), "gpt-agent", _asked("open_tasks de la parcela 7", "open_tasks")
        )
    assert items[0] == ToolCall("call_1", "open_tasks", {"parcela_id": 7})
    assert isinstance(items[1], Usage)


async def test_multi_line_events_comments_and_crlf_are_read(scripted: str, transport: str) -> None:
    assert await _all(_provider(scripted, transport), "fine", _asked("hola")) == ["Hola", " mundo", Usage(3, 2)]


async def test_a_cut_stream_is_a_lost_connection(scripted: str, transport: str) -> None:
    with pytest.raises(ProviderFailed) as failed:
        await _all(_provider(scripted, transport), "cut", _asked("hola"))
    assert (failed.value.reason, failed.value.retryable) == ("sin conexión con el proveedor", True)


async def test_a_stalled_stream_times_out(scripted: str, transport: str) -> None:
    with pytest.raises(ProviderFailed) as failed:
        await _all(_provider(scripted, transport, timeout=0.3), "stall", _asked("hola"))
    assert (failed.value.reason, failed.value.retryable) == ("tiempo de espera agotado", True)


async def test_an_error_event_mid_stream_is_a_failure(scripted: str, transport: str) -> None:
    with pytest.raises(ProviderFailed) as failed:
        await _all(_provider(scripted, transport), "error", _asked("hola"))
    assert (failed.value.reason, failed.value.retryable) == ("overloaded mid-answer", True)


@pytest.mark.parametrize(("model", "status", "retryable"), [("gpt-fail500", 500, True), ("gpt-fail429", 429, True),
                                                            ("gpt-notools", 400, False)])  # fmt: skip
async def test_an_error_status_keeps_its_status(model: str, status: int, retryable: bool, transport: str) -> None:
    with loopback_provider() as server:
        with pytest.raises(ProviderFailed) as failed:
            await _all(_provider(server.url, transport), model, _asked("hola", "open_tasks"))
    assert (failed.value.status, failed.value.retryable) == (status, retryable)


async def test_an_unreachable_provider_is_a_lost_connection(transport: str) -> None:
    with serve_in_thread(Starlette()) as url:
        pass  # the port is closed again
    with pytest.raises(ProviderFailed) as failed:
        await _all(_provider(url, transport), "gpt-4o", _asked("hola"))
    assert (failed.value.reason, failed.value.retryable) == ("sin conexión con el proveedor", True)


@pytest.mark.parametrize("integration", [True, False], ids=["workspace integration", "platform provider"])
async def test_the_request_is_reported_sent_before_the_provider_answers(integration: bool) -> None:
    """`opening` stores the question once the provider has the request: the signal comes when
    the request is written, while the provider has not answered at all (not even headers)."""
    released = threading.Event()

    async def chat(request: Request) -> Response:
        await request.body()
        await asyncio.get_running_loop().run_in_executor(None, released.wait, 10)
        return StreamingResponse(iter(["data: " + _CHUNK % "Hola" + "\n\n", "data: [DONE]\n\n"]),
                                 media_type="text/event-stream")  # fmt: skip

    cipher = SecretCipher("test-secret", purpose=b"integration")
    with serve_in_thread(Starlette(routes=[Route("/v1/chat/completions", chat, methods=["POST"])])) as url:
        platform = {"openai": PlatformProvider("openai", f"{url}/v1", SecretStr("sk-platform"))}
        providers = Providers(cipher, OutboundPolicy(allowed_networks=["127.0.0.1/32"]), timeout=15, max_retries=0,
                              platform={} if integration else platform)  # fmt: skip
        credentials = Credentials(1, "openai", f"{url}/v1", cipher.seal(b"sk-own"), datetime.now(UTC))
        provider = providers.get("openai", credentials if integration else None)
        sent = asyncio.Event()
        items: list[object] = []

        async def answer() -> None:
            with on_request_sent(sent.set):
                async for item in provider.stream("gpt-4o", _asked("hola")):
                    items.append(item)

        answering = asyncio.create_task(answer())
        try:
            await asyncio.wait_for(sent.wait(), timeout=5)
            assert not answering.done()
            released.set()
            await asyncio.wait_for(answering, timeout=10)
        finally:
            released.set()
            await providers.aclose()
    assert items[0] == "Hola"


async def test_the_request_is_the_one_the_sdk_would_send(transport: str) -> None:
    """`stream` sends through the SDK's `post`, skipping `create`'s transform pass: what the
    provider receives (body and key) is the same as through `create`."""
    received: list[tuple[object, str | None]] = []

    async def chat(request: Request) -> Response:
        received.append((await request.json(), request.headers.get("authorization")))
        return StreamingResponse(iter(["data: [DONE]\n\n"]), media_type="text/event-stream")

    prompt = Prompt(
        system="Eres útil.", temperature=0.2, max_tokens=50,
        turns=[
            Turn("user", "¿Qué tareas hay?"),
            Turn("assistant", "", tool_calls=(ToolCall("call_1", "open_tasks", {"parcela_id": 7}),)),
            Turn("user", "", tool_results=(ToolResult("call_1", "open_tasks", '{"tareas": []}'),)),
            Turn("assistant", "Ninguna."), Turn("user", "¿Y mañana?"),
        ],
        tools=(ToolSpec("open_tasks", "Tareas abiertas",
                        {"type": "object", "properties": {"parcela_id": {"type": "integer"}}}),),
    )  # fmt: skip
    with serve_in_thread(Starlette(routes=[Route("/v1/chat/completions", chat, methods=["POST"])])) as url:
        provider = _provider(url, transport)
        try:
            assert [item async for item in provider.stream("gpt-4o", prompt)] == [Usage(0, 0)]
            body = request_body("gpt-4o", prompt)
            options = {key: value for key, value in body.items() if key not in ("model", "messages")}
            async with provider.client.chat.completions.with_streaming_response.create(
                model="gpt-4o", messages=messages_of(prompt), **options
            ) as response:
                await response.http_response.aread()
        finally:
            await provider.client.close()
    assert len(received) == 2
    assert received[0] == received[1]
    assert received[0][1] == "Bearer sk-test"
