"""The delivery backlog as Prometheus gauges, sampled by the sender between rounds.

Every replica samples the same table: queries take `max`, never `sum`, across replicas.
"""

from prometheus_client import Gauge
from sqlalchemy.ext.asyncio import AsyncSession

from webhooks.delivery import repository

DUE = Gauge("webhooks_deliveries_due", "Deliveries pending whose next attempt is due (not leased, not waiting a retry)")
PENDING = Gauge("webhooks_deliveries_pending", "Deliveries not yet delivered nor given up (due or waiting a retry)")
OLDEST_DUE_AGE = Gauge(
    "webhooks_oldest_due_delivery_age_seconds", "How long the longest-due pending delivery has been due, 0 when none"
)


async def sample(session: AsyncSession) -> None:
    row = await repository.backlog(session)
    PENDING.set(row.pending)
    DUE.set(row.due)
    OLDEST_DUE_AGE.set(float(row.age))
