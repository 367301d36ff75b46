"""Webhooks of a workspace: create (URL checked by the SSRF guard, secret sealed), read,
change, delete, their delivery log and test deliveries."""

import base64
import secrets
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.crypto import SecretCipher
from shared.events.wakeup import notify
from shared.ids import PrefixedId, uuid7
from shared.outbound import OutboundPolicy, checked_address
from shared.security import Principal
from shared.validation import changes
from webhooks.catalog import BY_NAME, TEST_EVENT
from webhooks.errors import SubscriptionNotAllowed, WebhookNotFound
from webhooks.hook.schemas import DeliveryRead, WebhookCreate, WebhookRead, WebhookUpdate
from webhooks.models import DUE_CHANNEL, Delivery, Webhook

WEBHOOK_ID = PrefixedId("wh_")


def check_subscribable(principal: Principal, names: list[str]) -> None:
    """A payload carrying a credential (an invitation's accept token) goes only to receivers set up
    by a person who may hand that credential out; an API key never sets one up."""
    for name in names:
        required = BY_NAME[name].requires if name in BY_NAME else None
        if required is None:
            continue
        module, operation = required.split(":")
        if principal.api_key_id is not None or not principal.can(module, operation):
            raise SubscriptionNotAllowed(
                f"Suscribirse a {name} requiere una persona con el permiso {required}.", details={"event": name}
            )


def public_id(webhook_id: int) -> str:
    return WEBHOOK_ID.format(webhook_id)


def parse_id(text: str) -> int:
    found = WEBHOOK_ID.parse(text)
    if found is None:
        raise WebhookNotFound()
    return found


def new_secret() -> str:
    return "whsec_" + base64.b64encode(secrets.token_bytes(24)).decode()


async def get(session: AsyncSession, principal: Principal, webhook_id: str) -> Webhook:
    webhook = await session.scalar(
        select(Webhook).where(Webhook.id == parse_id(webhook_id), Webhook.tenant_id == principal.tenant_id)
    )
    if webhook is None:
        raise WebhookNotFound()
    return webhook


async def listing(session: AsyncSession, principal: Principal) -> list[Webhook]:
    return list(
        await session.scalars(select(Webhook).where(Webhook.tenant_id == principal.tenant_id).order_by(Webhook.id))
    )


async def create(
    session: AsyncSession, principal: Principal, body: WebhookCreate, cipher: SecretCipher, policy: OutboundPolicy
) -> tuple[Webhook, str]:
    check_subscribable(principal, body.events)
    await checked_address(body.url, policy)
    secret = body.secret or new_secret()
    webhook = Webhook(
        tenant_id=principal.tenant_id, owner_id=principal.user_id, url=body.url, events=body.events,
        secret_sealed=cipher.seal(secret.encode()), active=True,
    )  # fmt: skip
    session.add(webhook)
    await session.flush()
    return webhook, secret


async def update(
    session: AsyncSession,
    principal: Principal,
    webhook: Webhook,
    body: WebhookCreate | WebhookUpdate,
    cipher: SecretCipher,
    policy: OutboundPolicy,
) -> Webhook:
    """Change a webhook. One that delivers a credential-carrying event (before or after the change)
    is changed only by whoever may subscribe to it: otherwise pointing an administrator's
    invitation webhook at one's own URL would deliver the tokens there."""
    values: dict[str, Any] = changes(body)
    check_subscribable(principal, sorted(set(webhook.events) | set(values.get("events") or [])))
    if "url" in values:
        await checked_address(values["url"], policy)
    secret = values.pop("secret", None)
    if secret is not None:
        webhook.secret_sealed = cipher.seal(secret.encode())
    if values.get("active") and not webhook.active:
        webhook.disabled_at, webhook.failing_since = None, None
    for name, value in values.items():
        setattr(webhook, name, value)
    await session.flush()
    return webhook


async def delete(session: AsyncSession, webhook: Webhook) -> None:
    await session.delete(webhook)
    await session.flush()


async def deliveries(session: AsyncSession, webhook: Webhook, limit: int) -> list[Delivery]:
    return list(
        await session.scalars(
            select(Delivery).where(Delivery.webhook_id == webhook.id).order_by(Delivery.created_at.desc()).limit(limit)
        )
    )


async def queue_test(session: AsyncSession, webhook: Webhook) -> Delivery:
    """A `webhook.test` delivery, sent like any other."""
    event_id = uuid7()
    payload = {
        "type": TEST_EVENT,
        "timestamp": datetime.now(UTC).isoformat(),
        "data": {"webhook_id": public_id(webhook.id), "message": "Evento de prueba"},
    }
    delivery_id = uuid7()
    values = {
        "id": delivery_id, "webhook_id": webhook.id, "tenant_id": webhook.tenant_id, "event_id": event_id,
        "event_type": TEST_EVENT, "payload": payload, "status": "pending", "attempts": 0,
    }  # fmt: skip
    await session.execute(insert(Delivery).values(values))
    await session.execute(select(notify(DUE_CHANNEL)))  # the senders sleep until told
    delivery = await session.get(Delivery, delivery_id)
    assert delivery is not None
    return delivery


def as_read(webhook: Webhook) -> WebhookRead:
    return WebhookRead(
        id=public_id(webhook.id), url=webhook.url, events=webhook.events, active=webhook.active,
        disabled_at=webhook.disabled_at, created_at=webhook.created_at, updated_at=webhook.updated_at,
    )  # fmt: skip


def redacted(event_type: str, payload: dict[str, Any]) -> dict[str, Any]:
    """The payload as the delivery log shows it: without the event's credentials (the receiver
    got them; whoever reads the log may not be allowed to)."""
    entry = BY_NAME.get(event_type)
    data = payload.get("data")
    if entry is None or not entry.secret_fields or not isinstance(data, dict):
        return payload
    return {**payload, "data": {k: v for k, v in data.items() if k not in entry.secret_fields}}


def as_delivery(delivery: Delivery) -> DeliveryRead:
    pending = delivery.status == "pending"
    return DeliveryRead(
        id=str(delivery.id), event_type=delivery.event_type, status=delivery.status,  # type: ignore[arg-type]
        attempts=delivery.attempts, last_status_code=delivery.last_status_code, last_error=delivery.last_error,
        next_attempt_at=delivery.next_attempt_at if pending else None, created_at=delivery.created_at,
        delivered_at=delivery.delivered_at, payload=redacted(delivery.event_type, delivery.payload),
    )  # fmt: skip
