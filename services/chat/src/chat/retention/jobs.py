"""The retention passes as scheduled maintenance (`shared.maintenance`): one replica runs each,
every CHAT_RETENTION_INTERVAL_SECONDS, a short transaction per batch until a batch comes back
short (a backlog goes batch by batch; a row being written is skipped, never waited for)."""

import asyncio
from collections.abc import Awaitable, Callable

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from chat.retention import service
from shared.maintenance import MaintenanceJob

Pass = Callable[..., Awaitable[int]]


def _batched(step: Pass, batch_size: int) -> Callable[[async_sessionmaker[AsyncSession]], Awaitable[int]]:
    async def run(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
        removed = 0
        while True:
            async with sessionmaker() as session, session.begin():
                # Should a migration hold a table, give up this batch rather than queue others behind us.
                await session.execute(text("SET LOCAL lock_timeout = '2s'"))
                count = await step(session, limit=batch_size)
            removed += count
            if count < batch_size:
                return removed
            await asyncio.sleep(0)

    return run


def retention_jobs(*, interval_seconds: float, batch_size: int) -> list[MaintenanceJob]:
    return [
        MaintenanceJob("chat.guest_sessions", interval_seconds, _batched(service.purge_guest_sessions, batch_size)),
        MaintenanceJob("chat.notifications", interval_seconds, _batched(service.purge_notifications, batch_size)),
        MaintenanceJob("chat.transcripts", interval_seconds, _batched(service.purge_transcripts, batch_size)),
    ]
