"""Events to deliveries: one row per matching active webhook of the event's workspace.

A batch of events per transaction (`shared.events.BatchConsumer`): the unique (webhook,
event) index makes a redelivered event add nothing, so no inbox row is needed.
"""

from collections.abc import Sequence
from typing import Any

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from shared.events import BatchHandler, Envelope
from shared.ids import uuid7
from webhooks.catalog import names_for
from webhooks.models import Delivery, Webhook


def render(name: str, envelope: Envelope) -> dict[str, Any]:
    """The body receivers get, in Standard Webhooks' recommended shape."""
    return {"type": name, "timestamp": envelope.occurred_at.isoformat(), "data": envelope.data}


def fan_out_of(subject: str) -> BatchHandler:
    async def fan_out(session: AsyncSession, batch: Sequence[tuple[Envelope, Any]]) -> None:
        wanted = [
            (envelope, names)
            for envelope, _ in batch
            if envelope.tenant_id is not None and (names := names_for(subject, envelope.data))
        ]
        if not wanted:
            return
        tenants = {envelope.tenant_id for envelope, _ in wanted}
        every_name = sorted({name for _, names in wanted for name in names})
        hooks = (
            await session.execute(
                select(Webhook.id, Webhook.tenant_id, Webhook.events).where(
                    Webhook.tenant_id.in_(tenants), Webhook.active, Webhook.events.overlap(every_name)
                )
            )
        ).all()
        rows = []
        for envelope, names in wanted:
            for webhook_id, tenant_id, subscribed in hooks:
                name = next((n for n in names if n in subscribed), None)
                if tenant_id != envelope.tenant_id or name is None:
                    continue
                rows.append({
                    "id": uuid7(), "webhook_id": webhook_id, "tenant_id": tenant_id, "event_id": envelope.id,
                    "event_type": name, "payload": render(name, envelope), "status": "pending", "attempts": 0,
                    "traceparent": envelope.traceparent,
                })  # fmt: skip
        if rows:
            # executemany: one compiled statement whatever the batch's size (SQLAlchemy batches the rows)
            await session.execute(insert(Delivery).on_conflict_do_nothing(), rows)

    return fan_out
