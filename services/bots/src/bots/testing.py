"""A pytest plugin, and a loopback AI provider for tests and benchmarks.

`LoopbackProvider` is a real HTTP server that speaks OpenAI's chat-completions protocol
(`/v1/chat/completions`) and Anthropic's Messages protocol (`/v1/messages`), streaming
included. What it answers is scripted by the model's name:

- `...fail500...` / `...fail429...`: that status, every time;
- `...slow...`: a token every `slow_seconds`;
- anything else: "Respuesta de <model>: <the question>", a word per chunk ("Respuesta" is
  the server's `greeting`: two servers answer distinguishably);
- `...notools...` with tools offered: 400, as Ollama answers for a model without tool support;
- `...agent...` with tools offered: first a call of the tool the question names (a
  `parcela_id` is the first number in it, a `tipo` "regar", a knowledge `query` the rest of
  the question), then, once the result is back,
  "Resultado de <tool>: <the result>".

It also serves OpenAI's embeddings API (`/v1/embeddings`): a text's vector has one dimension
per *concept* it mentions (riego, poda, plagas, abono: each a few Spanish and English words
with the same meaning) and a few hashed dimensions for its other words, so a question in other
words than a document's lands near it, as with a real embeddings model.

It records every request (protocol, model, messages, headers) and how many streams the
client closed before the end.
"""

import asyncio
import contextlib
import json
import math
import re
import threading
import time
import unicodedata
import zlib
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response, StreamingResponse
from starlette.routing import Route

from devstack.pytest_plugin import serve_in_thread

# What tests give the loopback provider as API keys (and look for where they must not be).
OPENAI_KEY = "sk-test-openai-5f2c9e"
ANTHROPIC_KEY = "sk-ant-test-8d31a7"


@dataclass
class Called:
    protocol: str  # openai | anthropic | embeddings
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
    # When each chat request reached its handler (time.monotonic), for benchmarks.
    asked_at: list[float] = field(default_factory=list)
    slow_seconds: float = 0.15
    greeting: str = "Respuesta"
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def openai_url(self) -> str:
        return f"{self.url}/v1"

    def models_called(self) -> list[str]:
        with self.lock:
            return [c.model for c in self.calls]

    def words(self, model: str, messages: list[dict[str, Any]]) -> list[str]:
        question = next((_text(m) for m in reversed(messages) if m["role"] == "user"), "")
        return f"{self.greeting} de {model}: {question}".split(" ")

    def tool_call(self, model: str, messages: list[dict[str, Any]], tools: list[str]) -> dict[str, Any] | None:
        """The call an `agent` model asks for: {"name", "arguments"}, or None once results came back."""
        if "agent" not in model or not tools or any(_is_tool_result(m) for m in messages):
            return None
        question = next((_text(m) for m in reversed(messages) if m["role"] == "user"), "")
        name = next((tool for tool in tools if tool in question), None)
        if name is None:
            return None
        arguments: dict[str, Any] = {}
        number = re.search(r"\d+", question.replace(name, ""))
        if number and name in ("latest_readings", "open_tasks", "create_task"):
            arguments["parcela_id"] = int(number.group())
        if name == "create_task":
            arguments["tipo"] = "regar"
        if name == "search_knowledge":
            arguments["query"] = question.replace(name, "").strip()
        return {"name": name, "arguments": arguments}

    def after_tools(self, messages: list[dict[str, Any]]) -> list[str] | None:
        results = [m for m in messages if _is_tool_result(m)]
        if not results:
            return None
        return f"Resultado: {_text(results[-1])[:300]}".split(" ")

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
            asked = time.monotonic()
            body = await request.json()
            model, messages = body["model"], body["messages"]
            with self.lock:
                self.calls.append(Called("openai", model, messages, None, dict(request.headers)))
                self.asked_at.append(asked)
            status = self.failure(model)
            if status is not None:
                error = {"error": {"message": f"scripted {status}", "type": "server_error", "code": None}}
                return JSONResponse(error, status_code=status)
            offered = [t["function"]["name"] for t in body.get("tools", [])]
            if "notools" in model and offered:  # as Ollama answers for a model without tool support
                return JSONResponse({"error": {"message": f"{model} does not support tools", "type": "api_error"}},
                                    status_code=400)  # fmt: skip
            call = self.tool_call(model, messages, offered)
            words = self.after_tools(messages) or self.words(model, messages)
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
                if call is not None:
                    start = {"index": 0, "id": "call_1", "type": "function",
                             "function": {"name": call["name"], "arguments": ""}}  # fmt: skip
                    rest = {"index": 0, "function": {"arguments": json.dumps(call["arguments"])}}
                    for part in (start, rest):
                        choice = {"index": 0, "delta": {"tool_calls": [part]}, "finish_reason": None}
                        yield f"data: {json.dumps({**base, 'choices': [choice]})}\n\n"
                    end = {"index": 0, "delta": {}, "finish_reason": "tool_calls"}
                    yield f"data: {json.dumps({**base, 'choices': [end]})}\n\n"
                    yield "data: [DONE]\n\n"
                    return
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
            call = self.tool_call(model, messages, [t["name"] for t in body.get("tools", [])])
            words = self.after_tools(messages) or self.words(model, messages)
            input_tokens = sum(len(str(m["content"]).split()) for m in messages)

            def sse(kind: str, data: dict[str, Any]) -> str:
                return f"event: {kind}\ndata: {json.dumps({'type': kind, **data})}\n\n"

            async def events() -> AsyncIterator[str]:
                message = {"id": "msg_1", "type": "message", "role": "assistant", "model": model, "content": [],
                           "stop_reason": None, "stop_sequence": None,
                           "usage": {"input_tokens": input_tokens, "output_tokens": 1}}  # fmt: skip
                yield sse("message_start", {"message": message})
                if call is not None:
                    block = {"type": "tool_use", "id": "toolu_1", "name": call["name"], "input": {}}
                    yield sse("content_block_start", {"index": 0, "content_block": block})
                    delta = {"type": "input_json_delta", "partial_json": json.dumps(call["arguments"])}
                    yield sse("content_block_delta", {"index": 0, "delta": delta})
                    yield sse("content_block_stop", {"index": 0})
                    yield sse("message_delta", {"delta": {"stop_reason": "tool_use", "stop_sequence": None},
                                                "usage": {"output_tokens": 5}})  # fmt: skip
                    yield sse("message_stop", {})
                    return
                yield sse("content_block_start", {"index": 0, "content_block": {"type": "text", "text": ""}})
                async for piece in self.pieces(model, words):
                    yield sse("content_block_delta", {"index": 0, "delta": {"type": "text_delta", "text": piece}})
                yield sse("content_block_stop", {"index": 0})
                yield sse("message_delta", {"delta": {"stop_reason": "end_turn", "stop_sequence": None},
                                            "usage": {"output_tokens": len(words)}})  # fmt: skip
                yield sse("message_stop", {})

            return StreamingResponse(events(), media_type="text/event-stream")

        async def openai_embeddings(request: Request) -> Response:
            body = await request.json()
            texts = body["input"] if isinstance(body["input"], list) else [body["input"]]
            with self.lock:
                self.calls.append(Called("embeddings", body["model"], [], None, dict(request.headers)))
            data = [{"object": "embedding", "index": i, "embedding": embedding_of(t)} for i, t in enumerate(texts)]
            usage = {
                "prompt_tokens": sum(len(t.split()) for t in texts),
                "total_tokens": sum(len(t.split()) for t in texts),
            }
            return JSONResponse({"object": "list", "data": data, "model": body["model"], "usage": usage})

        return Starlette(routes=[
            Route("/v1/embeddings", openai_embeddings, methods=["POST"]),
            Route("/v1/chat/completions", openai_chat, methods=["POST"]),
            Route("/v1/messages", anthropic_messages, methods=["POST"]),
        ])  # fmt: skip


CONCEPTS = [
    {"riego", "riega", "regar", "riegan", "irrigacion", "irrigar", "agua", "goteo", "watering", "irrigation"},
    {"poda", "podar", "brotes", "pruning", "prune"},
    {"plaga", "plagas", "mosca", "insectos", "trampas", "pests", "insects"},
    {"abono", "fertilizante", "potasio", "nutrientes", "fertilizer"},
]
_HASHED = 12


def embedding_of(text: str) -> list[float]:
    """A unit vector: one dimension per concept mentioned, the other words hashed into a few more."""
    vector = [0.0] * (len(CONCEPTS) + _HASHED)
    for word in re.findall(r"\w+", unicodedata.normalize("NFKD", text.casefold())):
        word = "".join(c for c in word if not unicodedata.combining(c))
        concept = next((i for i, words in enumerate(CONCEPTS) if word in words), None)
        if concept is not None:
            vector[concept] += 3.0
        elif len(word) > 3:
            vector[len(CONCEPTS) + zlib.crc32(word.encode()) % _HASHED] += 0.2
    norm = math.sqrt(sum(x * x for x in vector)) or 1.0
    return [x / norm for x in vector]


def _text(message: dict[str, Any]) -> str:
    """A message's text in either protocol (content as a string, or as blocks)."""
    content = message.get("content")
    if isinstance(content, list):
        return " ".join(str(b.get("text") or b.get("content") or "") for b in content if isinstance(b, dict))
    return str(content or "")


def _is_tool_result(message: dict[str, Any]) -> bool:
    content = message.get("content")
    blocks = content if isinstance(content, list) else []
    return message["role"] == "tool" or any(isinstance(b, dict) and b.get("type") == "tool_result" for b in blocks)


@contextlib.contextmanager
def loopback_provider(greeting: str = "Respuesta") -> Iterator[LoopbackProvider]:
    provider = LoopbackProvider(greeting=greeting)
    with serve_in_thread(provider.app()) as url:
        provider.url = url
        yield provider


@pytest.fixture
def provider() -> Iterator[LoopbackProvider]:
    with loopback_provider() as running:
        yield running
