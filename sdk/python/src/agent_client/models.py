"""Typed models of the answers the SDK's own methods return (other operations answer the
platform's JSON as dicts and lists). Unknown fields are kept: the platform may add some."""

from typing import Any

from pydantic import BaseModel, ConfigDict


class Model(BaseModel):
    model_config = ConfigDict(extra="allow")


class Tokens(Model):
    input: int
    output: int


class ChatAnswer(Model):
    """002's answer of `/api/chat` (and of an agent's chat)."""

    conversation_id: str | None
    content: str
    status: str
    model: str | None = None
    provider: str | None = None
    tokens: Tokens | None = None
    citations: list[dict[str, Any]] = []


class ChatEvent(Model):
    """One Server-Sent Event of a streamed answer: `thinking`, `tool_call`, `tool_result`,
    `message` (a text delta in `content`), `error` or `done`; `id` resumes after it."""

    type: str
    id: str | None = None
    content: str | None = None
    tool: str | None = None
    params: dict[str, Any] | None = None
    result: Any = None
    status: str | None = None
    conversation_id: str | None = None


class Tool(Model):
    name: str
    description: str
    category: str
    parameters: dict[str, Any]


class ToolRun(Model):
    tool: str
    result: Any
