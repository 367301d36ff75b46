"""Anthropic's Messages API through the official `anthropic` package; tools as `tools`,
calls as `tool_use` blocks, results as `tool_result` blocks."""

from collections.abc import AsyncIterator

import anthropic
from anthropic.types import AssistantMessageParam, ContentBlockParam, MessageParam, ToolParam, UserMessageParam

from bots.provider.base import Prompt, Role, ToolCall, Turn, Usage, failure_of
from shared.outbound import UnsafeURL


def _blocks(turn: Turn) -> list[ContentBlockParam]:
    if turn.tool_calls:
        blocks: list[ContentBlockParam] = [{"type": "text", "text": turn.content}] if turn.content else []
        return blocks + [
            {"type": "tool_use", "id": c.id, "name": c.name, "input": c.arguments} for c in turn.tool_calls
        ]
    if turn.tool_results:
        return [{"type": "tool_result", "tool_use_id": r.call_id, "content": r.content} for r in turn.tool_results]
    return [{"type": "text", "text": turn.content}]


def alternating(turns: list[Turn]) -> list[MessageParam]:
    """The API wants user and assistant in turn, starting with the user: merge what is not."""
    merged: list[tuple[Role, list[ContentBlockParam]]] = []
    for turn in turns:
        if merged and merged[-1][0] == turn.role:
            merged[-1][1].extend(_blocks(turn))
        elif merged or turn.role == "user":
            merged.append((turn.role, _blocks(turn)))
    return [_message(role, blocks) for role, blocks in merged]


def _message(role: Role, blocks: list[ContentBlockParam]) -> MessageParam:
    if role == "user":
        return UserMessageParam(role="user", content=blocks)
    return AssistantMessageParam(role="assistant", content=blocks)


class Claude:
    kind = "anthropic"

    def __init__(self, client: anthropic.AsyncAnthropic) -> None:
        self.client = client

    async def stream(self, model: str, prompt: Prompt) -> AsyncIterator[str | ToolCall | Usage]:
        # The Messages API of this SDK takes no temperature: a requested one is not sent.
        tools: list[ToolParam] = [
            {"name": t.name, "description": t.description, "input_schema": t.parameters} for t in prompt.tools
        ]
        try:
            async with self.client.messages.stream(
                model=model,
                max_tokens=prompt.max_tokens,
                messages=alternating(prompt.turns),
                system=prompt.system or anthropic.omit,
                tools=tools or anthropic.omit,
            ) as stream:
                async for text in stream.text_stream:
                    yield text
                final = await stream.get_final_message()
            for block in final.content:
                if block.type == "tool_use":
                    arguments = block.input if isinstance(block.input, dict) else {"_value": block.input}
                    yield ToolCall(block.id, block.name, arguments)
            yield Usage(final.usage.input_tokens, final.usage.output_tokens)
        except (anthropic.APIError, UnsafeURL) as exc:
            raise failure_of(exc, anthropic) from exc
