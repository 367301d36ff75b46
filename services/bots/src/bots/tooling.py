"""Tools: what the agent (and `POST /api/tools/execute`) may run. Each has a name, a
description, a category, JSON-Schema parameters (002's shape) and whether it changes
something (a mutating tool waits for the user's confirmation unless the workspace's
`autonomy_level` is `auto`).

Shared by the nouns that make tools (`bots.tool`'s built-ins, `bots.learned`'s operations of
a learned API) and those that run them (`bots.tool.service`, `bots.turn`): `bots.tool`
gathers a workspace's tools from `bots.learned`, so the shape both use sits below both."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from pydantic import JsonValue
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bots.knowledge.embeddings import Embedder
from shared.security import Principal


@dataclass(frozen=True)
class ToolContext:
    """Who runs a tool: the caller, with the token they came with (the platform's own API is
    called as them, so a tool sees exactly what its user may see)."""

    principal: Principal
    token: str
    platform: httpx.AsyncClient  # base URL: the gateway
    sessionmaker: async_sessionmaker[AsyncSession] | None = None  # for tools that read bots' own tables
    # The knowledge bases an agent answers from (None: every base of the workspace).
    knowledge_bases: tuple[int, ...] | None = None
    embedder: Embedder | None = None  # search by meaning, where set up


# A tool's answer goes to the model and to `/api/tools/execute` as JSON.
Run = Callable[[ToolContext, dict[str, Any]], Awaitable[JsonValue]]


@dataclass(frozen=True)
class Tool:
    name: str
    description: str
    category: str
    parameters: dict[str, Any]
    run: Run
    mutating: bool = False
    # Kept out of 002's answer; for the agent loop and the audit trail.
    extra: dict[str, Any] = field(default_factory=dict)


def object_schema(properties: dict[str, Any], required: list[str] | None = None) -> dict[str, Any]:
    return {"type": "object", "properties": properties, "required": required or [], "additionalProperties": False}
