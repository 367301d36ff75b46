"""What a turn reads before its provider is called, in-process in a rolled-back transaction:
one statement for a new conversation (each round trip there is time to the first token), and
the same answers as the separate reads gave: settings, budget, bot, integrations."""

import asyncio
from collections.abc import AsyncIterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event, func, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bots.errors import BotNotFound
from bots.main import create_app
from bots.models import Bot, BotModel, Conversation, Integration, Message, Usage, WorkspaceConfig, outbox_table
from bots.tool.cache import WorkspaceTools
from bots.turn.service import opening
from bots.workspace.service import BudgetExhausted
from devstack.inprocess import in_process
from devstack.stack import Stack
from shared.security import Principal

TENANT = 900_000_031
OTHER = 900_000_032
# Long enough for PostgreSQL's base64 to wrap it over several lines.
SEALED = bytes(range(256)) * 2


@dataclass
class Harness:
    session: AsyncSession
    sessionmaker: async_sessionmaker[AsyncSession]
    statements: list[str]


@pytest.fixture
async def bots(platform_database: Stack) -> AsyncIterator[Harness]:
    url = platform_database.superuser_dsn.replace("postgresql://", "postgresql+asyncpg://")
    app = create_app()
    async with in_process(app, database_url=url, schema="bots") as harness:
        statements: list[str] = []
        connection = await harness.session.connection()
        assert connection.sync_connection is not None

        def executed(*args: Any) -> None:
            statements.append(args[2])

        # SQLAlchemy's statements, and the ones asyncpg runs itself (`DriverRead`), which its
        # query logger reports (soon after: `_reads` waits for it).
        event.listen(connection.sync_connection, "before_cursor_execute", executed)
        driver = (await connection.get_raw_connection()).driver_connection
        assert driver is not None
        driver.add_query_logger(lambda logged: statements.append(logged.query))
        yield Harness(harness.session, app.state.sessionmaker, statements)


@pytest.fixture
def principal() -> Principal:
    return Principal(7, TENANT, "admin", "jti-1", 2**31)


async def _bot(session: AsyncSession, tenant_id: int = TENANT) -> Bot:
    bot = Bot(tenant_id=tenant_id, owner_id=7, name="b", system_prompt="Eres breve.", knowledge_base_ids=[])
    session.add(bot)
    await session.flush()
    session.add_all([
        BotModel(bot_id=bot.id, provider="openai", model_id="gpt-4o-mini", task_type="simple"),
        BotModel(bot_id=bot.id, provider="anthropic", model_id="claude-3-5-haiku-latest", task_type="simple"),
        BotModel(bot_id=bot.id, provider="openai", model_id="gpt-4o", task_type="complex"),
    ])  # fmt: skip
    await session.flush()
    session.expunge_all()  # the turn reads them itself
    return bot


def _opening(bots: Harness, principal: Principal, **options: Any) -> Any:
    return opening(
        bots.sessionmaker, principal, "hola", max_tokens=100, history_messages=10, platform=frozenset(),
        catalogue=WorkspaceTools(None), **options,
    )  # fmt: skip


async def _reads(statements: list[str]) -> list[str]:
    await asyncio.sleep(0)  # asyncpg calls its query loggers soon after, not at once
    return [s for s in statements if not s.startswith(("SAVEPOINT", "RELEASE SAVEPOINT", "BEGIN"))]


async def test_a_new_turn_reads_everything_in_one_statement(bots: Harness, principal: Principal) -> None:
    bot = await _bot(bots.session)
    bots.session.add_all([
        Integration(tenant_id=TENANT, nombre="off", provider="openai", api_key_sealed=b"x", enabled=False),
        Integration(tenant_id=TENANT, nombre="on", provider="openai", base_url="http://10.0.0.1/v1",
                    api_key_sealed=SEALED),
        Integration(tenant_id=TENANT, nombre="later", provider="openai", api_key_sealed=b"y"),
        Integration(tenant_id=TENANT, nombre="claude", provider="anthropic", api_key_sealed=None),
        Integration(tenant_id=OTHER, nombre="theirs", provider="openai", api_key_sealed=b"z"),
    ])  # fmt: skip
    await bots.session.flush()
    bots.statements.clear()

    async with _opening(bots, principal, bot_id=bot.id) as plan:
        assert len(await _reads(bots.statements)) == 1
        assert [str(m) for m in plan.models] == ["openai:gpt-4o-mini", "anthropic:claude-3-5-haiku-latest",
                                                 "openai:gpt-4o"]  # fmt: skip
        openai = plan.credentials["openai"]
        assert (openai.base_url, openai.api_key_sealed) == ("http://10.0.0.1/v1", SEALED)
        assert plan.credentials["anthropic"].api_key_sealed is None
        assert plan.prompt.system == "Eres breve."

    stored = await bots.session.get(Conversation, plan.conversation_id)
    assert stored is not None
    assert (stored.bot_id, stored.message_count) == (bot.id, 2)
    roles = await bots.session.scalars(select(Message.role).where(Message.conversation_id == stored.id))
    assert sorted(roles) == ["assistant", "user"]
    said = outbox_table.c.payload["data"]["conversation_id"].astext
    announced = await bots.session.scalar(
        select(func.count()).where(outbox_table.c.subject == "bots.conversation.created",
                                   said == plan.public_conversation_id)
    )  # fmt: skip
    assert announced == 1


async def test_a_workspace_without_settings_or_integrations_uses_the_defaults(
    bots: Harness, principal: Principal
) -> None:
    async with _opening(bots, principal, keep=False) as plan:
        assert [str(m) for m in plan.models] == ["local:local"]
        assert (plan.credentials, plan.conversation_id, plan.autonomy) == ({}, None, "semi")
    assert await bots.session.get(WorkspaceConfig, TENANT) is None


async def test_a_spent_budget_is_refused_and_a_fresh_one_is_not(bots: Harness, principal: Principal) -> None:
    bots.session.add_all([
        WorkspaceConfig(tenant_id=TENANT, llm_provider="local", llm_model="local", autonomy_level="auto",
                        cloud_providers={}, monthly_token_budget=100),
        Usage(tenant_id=TENANT, provider="local", model="local", input_tokens=60, output_tokens=40),
        Usage(tenant_id=TENANT, provider="local", model="local", input_tokens=500, output_tokens=0,
              at=datetime.now(UTC) - timedelta(days=40)),
    ])  # fmt: skip
    await bots.session.flush()
    with pytest.raises(BudgetExhausted) as refused:
        async with _opening(bots, principal):
            pass
    assert refused.value.details == {"used_tokens": 100, "budget_tokens": 100}

    config = await bots.session.get(WorkspaceConfig, TENANT)
    assert config is not None
    config.monthly_token_budget = 101
    await bots.session.flush()
    async with _opening(bots, principal, keep=False) as plan:
        assert plan.autonomy == "auto"


async def test_another_workspaces_bot_is_not_found(bots: Harness, principal: Principal) -> None:
    theirs = await _bot(bots.session, OTHER)
    with pytest.raises(BotNotFound):
        async with _opening(bots, principal, bot_id=theirs.id):
            pass


async def test_a_conversation_goes_on_with_its_own_bot(bots: Harness, principal: Principal) -> None:
    bot = await _bot(bots.session)
    bots.session.add(Integration(tenant_id=TENANT, nombre="on", provider="openai", api_key_sealed=SEALED))
    await bots.session.flush()
    async with _opening(bots, principal, bot_id=bot.id) as first:
        pass
    bots.statements.clear()
    async with _opening(bots, principal, conversation_id=first.public_conversation_id) as plan:
        # The settings with the conversation's bot, the conversation locked, its history.
        assert len(await _reads(bots.statements)) == 3
        assert (plan.bot_id, plan.conversation_id) == (bot.id, first.conversation_id)
        assert [t.content for t in plan.prompt.turns] == ["hola", "hola"]
