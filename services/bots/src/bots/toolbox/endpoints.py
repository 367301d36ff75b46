"""001's `/bots/`: a user's bots, their system prompt and their model toolbox."""

from fastapi import APIRouter, Response

from bots.access import CanChangeBots, CanCreateBots, CanSeeBots
from bots.toolbox import service
from bots.toolbox.schemas import BotCreate, BotModelCreate, BotRead, BotUpdate
from shared.sessions import SessionDep
from shared.validation import Id

router = APIRouter(prefix="/bots", tags=["bots"])


@router.post("/", response_model=BotRead, summary="Crear un bot")
async def create_bot(body: BotCreate, principal: CanCreateBots, session: SessionDep) -> BotRead:
    """Un bot nuevo de quien llama (001), con su nombre, su descripción y su personalidad
    (`system_prompt`). Responde 200, como 001."""
    return service.as_out(await service.create(session, principal, body))


@router.get(
    "/",
    response_model=list[BotRead],
    summary="Listar mis bots",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": [
                        {
                            "id": 4,
                            "name": "Mi Nuevo Asistente",
                            "description": "Un bot para pruebas.",
                            "system_prompt": "Ahora eres un robot pirata que habla como tal.",
                            "owner_id": 12,
                            "models": [{"id": 9, "provider": "openai", "model_id": "gpt-4o", "task_type": "complex"}],
                            "created_at": "2025-10-23T10:30:00Z",
                            "updated_at": "2025-10-23T11:45:00Z",
                        }
                    ]
                }
            }
        }
    },
)
async def list_bots(principal: CanSeeBots, session: SessionDep) -> list[BotRead]:
    """Los bots de quien llama (001), con su caja de modelos."""
    return [service.as_out(b) for b in await service.owned(session, principal)]


@router.get("/{bot_id}", response_model=BotRead, summary="Ver un bot")
async def get_bot(bot_id: Id, principal: CanSeeBots, session: SessionDep) -> BotRead:
    """Un bot del espacio con su caja de modelos (ia:ver); el de otro espacio: 404."""
    return service.as_out(await service.in_workspace(session, principal.tenant_id, bot_id))


@router.put("/{bot_id}", response_model=BotRead, summary="Actualizar un bot")
async def update_bot(bot_id: Id, body: BotUpdate, principal: CanChangeBots, session: SessionDep) -> BotRead:
    """Cambia lo que se envía: nombre, descripción o personalidad (`system_prompt`) (001). Su dueño o
    quien administra la IA del espacio; otro: 404."""
    bot = await service.editable(session, principal, bot_id)
    return service.as_out(await service.update(session, bot, body))


@router.delete("/{bot_id}", status_code=204, response_class=Response, summary="Eliminar un bot")
async def delete_bot(bot_id: Id, principal: CanChangeBots, session: SessionDep) -> Response:
    """Elimina un bot con su caja de modelos (su dueño o quien administra la IA del espacio)."""
    await service.delete(session, await service.editable(session, principal, bot_id))
    return Response(status_code=204)


@router.post("/{bot_id}/models/", response_model=BotRead, summary="Añadir un modelo al bot")
async def add_bot_model(bot_id: Id, body: BotModelCreate, principal: CanChangeBots, session: SessionDep) -> BotRead:
    """Añade un modelo de IA a la caja de herramientas del bot (001): las preguntas de su tipo de
    tarea (`simple` o `complex`) van a él, en el orden en que se añadieron, y los demás modelos
    son el respaldo. Responde 200 con el bot."""
    bot = await service.editable(session, principal, bot_id)
    return service.as_out(await service.add_model(session, bot, body))


@router.delete("/{bot_id}/models/{model_id}", response_model=BotRead, summary="Quitar un modelo del bot")
async def remove_bot_model(bot_id: Id, model_id: Id, principal: CanChangeBots, session: SessionDep) -> BotRead:
    """Quita un modelo de la caja del bot y responde con el bot."""
    bot = await service.editable(session, principal, bot_id)
    return service.as_out(await service.remove_model(session, bot, model_id))
