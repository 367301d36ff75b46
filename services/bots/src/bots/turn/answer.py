"""Producing an answer: the models of the plan in order, falling back to the next one when a
provider answers 429 or 5xx, times out or is not configured, before it has said anything.

The model may call tools (native tool calling): each call and its result are events
(`tool_call`, `tool_result`) and are stored with the answer; the results go back to the
model, for at most `agent_max_steps` rounds. A tool that changes something waits for the
user's confirmation unless the workspace's `autonomy_level` is `auto` (`manual`: every tool
waits): the answer then ends as `pending`. Every step is an event: `thinking`, `message`
(text deltas), `tool_call`, `tool_result`, then `done` (or `error` and `done`); the outcome
is stored when it ends, however it ends."""

import asyncio
import json
import logging
import re
from dataclasses import dataclass, field, replace
from typing import Any

import httpx
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bots.errors import ProviderFailed
from bots.knowledge.embeddings import Embedder
from bots.learned.service import Outbound
from bots.provider.base import Citation, Cited, Provider, Source, ToolCall, ToolResult, Turn, Usage
from bots.provider.catalog import ModelRef
from bots.provider.metrics import measured
from bots.provider.registry import Providers
from bots.provider.sent import on_request_sent
from bots.tool import service as tools
from bots.tool.cache import WorkspaceTools
from bots.tool.knowledge import NAME as SEARCH_KNOWLEDGE
from bots.tooling import Tool, ToolContext
from bots.turn.live import TERMINAL, Event, LiveTurn, Turns
from bots.turn.service import Outcome, TurnPlan, close_turn, until_asked
from shared.errors import ServiceError

logger = logging.getLogger(__name__)


def needs_confirmation(tool: Tool, autonomy: str) -> bool:
    return autonomy == "manual" or (autonomy == "semi" and tool.mutating)


@dataclass
class Progress:
    """What one model has said so far (text, tool calls) and the tokens it used."""

    parts: list[str] = field(default_factory=list)
    calls: list[dict[str, Any]] = field(default_factory=list)
    tokens: Usage = field(default_factory=lambda: Usage(0, 0))
    # What the local provider quoted, and the chunks the knowledge-search tool found.
    quoted: list[Cited] = field(default_factory=list)
    found: list[Citation] = field(default_factory=list)

    @property
    def said_something(self) -> bool:
        return bool(self.parts or self.calls)

    def add(self, usage: Usage) -> None:
        self.tokens = Usage(self.tokens.input_tokens + usage.input_tokens,
                            self.tokens.output_tokens + usage.output_tokens)  # fmt: skip


class Answerer:
    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        providers: Providers,
        turns: Turns,
        *,
        platform: httpx.AsyncClient,
        outbound: Outbound | None = None,
        embedder: Embedder | None = None,
        max_steps: int = 5,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.providers = providers
        self.turns = turns
        self.platform = platform  # httpx client of the gateway, for tools
        # The workspace's tools, kept per replica until a learned API changes (`follow` it).
        self.catalogue = WorkspaceTools(outbound)
        self.embedder = embedder  # for the knowledge-search tool
        self.max_steps = max_steps

    async def tools_of(self, plan: TurnPlan) -> dict[str, Tool]:
        """The tools this answer may run: the workspace's, or the agent's own."""
        async with self.sessionmaker() as session:
            found = await self.catalogue.tools(session, plan.tenant_id)
        return {name: tool for name, tool in found.items() if plan.allowed_tools is None or name in plan.allowed_tools}

    def start(self, plan: TurnPlan) -> LiveTurn:
        async def work(turn: LiveTurn) -> None:
            with on_request_sent(plan.asked.set):
                await self.produce(turn, plan)

        async def abandoned(turn: LiveTurn) -> None:
            text = "".join(e["content"] for e in turn.events if e["type"] == "message")
            deltas = sum(1 for e in turn.events if e["type"] == "message")
            # The provider never said how many tokens: each delta counts as one.
            outcome = Outcome("interrupted", text, turn.model, Usage(0, deltas), "el cliente se fue")
            await close_turn(self.sessionmaker, plan, outcome)
            turn.emit(self._done(plan, outcome))

        return self.turns.start(plan.turn_id, work, on_abandon=abandoned, after=lambda: until_asked(plan))

    def provider(self, plan: TurnPlan, kind: str) -> Provider:
        """The workspace's integration of `kind` (read with the plan), or else the platform's."""
        return self.providers.get(kind, plan.credentials.get(kind))

    async def produce(self, turn: LiveTurn, plan: TurnPlan) -> None:
        first = plan.models[0]
        turn.emit({"type": "thinking", "content": f"Pregunta {_kind(plan.task_type)}: responde {first}."})
        failures: list[str] = []
        outcome = Outcome("failed", "", None, error="sin modelos")
        for position, ref in enumerate(plan.models):
            progress = Progress()
            turn.model = ref
            try:
                provider = self.provider(plan, ref.provider)
                outcome = await self.converse(turn, plan, ref, provider, progress)
                break
            except Exception as exc:  # a provider's failure, or a bug: stored and told, never lost
                if not isinstance(exc, ProviderFailed):
                    logger.exception("provider call broke", extra={"model": str(ref)})
                    exc = ProviderFailed("error interno", retryable=False)
                failures.append(f"{ref}: {exc.reason}")
                logger.warning("provider failed", extra={"model": str(ref), "reason": exc.reason})
                last = position == len(plan.models) - 1
                if progress.said_something or not exc.retryable or last:
                    status = "interrupted" if progress.said_something else "failed"
                    tokens = Usage(progress.tokens.input_tokens, progress.tokens.output_tokens + len(progress.parts))
                    outcome = Outcome(status, "".join(progress.parts), ref, tokens, "; ".join(failures),
                                      tool_calls=progress.calls)  # fmt: skip
                    break
                following = plan.models[position + 1]
                turn.emit({"type": "thinking", "content": f"{ref} no respondió ({exc.reason}); pruebo {following}."})
        plan.asked.set()  # nothing more to wait for before the question is stored
        await close_turn(self.sessionmaker, plan, outcome)
        if outcome.status == "failed":
            turn.emit({"type": "error", "content": f"Ningún modelo respondió: {outcome.error}."})
        turn.emit(self._done(plan, outcome))

    async def converse(
        self, turn: LiveTurn, plan: TurnPlan, ref: ModelRef, provider: Provider, progress: Progress
    ) -> Outcome:
        """One model's answer: rounds of text and tool calls until it answers in words."""
        prompt = plan.prompt if ref.provider != "local" else replace(plan.prompt, tools=())
        if plan.pending_calls and not progress.calls:  # the user's decision on the calls that waited
            results = await self.decided(turn, plan, progress)
            prompt = prompt.followed_by(Turn("user", "", tool_results=tuple(results)))
        for step in range(self.max_steps + 1):
            said: list[str] = []
            calls: list[ToolCall] = []
            try:
                async for item in measured(provider, ref.model, prompt):
                    plan.asked.set()  # a provider without HTTP (local) has it by now
                    if isinstance(item, Usage):
                        progress.add(item)
                    elif isinstance(item, Cited):
                        progress.quoted.append(item)
                    elif isinstance(item, ToolCall):
                        calls.append(item)
                    else:
                        said.append(item)
                        progress.parts.append(item)
                        turn.emit({"type": "message", "content": item})
                        # Its followers write it out before this task goes back down the
                        # provider's stream to wait for the next piece (0.1-0.2 ms of Python).
                        await asyncio.sleep(0)
            except ProviderFailed as exc:
                # Many local models (an Ollama model without tool support) refuse a request
                # that offers tools with a 400: the same model is asked again without them.
                if exc.status != 400 or not prompt.tools or progress.said_something:
                    raise
                turn.emit({"type": "thinking", "content": f"{ref} no admite tools; respondo sin ellas."})
                prompt = replace(prompt, tools=())
                continue
            text = "".join(progress.parts)
            if not calls:
                return self._outcome("complete", text, ref, plan, progress)
            if step == self.max_steps:
                turn.emit({"type": "thinking", "content": f"Límite de {self.max_steps} rondas de tools alcanzado."})
                return self._outcome("complete", text, ref, plan, progress)
            results, waiting = await self.run_tools(turn, plan, calls, progress)
            if waiting:
                return self._outcome("pending", text, ref, plan, progress)
            prompt = prompt.followed_by(
                Turn("assistant", "".join(said), tool_calls=tuple(calls)), Turn("user", "", tool_results=tuple(results))
            )
        raise AssertionError("the loop returns within max_steps + 1 rounds")

    async def run_tools(
        self, turn: LiveTurn, plan: TurnPlan, calls: list[ToolCall], progress: Progress
    ) -> tuple[list[ToolResult], bool]:
        """Runs the calls it may; returns their results and whether one waits for confirmation."""
        results: list[ToolResult] = []
        waiting = False
        available = await self.tools_of(plan)
        for call in calls:
            tool = available.get(call.name)
            record: dict[str, Any] = {"id": call.id, "tool": call.name, "params": call.arguments}
            pending = tool is not None and needs_confirmation(tool, plan.autonomy)
            turn.emit({"type": "tool_call", "id": call.id, "tool": call.name, "params": call.arguments,
                       **({"requires_confirmation": True} if pending else {})})  # fmt: skip
            progress.calls.append(record)
            if pending:
                record["status"] = "pending"
                waiting = True
                continue
            record.update(await self.run_tool(plan, tool, call))
            _note_found(progress, call, record)
            results.append(_told(turn, call, record))
        return results, waiting

    async def decided(self, turn: LiveTurn, plan: TurnPlan, progress: Progress) -> list[ToolResult]:
        """Runs the calls the user approved, or tells the model they were rejected."""
        results = []
        available = await self.tools_of(plan)
        for call in plan.pending_calls:
            record: dict[str, Any] = {"id": call.id, "tool": call.name, "params": call.arguments}
            if plan.approved:
                record.update(await self.run_tool(plan, available.get(call.name), call))
                _note_found(progress, call, record)
            else:
                record.update({"status": "rejected", "error": "El usuario rechazó ejecutar este tool."})
            progress.calls.append(record)
            results.append(_told(turn, call, record))
        return results

    async def run_tool(self, plan: TurnPlan, tool: Tool | None, call: ToolCall) -> dict[str, Any]:
        if tool is None:
            return {"status": "failed", "error": f"No existe el tool '{call.name}'."}
        if plan.principal is None or plan.token is None:
            return {"status": "failed", "error": "Los tools no están disponibles aquí."}
        context = ToolContext(
            plan.principal, plan.token, self.platform, self.sessionmaker, plan.knowledge_bases, self.embedder
        )
        try:
            result = await tools.execute(
                self.sessionmaker, tool, call.arguments, context, conversation_id=plan.public_conversation_id
            )
        except ServiceError as exc:
            return {"status": "failed", "error": exc.message}
        return {"status": "done", "result": result}

    @staticmethod
    def _outcome(status: str, text: str, ref: ModelRef, plan: TurnPlan, progress: Progress) -> Outcome:
        citations = _citations(text, plan.prompt.sources, progress)
        return Outcome(status, text, ref, progress.tokens, tool_calls=progress.calls, citations=citations)

    @staticmethod
    def _done(plan: TurnPlan, outcome: Outcome) -> Event:
        return {
            "type": TERMINAL,
            "status": outcome.status,
            "conversation_id": plan.public_conversation_id,
            "model": outcome.model.label if outcome.model else None,
            "provider": outcome.model.provider if outcome.model else None,
            "tokens": {"input": outcome.tokens.input_tokens, "output": outcome.tokens.output_tokens},
            **({"error": outcome.error} if outcome.error else {}),
            **({"citations": outcome.citations} if outcome.citations else {}),
        }


_MARK = re.compile(r"\[(\d{1,3})\]")


def _citations(text: str, sources: tuple[Source, ...], progress: Progress) -> list[Citation]:
    """The knowledge an answer drew from: what the local provider quoted (with the quotes'
    offsets); else the chunks the answer marks as [n] (all it was given when it marks none);
    and the chunks the knowledge-search tool returned to it."""
    if progress.quoted:
        cited = [quote.source.citation(quote.start, quote.end) for quote in progress.quoted]
    else:
        marked = {int(n) for n in _MARK.findall(text)}
        used = [s for s in sources if s.n in marked] or list(sources)
        cited = [source.citation() for source in used]
    return cited + progress.found


def _note_found(progress: Progress, call: ToolCall, record: dict[str, Any]) -> None:
    if call.name != SEARCH_KNOWLEDGE or record.get("status") != "done":
        return
    for hit in record["result"]["results"]:
        progress.found.append(Citation(
            tool_call=call.id, document_id=hit["document_id"], document=hit["document"], chunk_id=hit["chunk_id"],
            position=hit["position"], start=hit["start"], end=hit["end"],
        ))  # fmt: skip


def _told(turn: LiveTurn, call: ToolCall, record: dict[str, Any]) -> ToolResult:
    """A call's outcome as the client sees it (`tool_result`) and as the model gets it back."""
    outcome = {k: v for k, v in record.items() if k in ("result", "error")}
    turn.emit({"type": "tool_result", "id": call.id, "tool": call.name, **outcome})
    said = record.get("result", {"error": record.get("error")})
    return ToolResult(call.id, call.name, json.dumps(said, ensure_ascii=False, default=str))


def _kind(task_type: str) -> str:
    return "compleja" if task_type == "complex" else "simple"
