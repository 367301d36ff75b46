"""Producing an answer: the models of the plan in order, falling back to the next one when a
provider answers 429 or 5xx, times out or is not configured, before it has said anything.
Every step is an event: `thinking`, `message` (text deltas), then `done` (or `error` and
`done`); the outcome is stored when it ends, however it ends."""

import logging
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bots.integrations.service import credentials_for
from bots.providers.base import Provider, ProviderFailed, Usage
from bots.providers.registry import Providers
from bots.turns.live import TERMINAL, LiveTurn, Turns
from bots.turns.service import Outcome, TurnPlan, close_turn

logger = logging.getLogger(__name__)


class Answerer:
    def __init__(self, sessionmaker: async_sessionmaker[AsyncSession], providers: Providers, turns: Turns) -> None:
        self.sessionmaker = sessionmaker
        self.providers = providers
        self.turns = turns

    def start(self, plan: TurnPlan) -> LiveTurn:
        async def work(turn: LiveTurn) -> None:
            await self.produce(turn, plan)

        async def abandoned(turn: LiveTurn) -> None:
            text = "".join(e["content"] for e in turn.events if e["type"] == "message")
            deltas = sum(1 for e in turn.events if e["type"] == "message")
            # The provider never said how many tokens: each delta counts as one.
            outcome = Outcome("interrupted", text, turn.model, Usage(0, deltas), "el cliente se fue")
            await close_turn(self.sessionmaker, plan, outcome)
            turn.emit(self._done(plan, outcome))

        return self.turns.start(plan.turn_id, work, on_abandon=abandoned)

    async def provider(self, plan: TurnPlan, kind: str) -> Provider:
        if kind == "local":
            return self.providers.get(kind, None)
        credentials = plan.first_credentials
        if credentials is None or credentials.kind != kind:
            async with self.sessionmaker() as session:
                credentials = await credentials_for(session, plan.tenant_id, kind)
        return self.providers.get(kind, credentials)

    async def produce(self, turn: LiveTurn, plan: TurnPlan) -> None:
        first = plan.models[0]
        turn.emit({"type": "thinking", "content": f"Pregunta {_kind(plan.task_type)}: responde {first}."})
        failures: list[str] = []
        outcome = Outcome("failed", "", None, error="sin modelos")
        for position, ref in enumerate(plan.models):
            parts: list[str] = []
            tokens = Usage(0, 0)
            turn.model = ref
            try:
                provider = await self.provider(plan, ref.provider)
                async for item in provider.stream(ref.model, plan.prompt):
                    if isinstance(item, Usage):
                        tokens = item
                    else:
                        parts.append(item)
                        turn.emit({"type": "message", "content": item})
                outcome = Outcome("complete", "".join(parts), ref, tokens)
                break
            except Exception as exc:  # a provider's failure, or a bug: stored and told, never lost
                if not isinstance(exc, ProviderFailed):
                    logger.exception("provider call broke", extra={"model": str(ref)})
                    exc = ProviderFailed("error interno", retryable=False)
                failures.append(f"{ref}: {exc.reason}")
                logger.warning("provider failed", extra={"model": str(ref), "reason": exc.reason})
                last = position == len(plan.models) - 1
                if parts or not exc.retryable or last:
                    status = "interrupted" if parts else "failed"
                    outcome = Outcome(status, "".join(parts), ref, Usage(tokens.input_tokens, len(parts)),
                                      "; ".join(failures))  # fmt: skip
                    break
                following = plan.models[position + 1]
                turn.emit({"type": "thinking", "content": f"{ref} no respondió ({exc.reason}); pruebo {following}."})
        await close_turn(self.sessionmaker, plan, outcome)
        if outcome.status == "failed":
            turn.emit({"type": "error", "content": f"Ningún modelo respondió: {outcome.error}."})
        turn.emit(self._done(plan, outcome))

    @staticmethod
    def _done(plan: TurnPlan, outcome: Outcome) -> dict[str, Any]:
        return {
            "type": TERMINAL,
            "status": outcome.status,
            "conversation_id": plan.public_conversation_id,
            "model": outcome.model.label if outcome.model else None,
            "provider": outcome.model.provider if outcome.model else None,
            "tokens": {"input": outcome.tokens.input_tokens, "output": outcome.tokens.output_tokens},
            **({"error": outcome.error} if outcome.error else {}),
        }


def _kind(task_type: str) -> str:
    return "compleja" if task_type == "complex" else "simple"
