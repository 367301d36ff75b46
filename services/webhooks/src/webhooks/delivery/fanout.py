"""Events to deliveries: one row per matching active webhook of the event's workspace.

Runs inside the consumer's transaction (with its inbox row), so an event becomes its
deliveries exactly once; the unique (webhook, event) index says the same again.
"""

from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import Envelope, EventHandler
from shared.ids import uuid7
from webhooks.catalog import names_for
from webhooks.models import Delivery, Webhook


def render(name: str, envelope: Envelope) -> dict[str, Any]:
    """The body receivers get, in Standard Webhooks' recommended shape."""
    return {"type": name, "timestamp": envelope.occurred_at.isoformat(), "data": envelope.data}


def fan_out_of(subject: str) -> EventHandler:
    async def fan_out(session: AsyncSession, envelope: Envelope, _: Any) -> None:
        names = names_for(subject, envelope.data)
        if not names or envelope.tenant_id is None:
            return
        hooks = await session.execute(
            select(Webhook.id, Webhook.events).where(
                Webhook.tenant_id == envelope.tenant_id, Webhook.active, Webhook.events.overlap(names)
            )
        )
        rows = []
        for webhook_id, subscribed in hooks:
            name = next(n for n in names if n in subscribed)
            rows.append({
                "id": uuid7(), "webhook_id": webhook_id, "tenant_id": envelope.tenant_id, "event_id": envelope.id,
                "event_type": name, "payload": render(name, envelope), "status": "pending", "attempts": 0,
            })  # fmt: skip
        if rows:
            await session.execute(insert(Delivery).values(rows).on_conflict_do_nothing())

    return fan_out
