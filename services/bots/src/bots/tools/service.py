"""Running a tool: its parameters checked against its JSON Schema, the run itself, and
`bots.tool.executed` recorded (002's `tool.executed` webhook event)."""

from typing import Any

import jsonschema
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bots import events
from bots.learned import service as learned
from bots.learned.service import Outbound
from bots.providers.base import ToolSpec
from bots.tools.agro import TOOLS as AGRO_TOOLS
from bots.tools.knowledge import TOOLS as KNOWLEDGE_TOOLS
from bots.tools.registry import Tool, ToolContext, ToolFailed
from shared.errors import InvalidRequest, NotFound, ServiceError

BUILTIN: dict[str, Tool] = {tool.name: tool for tool in [*AGRO_TOOLS, *KNOWLEDGE_TOOLS]}


class ToolNotFound(NotFound):
    code = "TOOL_NOT_FOUND"
    message = "Tool no encontrado."


class ToolError(ServiceError):
    status_code = 502
    code = "TOOL_FAILED"
    message = "El tool no pudo completarse."


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
) -> Any:
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
        raise ToolError(f"'{tool.name}' falló: {error}", status_code=_status_of(status))
    return result


def _status_of(platform_status: int | None) -> int:
    """What the platform said no with (404: not yours or not there; 403: not allowed), or 502
    when it could not answer at all."""
    if platform_status in (403, 404):
        return platform_status
    return 400 if platform_status is not None and 400 <= platform_status < 500 else 502
