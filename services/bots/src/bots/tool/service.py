"""Running a tool: its parameters checked against its JSON Schema, the run itself, and
`bots.tool.executed` recorded (002's `tool.executed` webhook event)."""

from typing import Any

import jsonschema
from pydantic import JsonValue
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bots import events
from bots.errors import ToolError, ToolFailed, ToolForbidden, ToolNotFound, ToolRefused, ToolTargetNotFound
from bots.learned import service as learned
from bots.learned.service import Outbound
from bots.provider.base import ToolSpec
from bots.tool.agro import TOOLS as AGRO_TOOLS
from bots.tool.knowledge import TOOLS as KNOWLEDGE_TOOLS
from bots.tooling import Tool, ToolContext
from shared.errors import InvalidRequest

BUILTIN: dict[str, Tool] = {tool.name: tool for tool in [*AGRO_TOOLS, *KNOWLEDGE_TOOLS]}


def available() -> list[Tool]:
    return sorted(BUILTIN.values(), key=lambda tool: (tool.category, tool.name))


async def for_workspace(session: AsyncSession, tenant_id: int, outbound: Outbound) -> dict[str, Tool]:
    """The built-in tools and the operations of the workspace's learned APIs."""
    found = dict(BUILTIN)
    for api in await learned.listing(session, tenant_id):
        found.update({tool.name: tool for tool in learned.tools_of(api, outbound)})
    return found


async def specs_for(session: AsyncSession, tenant_id: int, only: frozenset[str] | None = None) -> list[ToolSpec]:
    """What the model is offered: every tool of the workspace (`only`: an agent's own tools),
    as name, description, schema."""
    specs = [ToolSpec(t.name, t.description, t.parameters) for t in available()]
    for api in await learned.listing(session, tenant_id):
        specs += [ToolSpec(learned.tool_name(api, op), op["summary"], op["parameters"]) for op in api.operations]
    return [spec for spec in specs if only is None or spec.name in only]


def find(tools: dict[str, Tool], name: str) -> Tool:
    tool = tools.get(name)
    if tool is None:
        raise ToolNotFound(f"No existe el tool '{name}'.", details={"available": sorted(tools)})
    return tool


def check_parameters(tool: Tool, parameters: dict[str, Any]) -> None:
    """400 saying what is wrong, as JSON Schema sees it."""
    validator = jsonschema.Draft202012Validator(tool.parameters, format_checker=jsonschema.FormatChecker())
    problems = sorted(validator.iter_errors(parameters), key=lambda error: list(error.absolute_path))
    if problems:
        fields: dict[str, list[str]] = {}
        for problem in problems:
            where = ".".join(str(part) for part in problem.absolute_path) or "parameters"
            fields.setdefault(where, []).append(problem.message)
        raise InvalidRequest(f"Parámetros inválidos para '{tool.name}': {problems[0].message}.", fields=fields)


async def execute(
    sessionmaker: async_sessionmaker[AsyncSession],
    tool: Tool,
    parameters: dict[str, Any],
    context: ToolContext,
    *,
    conversation_id: str | None = None,
) -> JsonValue:
    """Runs a checked call; raises ToolError when the tool fails. Either way it is recorded."""
    check_parameters(tool, parameters)
    try:
        result, error, status = await tool.run(context, parameters), None, None
    except ToolFailed as exc:
        result, error, status = None, exc.message, exc.status
    async with sessionmaker() as session, session.begin():
        event = events.ToolExecuted(
            tool=tool.name, category=tool.category, ok=error is None, error=error, conversation_id=conversation_id,
            user_id=context.principal.user_id,
        )  # fmt: skip
        await events.outbox.emit(session, event, tenant_id=context.principal.tenant_id)
    if error is not None:
        raise _refusal(status)(f"'{tool.name}' falló: {error}")
    return result


def _refusal(platform_status: int | None) -> type[ToolError]:
    """What the platform said no with (404: not yours or not there; 403: not allowed; another
    4xx: a bad call), or that it could not answer at all (no answer, or a 5xx)."""
    if platform_status == 404:
        return ToolTargetNotFound
    if platform_status == 403:
        return ToolForbidden
    if platform_status is not None and 400 <= platform_status < 500:
        return ToolRefused
    return ToolError
