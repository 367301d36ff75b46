"""Bots of a workspace and their toolboxes. A bot is its owner's to change (or a workspace
administrator's); anyone in the workspace who may chat can talk to it."""

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from bots.errors import BotNotFound
from bots.models import Bot, BotModel
from bots.provider.catalog import resolve
from bots.toolbox.schemas import BotCreate, BotModelCreate, BotModelRead, BotRead, BotUpdate
from shared.errors import InvalidRequest, NotFound
from shared.security import Principal
from shared.validation import changes

MAX_MODELS = 20


async def in_workspace(session: AsyncSession, tenant_id: int, bot_id: int) -> Bot:
    bot = await session.scalar(select(Bot).where(Bot.id == bot_id, Bot.tenant_id == tenant_id))
    if bot is None:
        raise BotNotFound()
    return bot


async def editable(session: AsyncSession, principal: Principal, bot_id: int) -> Bot:
    """Its owner's, or any bot of the workspace for whoever administers the workspace's AI."""
    bot = await in_workspace(session, principal.tenant_id, bot_id)
    if bot.owner_id != principal.user_id and not principal.can("ia", "actualizar"):
        raise BotNotFound()
    return bot


async def owned(session: AsyncSession, principal: Principal) -> list[Bot]:
    query = select(Bot).where(Bot.tenant_id == principal.tenant_id, Bot.owner_id == principal.user_id).order_by(Bot.id)
    return list(await session.scalars(query))


async def create(session: AsyncSession, principal: Principal, body: BotCreate) -> Bot:
    bot = Bot(tenant_id=principal.tenant_id, owner_id=principal.user_id, **changes(body))
    session.add(bot)
    await session.flush()
    await session.refresh(bot, ["models"])
    return bot


async def update(session: AsyncSession, bot: Bot, body: BotUpdate) -> Bot:
    for name, value in changes(body).items():
        setattr(bot, name, value)
    await session.flush()
    await session.refresh(bot)
    return bot


async def add_model(session: AsyncSession, bot: Bot, body: BotModelCreate) -> Bot:
    resolve(body.model_id, body.provider)  # a provider and id the router understands
    if len(bot.models) >= MAX_MODELS:
        raise InvalidRequest(f"Un bot tiene como mucho {MAX_MODELS} modelos.")
    bot.models.append(BotModel(provider=body.provider, model_id=body.model_id, task_type=body.task_type))
    await session.flush()
    await session.refresh(bot)
    return bot


async def remove_model(session: AsyncSession, bot: Bot, model_id: int) -> Bot:
    entry = next((m for m in bot.models if m.id == model_id), None)
    if entry is None:
        raise NotFound("Modelo no encontrado en este bot.")
    bot.models.remove(entry)
    await session.flush()
    await session.refresh(bot)
    return bot


async def delete(session: AsyncSession, bot: Bot) -> None:
    await session.delete(bot)
    await session.flush()


def as_out(bot: Bot) -> BotRead:
    return BotRead(
        id=bot.id, name=bot.name, description=bot.description, system_prompt=bot.system_prompt, owner_id=bot.owner_id,
        models=[
            BotModelRead(id=m.id, provider=m.provider, model_id=m.model_id, task_type=m.task_type) for m in bot.models
        ],
        created_at=bot.created_at, updated_at=bot.updated_at,
    )  # fmt: skip
