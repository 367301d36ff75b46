"""OpenAI and every server that speaks its chat-completions protocol (Ollama, vLLM,
llama.cpp, LM Studio), through the official `openai` package, chosen by base URL. Tools go
as `tools` (function calling); the streamed `tool_calls` deltas are put back together.

The SDK sends the request (its headers, retries with backoff, and status errors) through its
low-level `post`, the documented way to a request it has no method for: `chat.completions.create`
first re-walks every message to transform the parameters' TypedDicts (an identity for the ones
sent here, which a test keeps checking), 0.24 ms of the time to the first token for one message
and 1.5 ms for ten. The streamed answer is read here, as plain JSON per server-sent event: the
SDK's typed object per chunk and its SSE decoder were a fifth of bots' time per streamed answer."""

import asyncio
import contextlib
import json
import ssl
from collections.abc import AsyncIterator
from typing import Any

import anyio
import httpx2
import openai
from openai.types.chat import ChatCompletionChunk, ChatCompletionMessageParam, ChatCompletionMessageToolCallParam

from bots.errors import ProviderFailed
from bots.provider.base import Prompt, ToolCall, Usage, failure_of
from shared.outbound import UnsafeURL

# After `[DONE]`, the rest of the body is read for this long (the connection goes back to the
# pool only when its body was read to the end), as the SDK does.
_DRAIN_SECONDS = 0.1
# What the SDK maps to its connection error while a body is read (TLS failures included).
_BROKEN = (httpx2.RequestError, ssl.SSLError, anyio.EndOfStream)


def messages_of(prompt: Prompt) -> list[ChatCompletionMessageParam]:
    messages: list[ChatCompletionMessageParam] = [{"role": "system", "content": prompt.system}] if prompt.system else []
    for turn in prompt.turns:
        if turn.tool_calls:
            calls: list[ChatCompletionMessageToolCallParam] = [
                {"id": c.id, "type": "function", "function": {"name": c.name, "arguments": json.dumps(c.arguments)}}
                for c in turn.tool_calls
            ]
            messages.append({"role": "assistant", "content": turn.content or None, "tool_calls": calls})
        elif turn.tool_results:
            messages += [{"role": "tool", "tool_call_id": r.call_id, "content": r.content} for r in turn.tool_results]
        elif turn.role == "assistant":
            messages.append({"role": "assistant", "content": turn.content})
        else:
            messages.append({"role": "user", "content": turn.content})
    return messages


def request_body(model: str, prompt: Prompt) -> dict[str, Any]:
    """The chat-completions request for a streamed answer, as `create` would send it."""
    body: dict[str, Any] = {
        "model": model, "messages": messages_of(prompt), "stream": True, "stream_options": {"include_usage": True},
        "max_tokens": prompt.max_tokens,
    }  # fmt: skip
    if prompt.temperature is not None:
        body["temperature"] = prompt.temperature
    if prompt.tools:
        body["tools"] = [
            {"type": "function", "function": {"name": t.name, "description": t.description, "parameters": t.parameters}}
            for t in prompt.tools
        ]
    return body


def _arguments(text: str) -> dict[str, Any]:
    try:
        parsed = json.loads(text or "{}")
    except ValueError:
        return {"_invalid_json": text}
    return parsed if isinstance(parsed, dict) else {"_value": parsed}


class OpenAICompatible:
    def __init__(self, kind: str, client: openai.AsyncOpenAI) -> None:
        self.kind = kind
        self.client = client

    async def stream(self, model: str, prompt: Prompt) -> AsyncIterator[str | ToolCall | Usage]:
        try:
            answer = await self.client.post(
                "/chat/completions", body=request_body(model, prompt), cast_to=ChatCompletionChunk, stream=True,
                stream_cls=openai.AsyncStream[ChatCompletionChunk], options={"security": {"bearer_auth": True}},
            )  # fmt: skip
            async with answer:  # its body read here, the connection given back at the end
                usage = Usage(0, 0)
                calls: dict[int, dict[str, str]] = {}  # by index: id, name, arguments so far
                async for chunk in _chunks(answer.response):
                    choices = chunk.get("choices")
                    if choices:
                        delta = choices[0].get("delta") or {}
                        content = delta.get("content")
                        if content:
                            yield content
                        for part in delta.get("tool_calls") or ():
                            call = calls.setdefault(part.get("index", 0), {"id": "", "name": "", "arguments": ""})
                            call["id"] = part.get("id") or call["id"]
                            function = part.get("function")
                            if function:
                                call["name"] = function.get("name") or call["name"]
                                call["arguments"] += function.get("arguments") or ""
                    counted = chunk.get("usage")
                    if counted:
                        usage = Usage(counted.get("prompt_tokens") or 0, counted.get("completion_tokens") or 0)
            for index in sorted(calls):
                call = calls[index]
                yield ToolCall(call["id"] or f"call_{index}", call["name"], _arguments(call["arguments"]))
            yield usage
        except (openai.APIError, UnsafeURL) as exc:
            raise failure_of(exc, openai) from exc
        except httpx2.TimeoutException as exc:  # before _BROKEN: a timeout is a transport error too
            raise ProviderFailed("tiempo de espera agotado", retryable=True) from exc
        except _BROKEN as exc:  # the stream was cut
            raise ProviderFailed("sin conexión con el proveedor", retryable=True) from exc

    async def embed(self, model: str, texts: list[str]) -> list[list[float]]:
        """One vector per text (the embeddings API of OpenAI, Ollama, vLLM...)."""
        try:
            answer = await self.client.embeddings.create(model=model, input=texts)
        except (openai.APIError, UnsafeURL) as exc:
            raise failure_of(exc, openai) from exc
        return [item.embedding for item in sorted(answer.data, key=lambda item: item.index)]


async def _chunks(response: httpx2.Response) -> AsyncIterator[dict[str, Any]]:
    """Each event's JSON until `[DONE]`. An event carrying `error` is a failure, as the SDK
    reads it; a line of the protocol we do not use (`event:`, `id:`, a comment) is skipped.

    One generator over the body's pieces (raw when nothing is to be decoded), the events parsed
    in plain calls: every layer of async generators costs each event a pass down and back up
    the producer's stack (issue 25)."""
    body = response.aiter_bytes() if "content-encoding" in response.headers else response.aiter_raw()
    events = _EventData()
    async for received in body:
        for data in events.feed(received):
            if data == b"[DONE]":
                with contextlib.suppress(TimeoutError, *_BROKEN):
                    async with asyncio.timeout(_DRAIN_SECONDS):
                        async for _ in body:
                            pass
                return
            chunk = json.loads(data)
            if isinstance(chunk, dict) and chunk.get("error"):
                error = chunk["error"]
                message = error.get("message") if isinstance(error, dict) else None
                raise ProviderFailed(message if isinstance(message, str) and message else "error en el stream",
                                     retryable=True)  # fmt: skip
            yield chunk


class _EventData:
    """The data of each server-sent event (its `data:` lines joined by newlines), as bytes, from
    the body's pieces as they come; an event cut off by the end of the body is never given, as
    the SSE specification says."""

    def __init__(self) -> None:
        self._pending = b""
        self._data: list[bytes] = []

    def feed(self, received: bytes) -> list[bytes]:
        """The events `received` completed."""
        *lines, self._pending = (self._pending + received).split(b"\n")
        complete: list[bytes] = []
        for line in lines:
            if line.endswith(b"\r"):
                line = line[:-1]
            if not line:
                if self._data:
                    complete.append(b"\n".join(self._data))
                    self._data = []
            elif line.startswith(b"data:"):
                value = line[5:]
                self._data.append(value[1:] if value.startswith(b" ") else value)
        return complete
