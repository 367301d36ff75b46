"""The delivery log's retention as scheduled maintenance (`shared.maintenance`): one replica
deletes, every WEBHOOKS_MAINTENANCE_INTERVAL_SECONDS, the deliveries older than
WEBHOOKS_DELIVERY_RETENTION_SECONDS, a short transaction per batch."""

import asyncio

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.maintenance import MaintenanceJob
from webhooks.delivery import service

JOB = "webhooks.deliveries"


def retention_job(*, interval_seconds: float, retention_seconds: float, batch_size: int) -> MaintenanceJob:
    async def run(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
        removed = 0
        while True:
            async with sessionmaker() as session, session.begin():
                # Should a migration hold the table, give up this batch rather than queue others behind us.
                await session.execute(text("SET LOCAL lock_timeout = '2s'"))
                count = await service.delete_old(session, older_than_seconds=retention_seconds, limit=batch_size)
            removed += count
            if count < batch_size:
                return removed
            await asyncio.sleep(0)

    return MaintenanceJob(JOB, interval_seconds, run)
