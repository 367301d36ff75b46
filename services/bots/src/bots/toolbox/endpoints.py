"""001's `/bots/`: a user's bots, their system prompt and their model toolbox."""

from fastapi import APIRouter, Response

from bots.access import CanChangeBots, CanCreateBots, CanSeeBots
from bots.toolbox import service
from bots.toolbox.schemas import BotCreate, BotModelCreate, BotRead, BotUpdate
from shared.sessions import SessionDep
from shared.validation import Id

router = APIRouter(prefix="/bots", tags=["bots"])


@router.post("/", response_model=BotRead)
async def create_bot(body: BotCreate, principal: CanCreateBots, session: SessionDep) -> BotRead:
    return service.as_out(await service.create(session, principal, body))


@router.get("/", response_model=list[BotRead])
async def list_bots(principal: CanSeeBots, session: SessionDep) -> list[BotRead]:
    """The caller's own bots."""
    return [service.as_out(b) for b in await service.owned(session, principal)]


@router.get("/{bot_id}", response_model=BotRead)
async def get_bot(bot_id: Id, principal: CanSeeBots, session: SessionDep) -> BotRead:
    return service.as_out(await service.in_workspace(session, principal.tenant_id, bot_id))


@router.put("/{bot_id}", response_model=BotRead)
async def update_bot(bot_id: Id, body: BotUpdate, principal: CanChangeBots, session: SessionDep) -> BotRead:
    """Changes what is sent (name, description, system prompt)."""
    bot = await service.editable(session, principal, bot_id)
    return service.as_out(await service.update(session, bot, body))


@router.delete("/{bot_id}", status_code=204, response_class=Response)
async def delete_bot(bot_id: Id, principal: CanChangeBots, session: SessionDep) -> Response:
    await service.delete(session, await service.editable(session, principal, bot_id))
    return Response(status_code=204)


@router.post("/{bot_id}/models/", response_model=BotRead)
async def add_model(bot_id: Id, body: BotModelCreate, principal: CanChangeBots, session: SessionDep) -> BotRead:
    """Adds a model to the bot's toolbox: questions of its task type go to it, in the order added,
    and the other models are the fallbacks."""
    bot = await service.editable(session, principal, bot_id)
    return service.as_out(await service.add_model(session, bot, body))


@router.delete("/{bot_id}/models/{model_id}", response_model=BotRead)
async def remove_model(bot_id: Id, model_id: Id, principal: CanChangeBots, session: SessionDep) -> BotRead:
    bot = await service.editable(session, principal, bot_id)
    return service.as_out(await service.remove_model(session, bot, model_id))
