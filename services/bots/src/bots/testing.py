"""A pytest plugin, and a loopback AI provider for tests and benchmarks.

`LoopbackProvider` is a real HTTP server that speaks OpenAI's chat-completions protocol
(`/v1/chat/completions`) and Anthropic's Messages protocol (`/v1/messages`), streaming
included. What it answers is scripted by the model's name:

- `...fail500...` / `...fail429...`: that status, every time;
- `...slow...`: a token every `slow_seconds`;
- anything else: "Respuesta de <model>: <the question>", a word per chunk.

It records every request (protocol, model, messages, headers) and how many streams the
client closed before the end.
"""

import asyncio
import contextlib
import json
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from shared.devtools.pytest_plugin import serve_in_thread

# What tests give the loopback provider as API keys (and look for where they must not be).
OPENAI_KEY = "sk-test-openai-5f2c9e"
ANTHROPIC_KEY = "sk-ant-test-8d31a7"


@dataclass
class Called:
    protocol: str  # openai | anthropic
    model: str
    messages: list[dict[str, Any]]
    system: str | None
    headers: dict[str, str]


@dataclass
class LoopbackProvider:
    url: str = ""
    calls: list[Called] = field(default_factory=list)
    closed_early: int = 0
    finished: int = 0
    # When each piece of each streamed answer was sent (time.monotonic), for benchmarks.
    sent_at: list[list[float]] = field(default_factory=list)
    slow_seconds: float = 0.15
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def openai_url(self) -> str:
        return f"{self.url}/v1"

    def models_called(self) -> list[str]:
        with self.lock:
            return [c.model for c in self.calls]

    def words(self, model: str, messages: list[dict[str, Any]]) -> list[str]:
        question = next((str(m["content"]) for m in reversed(messages) if m["role"] == "user"), "")
        return f"Respuesta de {model}: {question}".split(" ")

    def failure(self, model: str) -> int | None:
        if "fail500" in model:
            return 500
        if "fail429" in model:
            return 429
        return None

    async def pieces(self, model: str, words: list[str]) -> AsyncIterator[str]:
        """The answer's text, a word at a time; notes whether the client stayed to the end."""
        completed = False
        stamps: list[float] = []
        with self.lock:
            self.sent_at.append(stamps)
        try:
            for i, word in enumerate(words):
                if "slow" in model:
                    await asyncio.sleep(self.slow_seconds)
                stamps.append(time.monotonic())
                yield word if i == 0 else " " + word
            completed = True
        finally:
            with self.lock:
                if completed:
                    self.finished += 1
                else:
                    self.closed_early += 1

    def app(self) -> Starlette:
        async def openai_chat(request: Request) -> Response:
            body = await request.json()
            model, messages = body["model"], body["messages"]
            with self.lock:
                self.calls.append(Called("openai", model, messages, None, dict(request.headers)))
            status = self.failure(model)
            if status is not None:
                error = {"error": {"message": f"scripted {status}", "type": "server_error", "code": None}}
                return JSONResponse(error, status_code=status)
            words = self.words(model, messages)
            prompt_tokens = sum(len(str(m["content"]).split()) for m in messages)
            if not body.get("stream"):
                text = " ".join(words)
                return JSONResponse({
                    "id": "chatcmpl-1", "object": "chat.completion", "created": int(time.time()), "model": model,
                    "choices": [{"index": 0, "message": {"role": "assistant", "content": text},
                                 "finish_reason": "stop"}],
                    "usage": {"prompt_tokens": prompt_tokens, "completion_tokens": len(words),
                              "total_tokens": prompt_tokens + len(words)},
                })  # fmt: skip

            async def events() -> AsyncIterator[str]:
                base = {
                    "id": "chatcmpl-1",
                    "object": "chat.completion.chunk",
                    "created": int(time.time()),
                    "model": model,
                }
                async for piece in self.pieces(model, words):
                    choice = {"index": 0, "delta": {"content": piece}, "finish_reason": None}
                    yield f"data: {json.dumps({**base, 'choices': [choice]})}\n\n"
                end = {"index": 0, "delta": {}, "finish_reason": "stop"}
                yield f"data: {json.dumps({**base, 'choices': [end]})}\n\n"
                usage = {"prompt_tokens": prompt_tokens, "completion_tokens": len(words),
                         "total_tokens": prompt_tokens + len(words)}  # fmt: skip
                yield f"data: {json.dumps({**base, 'choices': [], 'usage': usage})}\n\n"
                yield "data: [DONE]\n\n"

            return StreamingResponse(events(), media_type="text/event-stream")

        async def anthropic_messages(request: Request) -> Response:
            body = await request.json()
            model, messages = body["model"], body["messages"]
            with self.lock:
                self.calls.append(Called("anthropic", model, messages, body.get("system"), dict(request.headers)))
            status = self.failure(model)
            if status is not None:
                kind = "rate_limit_error" if status == 429 else "api_error"
                return JSONResponse({"type": "error", "error": {"type": kind, "message": f"scripted {status}"}},
                                    status_code=status)  # fmt: skip
            words = self.words(model, messages)
            input_tokens = sum(len(str(m["content"]).split()) for m in messages)

            def sse(kind: str, data: dict[str, Any]) -> str:
                return f"event: {kind}\ndata: {json.dumps({'type': kind, **data})}\n\n"

            async def events() -> AsyncIterator[str]:
                message = {"id": "msg_1", "type": "message", "role": "assistant", "model": model, "content": [],
                           "stop_reason": None, "stop_sequence": None,
                           "usage": {"input_tokens": input_tokens, "output_tokens": 1}}  # fmt: skip
                yield sse("message_start", {"message": message})
                yield sse("content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}})
                async for piece in self.pieces(model, words):
                    yield sse("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": piece}})
                yield sse("content_block_stop", {"index": 0})
                yield sse("message_delta", {"delta": {"stop_reason": "end_turn", "stop_sequence": None},
                                            "usage": {"output_tokens": len(words)}})  # fmt: skip
                yield sse("message_stop", {})

            return StreamingResponse(events(), media_type="text/event-stream")

        return Starlette(routes=[
            Route("/v1/chat/completions", openai_chat, methods=["POST"]),
            Route("/v1/messages", anthropic_messages, methods=["POST"]),
        ])  # fmt: skip


@contextlib.contextmanager
def loopback_provider() -> Iterator[LoopbackProvider]:
    provider = LoopbackProvider()
    with serve_in_thread(provider.app()) as url:
        provider.url = url
        yield provider


@pytest.fixture
def provider() -> Iterator[LoopbackProvider]:
    with loopback_provider() as running:
        yield running
