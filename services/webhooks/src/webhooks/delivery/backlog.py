"""The delivery backlog as Prometheus gauges, sampled by the sender between rounds.

Every replica samples the same table: queries take `max`, never `sum`, across replicas.
"""

from prometheus_client import Gauge
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

DUE = Gauge("webhooks_deliveries_due", "Deliveries pending whose next attempt is due (not leased, not waiting a retry)")
PENDING = Gauge("webhooks_deliveries_pending", "Deliveries not yet delivered nor given up (due or waiting a retry)")
OLDEST_DUE_AGE = Gauge(
    "webhooks_oldest_due_delivery_age_seconds", "How long the longest-due pending delivery has been due, 0 when none"
)

# Both on the partial index of pending deliveries (`ix_deliveries_due`).
_BACKLOG = text("""
    SELECT count(*) AS pending,
           count(*) FILTER (WHERE next_attempt_at <= now()) AS due,
           COALESCE(EXTRACT(EPOCH FROM now() - min(next_attempt_at) FILTER (WHERE next_attempt_at <= now())), 0) AS age
    FROM deliveries WHERE status = 'pending'
""")


async def sample(session: AsyncSession) -> None:
    row = (await session.execute(_BACKLOG)).one()
    PENDING.set(row.pending)
    DUE.set(row.due)
    OLDEST_DUE_AGE.set(float(row.age))
