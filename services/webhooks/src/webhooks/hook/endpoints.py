"""002's `/api/webhooks`, with the list, detail, update, delete, delivery log and test event it implies."""

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from shared.appstate import CipherDep, OutboundPolicyDep
from shared.errors import documented
from shared.outbound import UnsafeURL
from shared.sessions import SessionDep
from webhooks.access import Staff
from webhooks.catalog import NAMES
from webhooks.errors import SubscriptionNotAllowed
from webhooks.hook import service
from webhooks.hook.schemas import (
    DeliveryList,
    EventNameList,
    EventNameRead,
    NewWebhookRead,
    TestDeliveryRead,
    WebhookCreate,
    WebhookList,
    WebhookRead,
    WebhookUpdate,
)

router = APIRouter(prefix="/api/webhooks", tags=["webhooks"])

CHANGE_REFUSALS = documented(UnsafeURL, SubscriptionNotAllowed)

WebhookId = Annotated[str, Path(pattern=r"^wh_\d{1,18}$", examples=["wh_1"])]


@router.post(
    "", response_model=NewWebhookRead, status_code=201, responses=CHANGE_REFUSALS, summary="Configurar webhook"
)
async def create_webhook(
    body: WebhookCreate, principal: Staff, session: SessionDep, cipher: CipherDep, policy: OutboundPolicyDep
) -> NewWebhookRead:
    """Suscribe una URL a eventos del espacio de trabajo (ver "Listar eventos de webhook"). Cada
    entrega va firmada con el secreto (Standard Webhooks): el enviado, o uno generado si se
    omite; solo esta respuesta lo muestra. Se rechaza (400) una URL que no sea pública.
    `invitation.created` lleva un token de aceptación: solo una persona con `usuarios:crear`
    se suscribe a él (403 si no)."""
    webhook, secret = await service.create(session, principal, body, cipher, policy)
    return NewWebhookRead(**service.as_read(webhook).model_dump(), secret=secret)


@router.get("", response_model=WebhookList, summary="Listar webhooks")
async def list_webhooks(principal: Staff, session: SessionDep) -> WebhookList:
    """Los webhooks del espacio de trabajo, sin sus secretos. Para quien ve todo el espacio de
    trabajo (administrador, técnico)."""
    return WebhookList(webhooks=[service.as_read(w) for w in await service.listing(session, principal)])


@router.get("/events", response_model=EventNameList, summary="Listar eventos de webhook")
async def list_webhook_events(principal: Staff) -> EventNameList:
    """Los nombres de evento a los que un webhook puede suscribirse, cada uno con lo que
    significa (los de 002 y los demás eventos de la plataforma)."""
    return EventNameList(events=[EventNameRead(name=e.name, description=e.description) for e in NAMES])


@router.get("/{webhook_id}", response_model=WebhookRead, summary="Ver webhook")
async def get_webhook(webhook_id: WebhookId, principal: Staff, session: SessionDep) -> WebhookRead:
    """Un webhook del espacio de trabajo, sin su secreto; 404 si no existe."""
    return service.as_read(await service.get(session, principal, webhook_id))


@router.put("/{webhook_id}", response_model=WebhookRead, responses=CHANGE_REFUSALS, summary="Reemplazar webhook")
async def replace_webhook(
    webhook_id: WebhookId,
    body: WebhookCreate,
    principal: Staff,
    session: SessionDep,
    cipher: CipherDep,
    policy: OutboundPolicyDep,
) -> WebhookRead:
    """Reescribe la URL, los eventos y, si se envía, el secreto. Mismas condiciones que al
    configurarlo."""
    webhook = await service.get(session, principal, webhook_id)
    return service.as_read(await service.update(session, principal, webhook, body, cipher, policy))


@router.patch("/{webhook_id}", response_model=WebhookRead, responses=CHANGE_REFUSALS, summary="Modificar webhook")
async def update_webhook(
    webhook_id: WebhookId,
    body: WebhookUpdate,
    principal: Staff,
    session: SessionDep,
    cipher: CipherDep,
    policy: OutboundPolicyDep,
) -> WebhookRead:
    """Cambia solo los campos enviados; `{"active": true}` reactiva un webhook que la plataforma
    desactivó tras un día de entregas fallidas."""
    webhook = await service.get(session, principal, webhook_id)
    return service.as_read(await service.update(session, principal, webhook, body, cipher, policy))


@router.delete("/{webhook_id}", status_code=204, response_class=Response, summary="Eliminar webhook")
async def delete_webhook(webhook_id: WebhookId, principal: Staff, session: SessionDep) -> Response:
    """Borra el webhook; sus entregas pendientes no se envían."""
    await service.delete(session, await service.get(session, principal, webhook_id))
    return Response(status_code=204)


@router.get("/{webhook_id}/deliveries", response_model=DeliveryList, summary="Listar entregas de un webhook")
async def list_webhook_deliveries(
    webhook_id: WebhookId,
    principal: Staff,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> DeliveryList:
    """El registro de entregas del webhook, de la más reciente a la más antigua (hasta `limit`):
    estado, intentos, última respuesta y el cuerpo enviado. Las credenciales de un cuerpo (el
    token de aceptación de una invitación) no se muestran: solo las recibe el receptor."""
    webhook = await service.get(session, principal, webhook_id)
    return DeliveryList(deliveries=[service.as_delivery(d) for d in await service.deliveries(session, webhook, limit)])


@router.post("/{webhook_id}/test", response_model=TestDeliveryRead, status_code=202, summary="Enviar evento de prueba")
async def send_webhook_test(webhook_id: WebhookId, principal: Staff, session: SessionDep) -> TestDeliveryRead:
    """Encola una entrega `webhook.test` al webhook (202); su resultado aparece en el registro
    de entregas."""
    delivery = await service.queue_test(session, await service.get(session, principal, webhook_id))
    return TestDeliveryRead(delivery_id=str(delivery.id))
