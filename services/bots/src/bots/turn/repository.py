"""What a turn reads before its provider is called, in one statement: each round trip there is
time to the first token. It runs through `DriverRead` (asyncpg itself, before the turn's
transaction has begun): SQLAlchemy's per-statement work and the ORM's loading of the joined
rows cost 1.1 ms of the 1.4 ms this read took (issue 25)."""

import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

import asyncpg
from sqlalchemy import BigInteger, DateTime, Select, and_, bindparam, case, false, func, literal, select
from sqlalchemy.dialects.postgresql import aggregate_order_by, distinct_on
from sqlalchemy.dialects.postgresql.asyncpg import PGDialect_asyncpg
from sqlalchemy.ext.asyncio import AsyncSession

from bots.models import SCHEMA, Bot, BotModel, Conversation, Integration, Usage, WorkspaceConfig


@dataclass(frozen=True)
class DriverRead:
    """A SELECT written with SQLAlchemy Core, compiled once, and run by asyncpg itself on a
    session's connection, for a read on a latency budget.

    It runs on the session's connection: inside the session's transaction when one has begun;
    before the session's first statement none has (SQLAlchemy sends BEGIN with it), and a read
    under READ COMMITTED sees what it would see inside. So: a read (a sequence's `nextval` too,
    which no transaction undoes). What SQLAlchemy would otherwise do is not done: no type
    processing of the values bound (plain ints, strings, datetimes only) or returned (asyncpg's
    own: JSON decoded by the codecs SQLAlchemy set on the connection, arrays as lists), no ORM
    events, and asyncpg's errors come as they are.
    """

    sql: str
    order: tuple[str, ...]  # the bound parameters' names, in $1, $2... order
    constants: dict[str, Any]  # the values the statement carries itself (its literals)

    @classmethod
    def of(cls, statement: Select[Any]) -> "DriverRead":
        compiled = statement.compile(dialect=PGDialect_asyncpg())  # type: ignore[no-untyped-call]
        binds = compiled.binds
        if any(bind.expanding or bind.literal_execute or bind.callable for bind in binds.values()):
            raise ValueError("IN lists, literal_execute and callable parameters need SQLAlchemy's execution")
        order = tuple(compiled.positiontup or ())
        constants = {name: binds[name].effective_value for name in order if not binds[name].required}
        return cls(str(compiled), order, constants)

    async def fetchrow(self, session: AsyncSession, values: dict[str, Any]) -> asyncpg.Record | None:
        """The first row; `values` by the bound parameters' names (a missing one: KeyError)."""
        args = [values[name] if name in values else self.constants[name] for name in self.order]
        connection = await (await session.connection()).get_raw_connection()
        driver: asyncpg.Connection = connection.driver_connection
        return await driver.fetchrow(self.sql, *args)


@dataclass(frozen=True)
class Read:
    config: WorkspaceConfig | None  # None: the workspace never stored its settings
    used_tokens: int | None  # this month's, read only when the workspace has a budget
    bot: Bot | None  # with its models; None when not asked for or not the workspace's
    # The first enabled integration of each provider kind: id, provider, base_url, the sealed
    # key in base64, updated_at (ISO 8601).
    integrations: list[list[Any]]
    reserved_id: int | None  # an id for the new conversation, when one is asked for


async def read_for_turn(
    session: AsyncSession,
    tenant_id: int,
    *,
    bot_id: int | None = None,
    conversation: tuple[int, int] | None = None,
    since: datetime,
    new_conversation: bool,
) -> Read:
    """The workspace's settings, its usage since `since` (when it has a budget), the bot with
    its models (`bot_id`, or the bot of the `conversation` (id, owner) when it is theirs), the
    workspace's integrations and, with `new_conversation`, the next conversation id: one row.
    The settings and the bot are objects of no session: the turn reads them, nothing stores them."""
    values: dict[str, Any] = {"tenant_id": tenant_id, "since": since}
    if conversation is not None:
        values["conversation_id"], values["owner_id"] = conversation
        read = _statement("conversation", new_conversation)
    elif bot_id is not None:
        values["bot_id"] = bot_id
        read = _statement("id", new_conversation)
    else:
        read = _statement("none", new_conversation)
    row = await read.fetchrow(session, values)
    assert row is not None  # the statement is built on a one-row subquery
    return Read(_config(row), row["used"], _bot(row), row["integrations"], row["reserved"])


_CONFIG = tuple(WorkspaceConfig.__table__.columns)
_BOT = tuple(Bot.__table__.columns)


def _config(row: asyncpg.Record) -> WorkspaceConfig | None:
    """The stored settings as an object of no session (the turn only reads it)."""
    if row["config_tenant_id"] is None:
        return None
    return WorkspaceConfig(**{column.key: row[f"config_{column.key}"] for column in _CONFIG})


def _bot(row: asyncpg.Record) -> Bot | None:
    """The bot and its models (without their `created_at`), objects of no session."""
    if row["bot_id"] is None:
        return None
    models = [
        BotModel(id=model_id, bot_id=row["bot_id"], provider=provider, model_id=model, task_type=task_type)
        for model_id, provider, model, task_type in row["bot_models"]
    ]
    return Bot(**{column.key: row[f"bot_{column.key}"] for column in _BOT}, models=models)


@functools.cache
def _statement(bot: Literal["none", "id", "conversation"], new_conversation: bool) -> DriverRead:
    """Built and compiled once per shape, values bound at each call: building and keying it
    took 1.4 ms of CPU per turn (timeit, loaded machine)."""
    tenant_id = bindparam("tenant_id", type_=BigInteger)
    used = select(func.coalesce(func.sum(Usage.input_tokens + Usage.output_tokens), 0)).where(
        Usage.tenant_id == tenant_id, Usage.at >= bindparam("since", type_=DateTime(timezone=True))
    )
    first = (
        select(
            Integration.id, Integration.provider, Integration.base_url,
            func.encode(Integration.api_key_sealed, "base64").label("key"), Integration.updated_at,
        )
        .where(Integration.tenant_id == tenant_id, Integration.enabled)
        .ext(distinct_on(Integration.provider))
        .order_by(Integration.provider, Integration.id)
        .subquery()
    )  # fmt: skip
    row = func.json_build_array(first.c.id, first.c.provider, first.c.base_url, first.c.key, first.c.updated_at)
    integrations = select(func.coalesce(func.json_agg(row), func.json_build_array()))
    sequence = func.pg_get_serial_sequence(f"{SCHEMA}.{Conversation.__tablename__}", "id")
    reserved = func.nextval(sequence) if new_conversation else literal(None, BigInteger)
    # One row that the rest is joined to, so the answer has a row when nothing else is found.
    one = select(integrations.scalar_subquery().label("integrations"), reserved.label("reserved")).subquery()
    if bot == "conversation":
        bot_id_of = select(Conversation.bot_id).where(
            Conversation.id == bindparam("conversation_id", type_=BigInteger), Conversation.tenant_id == tenant_id,
            Conversation.owner_id == bindparam("owner_id", type_=BigInteger),
        )  # fmt: skip
        bot_matches = and_(Bot.id == bot_id_of.scalar_subquery(), Bot.tenant_id == tenant_id)
    elif bot == "id":
        bot_matches = and_(Bot.id == bindparam("bot_id", type_=BigInteger), Bot.tenant_id == tenant_id)
    else:
        bot_matches = false()
    model = func.json_build_array(BotModel.id, BotModel.provider, BotModel.model_id, BotModel.task_type)
    models = select(func.coalesce(func.json_agg(aggregate_order_by(model, BotModel.id)), func.json_build_array()))
    statement: Select[Any] = (
        select(
            *(column.label(f"config_{column.key}") for column in _CONFIG),
            *(column.label(f"bot_{column.key}") for column in _BOT),
            models.where(BotModel.bot_id == Bot.id).scalar_subquery().label("bot_models"),
            case((WorkspaceConfig.monthly_token_budget.is_not(None), used.scalar_subquery())).label("used"),
            one.c.integrations, one.c.reserved,
        )
        .select_from(one)
        .outerjoin(WorkspaceConfig, WorkspaceConfig.tenant_id == tenant_id)
        .outerjoin(Bot, bot_matches)
    )  # fmt: skip
    return DriverRead.of(statement)
