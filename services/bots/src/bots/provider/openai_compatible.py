"""OpenAI and every server that speaks its chat-completions protocol (Ollama, vLLM,
llama.cpp, LM Studio), through the official `openai` package, chosen by base URL. Tools go
as `tools` (function calling); the streamed `tool_calls` deltas are put back together."""

import json
from collections.abc import AsyncIterator
from typing import Any

import openai
from openai.types.chat import ChatCompletionMessageParam, ChatCompletionMessageToolCallParam

from bots.provider.base import Prompt, ToolCall, Usage, failure_of
from shared.outbound import UnsafeURL


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
        options: dict[str, Any] = {"max_tokens": prompt.max_tokens}
        if prompt.temperature is not None:
            options["temperature"] = prompt.temperature
        if prompt.tools:
            options["tools"] = [
                {"type": "function", "function": {"name": t.name, "description": t.description,
                                                  "parameters": t.parameters}}
                for t in prompt.tools
            ]  # fmt: skip
        try:
            stream = await self.client.chat.completions.create(
                model=model, messages=messages_of(prompt), stream=True, stream_options={"include_usage": True},
                **options,
            )  # fmt: skip
            usage = Usage(0, 0)
            calls: dict[int, dict[str, str]] = {}  # by index: id, name, arguments so far
            async for chunk in stream:
                if chunk.choices:
                    delta = chunk.choices[0].delta
                    if delta.content:
                        yield delta.content
                    for part in delta.tool_calls or []:
                        call = calls.setdefault(part.index, {"id": "", "name": "", "arguments": ""})
                        call["id"] = part.id or call["id"]
                        if part.function is not None:
                            call["name"] = part.function.name or call["name"]
                            call["arguments"] += part.function.arguments or ""
                if chunk.usage is not None:
                    usage = Usage(chunk.usage.prompt_tokens, chunk.usage.completion_tokens)
            for index in sorted(calls):
                call = calls[index]
                yield ToolCall(call["id"] or f"call_{index}", call["name"], _arguments(call["arguments"]))
            yield usage
        except (openai.APIError, UnsafeURL) as exc:
            raise failure_of(exc, openai) from exc

    async def embed(self, model: str, texts: list[str]) -> list[list[float]]:
        """One vector per text (the embeddings API of OpenAI, Ollama, vLLM...)."""
        try:
            answer = await self.client.embeddings.create(model=model, input=texts)
        except (openai.APIError, UnsafeURL) as exc:
            raise failure_of(exc, openai) from exc
        return [item.embedding for item in sorted(answer.data, key=lambda item: item.index)]
