"""004's `/api/ai/config/` (admin): the workspace's AI provider integrations."""

from fastapi import APIRouter, Response

from bots.access import AiAdmin
from bots.integration import service
from bots.integration.schemas import IntegrationCreate, IntegrationRead, IntegrationUpdate
from shared.appstate import CipherDep, OutboundPolicyDep
from shared.errors import documented
from shared.outbound import UnsafeURL
from shared.sessions import SessionDep
from shared.validation import Id

router = APIRouter(prefix="/api/ai/config", tags=["ai"])


@router.get(
    "/",
    response_model=list[IntegrationRead],
    summary="Listar integraciones de IA",
    responses={
        200: {
            "content": {
                "application/json": {
                    "example": [
                        {
                            "id": 1,
                            "nombre": "Claude",
                            "provider": "anthropic",
                            "enabled": True,
                            "base_url": None,
                            "has_api_key": True,
                            "created_at": "2025-10-23T10:30:00Z",
                            "updated_at": "2025-10-23T11:45:00Z",
                        }
                    ]
                }
            }
        }
    },
)
async def list_integrations(principal: AiAdmin, session: SessionDep) -> list[IntegrationRead]:
    """Las integraciones con proveedores de IA del espacio, sin paginar (004; administradores de
    la IA, ia:actualizar). Nunca devuelve la clave de API."""
    return [service.as_out(i) for i in await service.listing(session, principal)]


@router.post(
    "/",
    response_model=IntegrationRead,
    status_code=201,
    summary="Crear una integración de IA",
    responses=documented(UnsafeURL),
)
async def create_integration(
    body: IntegrationCreate, principal: AiAdmin, session: SessionDep, cipher: CipherDep, policy: OutboundPolicyDep
) -> IntegrationRead:
    """Conecta el espacio con un proveedor de IA (004; administradores de la IA). La clave de API se
    guarda cifrada y nunca se devuelve (`has_api_key` dice si hay una). `base_url` distingue los
    servidores compatibles con OpenAI (Ollama, vLLM, ...); una dirección interna o privada: 400."""
    integration = await service.create(session, principal, body, cipher, policy)
    return service.as_out(integration)


@router.get("/{id}/", response_model=IntegrationRead, summary="Ver una integración de IA")
async def get_integration(id: Id, principal: AiAdmin, session: SessionDep) -> IntegrationRead:
    """Una integración del espacio (004; administradores de la IA), sin su clave."""
    return service.as_out(await service.get(session, principal, id))


@router.put(
    "/{id}/",
    response_model=IntegrationRead,
    summary="Reemplazar una integración de IA",
    responses=documented(UnsafeURL),
)
async def replace_integration(
    id: Id,
    body: IntegrationCreate,
    principal: AiAdmin,
    session: SessionDep,
    cipher: CipherDep,
    policy: OutboundPolicyDep,
) -> IntegrationRead:
    """Escribe la integración (004; `nombre` y `provider` obligatorios): lo omitido no cambia y,
    sin `api_key` (o con `null`), la clave guardada se conserva."""
    integration = await service.get(session, principal, id)
    return service.as_out(await service.update(session, integration, body, cipher, policy))


@router.patch(
    "/{id}/",
    response_model=IntegrationRead,
    summary="Actualizar una integración de IA",
    responses=documented(UnsafeURL),
)
async def update_integration(
    id: Id,
    body: IntegrationUpdate,
    principal: AiAdmin,
    session: SessionDep,
    cipher: CipherDep,
    policy: OutboundPolicyDep,
) -> IntegrationRead:
    """Cambia solo los campos enviados de una integración (004)."""
    integration = await service.get(session, principal, id)
    return service.as_out(await service.update(session, integration, body, cipher, policy))


@router.delete("/{id}/", status_code=204, response_class=Response, summary="Eliminar una integración de IA")
async def delete_integration(id: Id, principal: AiAdmin, session: SessionDep) -> Response:
    """Elimina una integración y su clave (004; administradores de la IA)."""
    await service.delete(session, await service.get(session, principal, id))
    return Response(status_code=204)
