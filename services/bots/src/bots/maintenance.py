"""bots' scheduled maintenance (`shared.maintenance`): answers a dead process left `streaming`
are closed as `interrupted`, and provider usage rows past their retention are deleted.

Telling a dead process's answer from a live one costs the answer nothing: each bots process
has an id (`STREAMER_ID`), written on the answer rows it opens (`Message.owner`), and renews one
lease row (`streamers`) every third of `streaming_lease_seconds` while it runs; at shutdown it
deletes it. An answer still `streaming` whose owner's lease lapsed is closed as `interrupted`,
with what it had stored, and `bots.answer.completed` says so as when its own process closes
it. A process that was only cut off from the database and closes the answer after all
overwrites the sweeper's verdict with its own.
"""

import asyncio
import contextlib
import logging
import uuid
from datetime import timedelta
from typing import Any, cast

from fastapi import FastAPI
from sqlalchemy import CursorResult, and_, delete, exists, func, or_, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from bots import events
from bots.conversation.service import public_id
from bots.models import Conversation, Message, Streamer, Usage
from shared.maintenance import MaintenanceJob
from shared.service import Worker

__all__ = [
    "STREAMER_ID",
    "close_orphaned_answers",
    "delete_old_usage",
    "lease_renewer",
    "maintenance_jobs",
    "renew_lease",
]

logger = logging.getLogger(__name__)

STREAMER_ID = uuid.uuid4()
# Answers opened before owners were recorded (migration 0005) are closed once this old.
UNOWNED_AFTER = timedelta(hours=1)
ANSWERS_JOB = "bots.answers"
USAGE_JOB = "bots.usage"


async def renew_lease(sessionmaker: async_sessionmaker[AsyncSession], streamer: uuid.UUID = STREAMER_ID) -> None:
    async with sessionmaker() as session, session.begin():
        await session.execute(
            insert(Streamer)
            .values(id=streamer, renewed_at=func.now())
            .on_conflict_do_update(index_elements=[Streamer.id], set_={"renewed_at": func.now()})
        )


def lease_renewer(lease_seconds: float) -> Worker:
    """The worker that keeps this process's lease while it runs, and ends it at shutdown."""

    async def keep_lease(app: FastAPI) -> None:
        sessionmaker: async_sessionmaker[AsyncSession] = app.state.sessionmaker
        try:
            while True:
                try:
                    await renew_lease(sessionmaker)
                except Exception:  # the database away: renewed at the next turn, before the lease lapses
                    logger.warning("streaming lease not renewed", exc_info=True)
                await asyncio.sleep(lease_seconds / 3)
        finally:
            with contextlib.suppress(Exception):  # its answers are being cancelled: sweep them soon
                async with sessionmaker() as session, session.begin():
                    await session.execute(delete(Streamer).where(Streamer.id == STREAMER_ID))

    return keep_lease


async def close_orphaned_answers(
    sessionmaker: async_sessionmaker[AsyncSession], *, lease: timedelta, batch_size: int = 500
) -> int:
    """Close, as interrupted, the answers left streaming by a process whose lease lapsed (and
    the unowned ones older than `UNOWNED_AFTER`); returns how many. Lapsed leases with no
    answer left are deleted."""
    closed = 0
    while True:
        async with sessionmaker() as session, session.begin():
            count = await _close_batch(session, lease=lease, batch_size=batch_size)
        closed += count
        if count < batch_size:
            break
    async with sessionmaker() as session, session.begin():
        streaming = exists().where(Message.owner == Streamer.id, Message.status == "streaming")
        await session.execute(delete(Streamer).where(Streamer.renewed_at < func.now() - lease, ~streaming))
    return closed


async def _close_batch(session: AsyncSession, *, lease: timedelta, batch_size: int) -> int:
    alive = select(Streamer.id).where(Streamer.renewed_at >= func.now() - lease)
    orphaned = (
        select(Message.id)
        .where(
            Message.status == "streaming",
            Message.created_at < func.now() - lease,  # a process's first renewal is long done by then
            or_(
                and_(Message.owner.is_not(None), Message.owner.not_in(alive)),
                and_(Message.owner.is_(None), Message.created_at < func.now() - UNOWNED_AFTER),
            ),
        )
        .limit(batch_size)
        .with_for_update(skip_locked=True)
    )
    closed = (
        await session.execute(
            update(Message)
            .where(Message.id.in_(orphaned.scalar_subquery()))
            .values(status="interrupted")
            .returning(Message.conversation_id, Message.input_tokens, Message.output_tokens)
        )
    ).all()
    if not closed:
        return 0
    owners = {
        row.id: row
        for row in await session.execute(
            select(Conversation.id, Conversation.tenant_id, Conversation.bot_id).where(
                Conversation.id.in_({conversation_id for conversation_id, _, _ in closed})
            )
        )
    }
    for conversation_id, input_tokens, output_tokens in closed:
        conversation = owners[conversation_id]
        event = events.AnswerCompleted(
            conversation_id=public_id(conversation_id), bot_id=conversation.bot_id, provider="", model="",
            status="interrupted", input_tokens=input_tokens, output_tokens=output_tokens,
        )  # fmt: skip
        await events.outbox.emit(session, event, tenant_id=conversation.tenant_id)
    logger.warning("answers left streaming by a dead process closed", extra={"answers": len(closed)})
    return len(closed)


async def delete_old_usage(
    sessionmaker: async_sessionmaker[AsyncSession], *, older_than: timedelta, batch_size: int = 1000
) -> int:
    """Delete the usage rows recorded more than `older_than` ago, in batches; returns how many."""
    doomed = (
        select(Usage.id)
        .where(Usage.at < func.now() - older_than)
        .limit(batch_size)
        .with_for_update(skip_locked=True)
        .scalar_subquery()
    )
    removed = 0
    while True:
        async with sessionmaker() as session, session.begin():
            result = cast(CursorResult[Any], await session.execute(delete(Usage).where(Usage.id.in_(doomed))))
        removed += result.rowcount
        if result.rowcount < batch_size:
            return removed


def maintenance_jobs(*, lease_seconds: float, usage_retention_days: int) -> list[MaintenanceJob]:
    async def sweep(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
        return await close_orphaned_answers(sessionmaker, lease=timedelta(seconds=lease_seconds))

    async def clean_usage(sessionmaker: async_sessionmaker[AsyncSession]) -> int:
        return await delete_old_usage(sessionmaker, older_than=timedelta(days=usage_retention_days))

    return [MaintenanceJob(ANSWERS_JOB, lease_seconds, sweep), MaintenanceJob(USAGE_JOB, 3600.0, clean_usage)]
