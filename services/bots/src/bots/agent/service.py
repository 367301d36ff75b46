"""Agents: bots of the workspace seen with their tools and knowledge bases. Every tool and
base named must exist in the workspace; the model must be one the router understands."""

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from bots.agent.schemas import AgentCreate, AgentRead, AgentUpdate
from bots.errors import UnknownTools
from bots.knowledge.service import check_bases
from bots.models import Bot, BotModel
from bots.provider.catalog import resolve
from bots.tool import service as tools
from shared.pagination import PageParams
from shared.security import Principal
from shared.validation import changes


async def page(session: AsyncSession, tenant_id: int, params: PageParams) -> tuple[int, list[Bot]]:
    where = Bot.tenant_id == tenant_id
    count = await session.scalar(select(func.count()).select_from(Bot).where(where)) or 0
    rows = await session.scalars(
        select(Bot).where(where).order_by(Bot.id).offset(params.offset).limit(params.page_size)
    )
    return count, list(rows)


async def _apply(session: AsyncSession, bot: Bot, values: dict[str, Any]) -> None:
    for column, key in (("name", "name"), ("description", "description"), ("system_prompt", "instructions")):
        if key in values:
            setattr(bot, column, values[key])
    if "tools" in values:
        names = values["tools"]
        if names is not None:
            known = {spec.name for spec in await tools.specs_for(session, bot.tenant_id)}
            unknown = sorted(set(names) - known)
            if unknown:
                raise UnknownTools(
                    f"No existe el tool '{unknown[0]}'.", fields={"tools": [f"Desconocidos: {unknown}."]}
                )
            names = list(dict.fromkeys(names))
        bot.tool_names = names
    if values.get("knowledge_bases") is not None:
        ids = list(dict.fromkeys(values["knowledge_bases"]))
        await check_bases(session, bot.tenant_id, ids)
        bot.knowledge_base_ids = ids
    if "model" in values:
        bot.models.clear()
        if values["model"] is not None:
            ref = resolve(values["model"])
            bot.models.append(BotModel(provider=ref.provider, model_id=ref.label, task_type="simple"))


async def create(session: AsyncSession, principal: Principal, body: AgentCreate) -> Bot:
    bot = Bot(tenant_id=principal.tenant_id, owner_id=principal.user_id, name=body.name, knowledge_base_ids=[])
    session.add(bot)
    await session.flush()
    await session.refresh(bot, ["models"])
    await _apply(session, bot, body.model_dump())
    await session.flush()
    await session.refresh(bot)
    return bot


async def update(session: AsyncSession, bot: Bot, body: AgentCreate | AgentUpdate) -> Bot:
    await _apply(session, bot, changes(body))
    await session.flush()
    await session.refresh(bot)
    return bot


def as_out(bot: Bot) -> AgentRead:
    model = bot.models[0] if bot.models else None
    return AgentRead(
        id=bot.id, name=bot.name, description=bot.description, instructions=bot.system_prompt,
        model=f"{model.provider}:{model.model_id}" if model else None, tools=bot.tool_names,
        knowledge_bases=list(bot.knowledge_base_ids or []), owner_id=bot.owner_id,
        created_at=bot.created_at, updated_at=bot.updated_at,
    )  # fmt: skip
