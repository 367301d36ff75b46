"""agro's subscription events keep each field's plan limit (the consumer's inbox makes it once)."""

from sqlalchemy.ext.asyncio import AsyncSession

from ingest import events
from ingest.quota import service
from shared.events import Envelope

SUBSCRIPTION_CHANGED = "ingest-subscription-changed"


async def on_subscription_changed(session: AsyncSession, envelope: Envelope, event: events.SubscriptionChanged) -> None:
    await service.apply_subscription(session, event=event, version=envelope.occurred_at)
