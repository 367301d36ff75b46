"""Deleting the outbox and inbox rows that can no longer matter, in small batches.

- A published outbox row matters to nobody once JetStream holds its event: it is kept
  `outbox_retention_seconds` after `published_at` (a look at what went out), then deleted. An
  unpublished row is never deleted, however old.
- An inbox row stops a redelivered event from being applied twice. Redeliveries of one stream
  message end after the consumer's `max_deliver` attempts (minutes); a re-publication of the
  same event id inside the stream's duplicate window (`shared.events.streams`, 120 s) never
  reaches a consumer. It is kept `inbox_retention_seconds` after `processed_at` (a day by
  default, far beyond both), then deleted.

Each batch is one short transaction of its own deleting at most `batch_size` rows, whose rows
are chosen with `FOR UPDATE SKIP LOCKED`: it never waits for, and never blocks, the relay (it
touches no unpublished row) or a consumer (a row being written is skipped). No table lock is
taken beyond the ROW EXCLUSIVE every DELETE takes, which conflicts with no insert or update.
"""

import asyncio
from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, Delete, Table, delete, func, select, text, tuple_
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.maintenance import MaintenanceJob

__all__ = ["delete_old_inbox", "delete_published_outbox", "messaging_jobs"]

OUTBOX_JOB = "events.outbox"
INBOX_JOB = "events.inbox"


async def delete_published_outbox(
    sessionmaker: async_sessionmaker[AsyncSession], outbox: Table, *, older_than: timedelta, batch_size: int = 1000
) -> int:
    """Delete the rows published more than `older_than` ago; returns how many."""
    cutoff = func.now() - older_than
    doomed = (
        select(outbox.c.id)
        .where(outbox.c.published_at.is_not(None), outbox.c.published_at < cutoff)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    )
    return await _in_batches(sessionmaker, delete(outbox).where(outbox.c.id.in_(doomed.scalar_subquery())), batch_size)


async def delete_old_inbox(
    sessionmaker: async_sessionmaker[AsyncSession], inbox: Table, *, older_than: timedelta, batch_size: int = 1000
) -> int:
    """Delete the rows processed more than `older_than` ago; returns how many."""
    key = tuple_(inbox.c.consumer, inbox.c.event_id)
    doomed = (
        select(inbox.c.consumer, inbox.c.event_id)
        .where(inbox.c.processed_at < func.now() - older_than)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    )
    return await _in_batches(sessionmaker, delete(inbox).where(key.in_(doomed)), batch_size)


async def _in_batches(sessionmaker: async_sessionmaker[AsyncSession], statement: Delete, batch_size: int) -> int:
    removed = 0
    while True:
        async with sessionmaker() as session, session.begin():
            # Should a migration hold the table, give up this batch rather than queue others behind us.
            await session.execute(text("SET LOCAL lock_timeout = '2s'"))
            result = cast(CursorResult[Any], await session.execute(statement))
        count = result.rowcount
        removed += count
        if count < batch_size:
            return removed
        await asyncio.sleep(0)  # a long backlog goes batch by batch, letting the loop breathe


def messaging_jobs(
    outbox: Table,
    inbox: Table,
    *,
    interval_seconds: float,
    outbox_retention_seconds: float,
    inbox_retention_seconds: float,
    batch_size: int = 1000,
) -> list[MaintenanceJob]:
    """The two clean-up jobs of a service's (outbox, inbox) pair."""

    async def clean_outbox(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
        older_than = timedelta(seconds=outbox_retention_seconds)
        return await delete_published_outbox(sessionmaker, outbox, older_than=older_than, batch_size=batch_size)

    async def clean_inbox(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
        older_than = timedelta(seconds=inbox_retention_seconds)
        return await delete_old_inbox(sessionmaker, inbox, older_than=older_than, batch_size=batch_size)

    return [
        MaintenanceJob(OUTBOX_JOB, interval_seconds, clean_outbox),
        MaintenanceJob(INBOX_JOB, interval_seconds, clean_inbox),
    ]
