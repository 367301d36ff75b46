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


@router.post("", response_model=NewWebhookRead, status_code=201, responses=CHANGE_REFUSALS)
async def create_webhook(
    body: WebhookCreate, principal: Staff, session: SessionDep, cipher: CipherDep, policy: OutboundPolicyDep
) -> NewWebhookRead:
    """Configurar webhook. The secret is in this answer only. `invitation.created` carries an
    accept token: only a person with `usuarios:crear` subscribes to it (403 otherwise)."""
    webhook, secret = await service.create(session, principal, body, cipher, policy)
    return NewWebhookRead(**service.as_read(webhook).model_dump(), secret=secret)


@router.get("", response_model=WebhookList)
async def list_webhooks(principal: Staff, session: SessionDep) -> WebhookList:
    return WebhookList(webhooks=[service.as_read(w) for w in await service.listing(session, principal)])


@router.get("/events", response_model=EventNameList)
async def subscribable_events(principal: Staff) -> EventNameList:
    """Eventos disponibles."""
    return EventNameList(events=[EventNameRead(name=e.name, description=e.description) for e in NAMES])


@router.get("/{webhook_id}", response_model=WebhookRead)
async def get_webhook(webhook_id: WebhookId, principal: Staff, session: SessionDep) -> WebhookRead:
    return service.as_read(await service.get(session, principal, webhook_id))


@router.put("/{webhook_id}", response_model=WebhookRead, responses=CHANGE_REFUSALS)
async def replace_webhook(
    webhook_id: WebhookId,
    body: WebhookCreate,
    principal: Staff,
    session: SessionDep,
    cipher: CipherDep,
    policy: OutboundPolicyDep,
) -> WebhookRead:
    webhook = await service.get(session, principal, webhook_id)
    return service.as_read(await service.update(session, principal, webhook, body, cipher, policy))


@router.patch("/{webhook_id}", response_model=WebhookRead, responses=CHANGE_REFUSALS)
async def update_webhook(
    webhook_id: WebhookId,
    body: WebhookUpdate,
    principal: Staff,
    session: SessionDep,
    cipher: CipherDep,
    policy: OutboundPolicyDep,
) -> WebhookRead:
    webhook = await service.get(session, principal, webhook_id)
    return service.as_read(await service.update(session, principal, webhook, body, cipher, policy))


@router.delete("/{webhook_id}", status_code=204, response_class=Response)
async def delete_webhook(webhook_id: WebhookId, principal: Staff, session: SessionDep) -> Response:
    await service.delete(session, await service.get(session, principal, webhook_id))
    return Response(status_code=204)


@router.get("/{webhook_id}/deliveries", response_model=DeliveryList)
async def list_deliveries(
    webhook_id: WebhookId,
    principal: Staff,
    session: SessionDep,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> DeliveryList:
    """The delivery log, newest first. Credentials in a payload (an invitation's accept token)
    are left out: only the receiver gets them."""
    webhook = await service.get(session, principal, webhook_id)
    return DeliveryList(deliveries=[service.as_delivery(d) for d in await service.deliveries(session, webhook, limit)])


@router.post("/{webhook_id}/test", response_model=TestDeliveryRead, status_code=202)
async def send_test_event(webhook_id: WebhookId, principal: Staff, session: SessionDep) -> TestDeliveryRead:
    """Queue a `webhook.test` delivery; its outcome shows in the delivery log."""
    delivery = await service.queue_test(session, await service.get(session, principal, webhook_id))
    return TestDeliveryRead(delivery_id=str(delivery.id))
