"""A chat turn in the database: opened (the question stored, the answer's row reserved, the
budget checked, the models chosen) before any provider is called, and closed with what the
answer said, its status and its tokens."""

import asyncio
import contextlib
import uuid
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bots import events
from bots.conversation import service as conversations
from bots.errors import BotNotFound, ConversationNotFound, NothingToConfirm, ProviderNotConfigured
from bots.integration.service import credentials_from
from bots.knowledge.embeddings import Embedder
from bots.knowledge.search import search
from bots.maintenance import STREAMER_ID
from bots.models import Bot, Conversation, Message, Usage, WorkspaceConfig
from bots.provider.base import Citation, Prompt, Source, ToolCall, Turn
from bots.provider.base import Usage as Tokens
from bots.provider.catalog import ModelRef
from bots.provider.registry import PLATFORM_SETTINGS, Credentials
from bots.tool.cache import WorkspaceTools
from bots.toolbox.service import in_workspace
from bots.turn.repository import read_for_turn
from bots.turn.routing import chain, classify
from bots.workspace import service as workspace
from shared.security import Principal


@dataclass
class TurnPlan:
    turn_id: uuid.UUID
    tenant_id: int
    conversation_id: int | None
    bot_id: int | None
    task_type: str
    prompt: Prompt
    models: list[ModelRef]
    # The workspace's integrations of the models' providers, read with the plan (no query
    # before the first token); a provider without one is the platform's, if it has it.
    credentials: dict[str, Credentials] = field(default_factory=dict)
    # Who asked, with their token (tools run as them; none: no tools), and the autonomy of
    # the workspace's agent.
    principal: Principal | None = None
    token: str | None = None
    autonomy: str = "semi"
    # An agent's own tools (None: every tool of the workspace) and knowledge bases (None: all).
    allowed_tools: frozenset[str] | None = None
    knowledge_bases: tuple[int, ...] | None = None
    # Tool calls the user has just approved or rejected (see `confirming`): they come first.
    pending_calls: tuple[ToolCall, ...] = ()
    approved: bool = False
    # Set once the question and the answer's row are committed (see `opening`).
    recorded: asyncio.Event = field(default_factory=asyncio.Event)
    # Set once the provider has the request, or the answer said something or ended: `opening`
    # stores the question after it.
    asked: asyncio.Event = field(default_factory=asyncio.Event)

    @property
    def public_conversation_id(self) -> str | None:
        return conversations.public_id(self.conversation_id) if self.conversation_id else None


# How long storing a question waits for its provider call to be on the wire. A new TLS
# connection can take longer: the commit then goes ahead alongside it.
ASK_WAIT_SECONDS = 0.1


async def until_asked(plan: TurnPlan) -> None:
    """Until the provider has the request (`plan.asked`), at most `ASK_WAIT_SECONDS`."""
    with contextlib.suppress(TimeoutError):
        async with asyncio.timeout(ASK_WAIT_SECONDS):
            await plan.asked.wait()


@dataclass
class Outcome:
    status: str  # complete | interrupted | failed
    text: str
    model: ModelRef | None
    tokens: Tokens = field(default_factory=lambda: Tokens(0, 0))
    error: str | None = None
    tool_calls: list[dict[str, Any]] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)


def _title(message: str) -> str:
    line = " ".join(message.split())
    return line if len(line) <= 60 else line[:57].rstrip() + "..."


async def _history(
    session: AsyncSession, conversation: Conversation, limit: int, *, before: int | None = None
) -> list[Turn]:
    query = select(Message).where(Message.conversation_id == conversation.id, Message.content != "")
    if before is not None:
        query = query.where(Message.id < before)
    rows = await session.scalars(query.order_by(Message.id.desc()).limit(limit))
    return [Turn(m.role, m.content) for m in reversed(list(rows)) if m.role in ("user", "assistant")]  # type: ignore[arg-type]


async def _sources(
    session: AsyncSession, tenant_id: int, bot: Bot | None, question: str, limit: int, embedder: Embedder | None
) -> list[Source]:
    """The chunks of the agent's knowledge bases that best match the question, numbered."""
    if bot is None or not bot.knowledge_base_ids or limit == 0:
        return []
    bases = list(bot.knowledge_base_ids)
    hits = await search(session, tenant_id, question, bases=bases, limit=limit, embedder=embedder)
    return [
        Source(n, h.document_id, h.document, h.chunk_id, h.position, h.start, h.end, h.content)
        for n, h in enumerate(hits, start=1)
    ]


def _knowledge_section(sources: list[Source]) -> str | None:
    if not sources:
        return None
    listed = "\n".join(f"[{s.n}] ({s.document}) {s.content}" for s in sources)
    return ("Responde con este conocimiento cuando sirva y cita los fragmentos que uses como [n]; "
            f"si no basta, dilo.\n{listed}")  # fmt: skip


def _not_configured(models: list[ModelRef], requested: str | None) -> ProviderNotConfigured:
    kinds = sorted({model.provider for model in models})
    settings = [PLATFORM_SETTINGS[kind] for kind in kinds if kind in PLATFORM_SETTINGS]
    how = f"crea una integración de {' o '.join(kinds)} en /api/ai/config/"
    if settings:
        how += f" o pide al operador de la plataforma que configure {' o '.join(settings)}"
    if requested:
        # A model asked for by name has no fallback: its provider must be set up.
        model = models[0]
        return ProviderNotConfigured(f"No hay un proveedor {model.provider} para '{model.label}': {how}.",
                                     fields={"model": [f"Sin proveedor {model.provider}."]})  # fmt: skip
    labels = ", ".join(str(model) for model in models)
    return ProviderNotConfigured(f"Ningún modelo ({labels}) tiene un proveedor configurado: {how}.")


async def _plan(
    session: AsyncSession,
    principal: Principal,
    config: WorkspaceConfig,
    *,
    conversation_id: int | None,
    bot: Bot | None,
    integrations: dict[str, Credentials],
    history: list[Turn],
    turns: list[Turn],
    question: str,
    requested_model: str | None,
    context: str | None,
    temperature: float | None,
    max_tokens: int,
    token: str | None,
    knowledge_chunks: int,
    embedder: Embedder | None,
    platform: frozenset[str],
    catalogue: WorkspaceTools,
) -> TurnPlan:
    """Which models, with which prompt, knowledge and tools (`integrations`: the workspace's,
    by kind). Refused before anything is called when no model has a provider (`platform`: the
    kinds the platform serves every workspace)."""
    task_type = classify(question)
    models = chain(bot, config, task_type, requested_model)
    kinds = {model.provider for model in models} - {"local"}
    credentials = {kind: found for kind, found in integrations.items() if kind in kinds}
    if not any(m.provider == "local" or m.provider in credentials or m.provider in platform for m in models):
        raise _not_configured(models, requested_model)
    sources = await _sources(session, principal.tenant_id, bot, question, knowledge_chunks, embedder)
    instructions = "\n\n".join(part for part in (bot.system_prompt if bot else None, context) if part) or None
    system = "\n\n".join(part for part in (instructions, _knowledge_section(sources)) if part) or None
    allowed = frozenset(bot.tool_names) if bot is not None and bot.tool_names is not None else None
    offered = tuple(await catalogue.specs(session, principal.tenant_id, allowed)) if token else ()
    prompt = Prompt(
        system=system, turns=turns, temperature=temperature, max_tokens=max_tokens,
        knowledge=[part for part in (instructions, *(t.content for t in history)) if part], tools=offered,
        sources=tuple(sources),
    )  # fmt: skip
    return TurnPlan(
        turn_id=uuid.uuid4(), tenant_id=principal.tenant_id,
        conversation_id=conversation_id, bot_id=bot.id if bot else None,
        task_type=task_type, prompt=prompt, models=models, credentials=credentials,
        principal=principal, token=token, autonomy=config.autonomy_level, allowed_tools=allowed,
        knowledge_bases=tuple(bot.knowledge_base_ids) if bot is not None and bot.knowledge_base_ids else None,
    )  # fmt: skip


@dataclass(frozen=True)
class _Read:
    config: WorkspaceConfig
    bot: Bot | None
    integrations: dict[str, Credentials]
    reserved_id: int | None


async def _read(
    session: AsyncSession,
    principal: Principal,
    *,
    bot_id: int | None = None,
    conversation_id: str | None = None,
    new_conversation: bool = False,
) -> _Read:
    """What every turn reads before its provider is called, in one statement (`read_for_turn`):
    the settings (defaults when none are stored), the budget refused when spent, the bot asked
    for (404 when it is not the workspace's) or the conversation's, and the integrations."""
    parsed = conversations.CONVERSATION_ID.parse(conversation_id) if conversation_id is not None else None
    read = await read_for_turn(
        session, principal.tenant_id, bot_id=bot_id, since=workspace.month_start(), new_conversation=new_conversation,
        conversation=(parsed, principal.user_id) if parsed is not None else None,
    )  # fmt: skip
    config = read.config or workspace.default_config(principal.tenant_id)
    if read.used_tokens is not None:
        workspace.check_budget(config, read.used_tokens)
    if bot_id is not None and read.bot is None:
        raise BotNotFound()
    return _Read(config, read.bot, credentials_from(read.integrations), read.reserved_id)


async def _bot_of(
    session: AsyncSession, principal: Principal, conversation: Conversation, known: Bot | None
) -> Bot | None:
    """The locked conversation's bot: the one read with the settings, unless it changed since."""
    if conversation.bot_id is None:
        return None
    if known is not None and known.id == conversation.bot_id:
        return known
    return await in_workspace(session, principal.tenant_id, conversation.bot_id)


def _answer_row(conversation: Conversation, plan: TurnPlan) -> Message:
    return Message(conversation_id=conversation.id, role="assistant", content="", status="streaming",
                   turn_id=plan.turn_id, owner=STREAMER_ID)  # fmt: skip


@contextlib.asynccontextmanager
async def opening(
    sessionmaker: async_sessionmaker[AsyncSession],
    principal: Principal,
    message: str,
    *,
    conversation_id: str | None = None,
    bot_id: int | None = None,
    keep: bool = True,
    requested_model: str | None = None,
    context: str | None = None,
    temperature: float | None = None,
    max_tokens: int,
    history_messages: int,
    token: str | None = None,
    knowledge_chunks: int = 4,
    embedder: Embedder | None = None,
    platform: frozenset[str],
    catalogue: WorkspaceTools,
) -> AsyncIterator[TurnPlan]:
    """Checks and plans a turn, yields the plan, then stores the question and the answer's row.

    The caller starts the answer inside the block: the provider is already thinking while the
    question is committed (the time to the first token is the provider's, not the database's),
    and the commit waits until the request is sent (`plan.asked`, at most `ASK_WAIT_SECONDS`,
    the session's pooled connection held meanwhile): its work on this event loop would
    otherwise delay the call by 1.5-3 ms (issue 25). A turn that stores nothing does not wait.
    `close_turn` waits for that commit (`plan.recorded`); a failed one raises here.
    """
    async with sessionmaker() as session, session.begin():
        new = conversation_id is None and keep
        read = await _read(session, principal, bot_id=bot_id if conversation_id is None else None,
                           conversation_id=conversation_id, new_conversation=new)  # fmt: skip
        conversation: Conversation | None = None
        bot = read.bot
        if conversation_id is not None:
            conversation = await conversations.get(session, principal, conversation_id, lock=True)
            bot = await _bot_of(session, principal, conversation, read.bot)
        history = await _history(session, conversation, history_messages) if conversation else []
        plan = await _plan(
            session, principal, read.config, conversation_id=conversation.id if conversation else read.reserved_id,
            bot=bot, integrations=read.integrations, history=history, turns=[*history, Turn("user", message)],
            question=message, requested_model=requested_model, context=context, temperature=temperature,
            max_tokens=max_tokens, token=token, knowledge_chunks=knowledge_chunks, embedder=embedder,
            platform=platform, catalogue=catalogue,
        )  # fmt: skip
        yield plan
        if new or conversation is not None:  # something to store: once the provider has the request
            await until_asked(plan)
        # Stored while the provider is already thinking: the new conversation under the id its
        # plan (and the client's `X-Conversation-Id`) already carries.
        if new:
            conversation = await conversations.create(session, principal, _title(message), bot,
                                                      reserved_id=read.reserved_id)  # fmt: skip
            await conversations.announce(session, conversation)
        if conversation is not None:
            question = Message(conversation_id=conversation.id, role="user", content=message, status="complete")
            session.add_all([question, _answer_row(conversation, plan)])
            conversation.message_count += 2
            conversation.updated_at = datetime.now(UTC)
    plan.recorded.set()


@contextlib.asynccontextmanager
async def confirming(
    sessionmaker: async_sessionmaker[AsyncSession],
    principal: Principal,
    conversation_id: str,
    *,
    approve: bool,
    token: str,
    max_tokens: int,
    history_messages: int,
    knowledge_chunks: int = 4,
    embedder: Embedder | None = None,
    platform: frozenset[str],
    catalogue: WorkspaceTools,
) -> AsyncIterator[TurnPlan]:
    """Like `opening`, for the answer that waits on tools: it goes on with the calls approved
    (they run first) or rejected (the model is told so)."""
    async with sessionmaker() as session, session.begin():
        read = await _read(session, principal, conversation_id=conversation_id)
        conversation = await conversations.get(session, principal, conversation_id, lock=True)
        waiting = await session.scalar(
            select(Message)
            .where(Message.conversation_id == conversation.id, Message.role == "assistant")
            .order_by(Message.id.desc())
            .limit(1)
        )
        if waiting is None or waiting.status != "pending":
            raise NothingToConfirm()
        bot = await _bot_of(session, principal, conversation, read.bot)
        history = await _history(session, conversation, history_messages, before=waiting.id)
        calls = tuple(ToolCall(c["id"], c["tool"], c["params"]) for c in waiting.tool_calls or [])
        question = next((t.content for t in reversed(history) if t.role == "user"), "")
        plan = await _plan(
            session, principal, read.config, conversation_id=conversation.id, bot=bot, integrations=read.integrations,
            history=history, turns=[*history, Turn("assistant", waiting.content, tool_calls=calls)], question=question,
            requested_model=None, context=None, temperature=None, max_tokens=max_tokens, token=token,
            knowledge_chunks=knowledge_chunks, embedder=embedder, platform=platform, catalogue=catalogue,
        )  # fmt: skip
        plan.pending_calls, plan.approved = calls, approve
        yield plan
        decided = "approved" if approve else "rejected"
        waiting.tool_calls = [
            {**c, "status": decided if c.get("status") == "pending" else c.get("status")}
            for c in waiting.tool_calls or []
        ]
        waiting.status = "complete"
        session.add(_answer_row(conversation, plan))
        conversation.message_count += 1
        conversation.updated_at = datetime.now(UTC)
    plan.recorded.set()


async def close_turn(sessionmaker: async_sessionmaker[AsyncSession], plan: TurnPlan, outcome: Outcome) -> None:
    await plan.recorded.wait()  # the question and the answer's row are committed
    async with sessionmaker() as session, session.begin():
        model = outcome.model
        if plan.conversation_id is not None:
            await session.execute(
                update(Message)
                .where(Message.turn_id == plan.turn_id)
                .values(
                    content=outcome.text, status=outcome.status, model=str(model) if model else None,
                    tool_calls=outcome.tool_calls or None, citations=outcome.citations or None,
                    input_tokens=outcome.tokens.input_tokens, output_tokens=outcome.tokens.output_tokens,
                )
            )  # fmt: skip
            await session.execute(
                update(Conversation).where(Conversation.id == plan.conversation_id).values(updated_at=datetime.now(UTC))
            )
        if model is not None and (outcome.tokens.input_tokens or outcome.tokens.output_tokens):
            session.add(Usage(
                tenant_id=plan.tenant_id, bot_id=plan.bot_id, provider=model.provider, model=model.label,
                input_tokens=outcome.tokens.input_tokens, output_tokens=outcome.tokens.output_tokens,
            ))  # fmt: skip
        event = events.AnswerCompleted(
            conversation_id=plan.public_conversation_id, bot_id=plan.bot_id,
            provider=model.provider if model else "", model=model.label if model else "", status=outcome.status,
            input_tokens=outcome.tokens.input_tokens, output_tokens=outcome.tokens.output_tokens,
        )  # fmt: skip
        await events.outbox.emit(session, event, tenant_id=plan.tenant_id)


async def turn_of(
    session: AsyncSession, principal: Principal, conversation_id: str, turn_id: uuid.UUID | None
) -> uuid.UUID:
    """The answer to resume: the one named, if it is this conversation's, or its latest."""
    conversation = await conversations.get(session, principal, conversation_id)
    query = select(Message.turn_id).where(Message.conversation_id == conversation.id, Message.turn_id.is_not(None))
    if turn_id is not None:
        query = query.where(Message.turn_id == turn_id)
    found = await session.scalar(query.order_by(Message.id.desc()).limit(1))
    if found is None:
        raise ConversationNotFound("No hay una respuesta así en esta conversación.")
    return found


async def turn_to_resume(
    sessionmaker: async_sessionmaker[AsyncSession],
    principal: Principal,
    conversation_id: str,
    turn_id: uuid.UUID | None,
) -> uuid.UUID:
    """`turn_of` in a unit of work of its own: a resumed stream outlives any request's session,
    so it holds none while it streams."""
    async with sessionmaker() as session, session.begin():
        return await turn_of(session, principal, conversation_id, turn_id)
