"""Transactional outbox: the event is a row written with the change, published by a relay."""

import asyncio
import json
import logging
from typing import Any

from nats.js import JetStreamContext
from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.events.bus import ensure_stream
from shared.events.catalogue import Event
from shared.events.envelope import Envelope

logger = logging.getLogger(__name__)


class Outbox:
    """Writes events in the caller's transaction. Never commits, never publishes."""

    def __init__(self, table: Table, *, source: str) -> None:
        self.table = table
        self.source = source

    async def emit(self, session: AsyncSession, event: Event, *, tenant_id: int | None) -> Envelope:
        """Record `event` on its subject, in the caller's transaction."""
        subject = type(event).subject
        envelope = Envelope(type=subject, tenant_id=tenant_id, source=self.source, data=event.model_dump(mode="json"))
        await session.execute(
            insert(self.table).values(id=envelope.id, subject=subject, payload=envelope.model_dump(mode="json"))
        )
        return envelope


class OutboxRelay:
    """Publishes unsent rows in id (= time) order and marks them sent.

    A crash between publish and mark-sent re-publishes the same `Nats-Msg-Id`: JetStream
    drops it inside its duplicate window, and consumers' inboxes drop it after that.
    """

    def __init__(
        self,
        sessionmaker: async_sessionmaker[AsyncSession],
        table: Table,
        js: JetStreamContext,
        *,
        poll_seconds: float = 0.2,
        batch_size: int = 100,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.table = table
        self.js = js
        self.poll_seconds = poll_seconds
        self.batch_size = batch_size
        self._streams: set[str] = set()

    async def publish_pending(self) -> int:
        """Publish one batch of unsent rows and mark them sent; returns how many."""
        async with self.sessionmaker() as session, session.begin():
            ids = await self._publish_batch(session)
            if ids:
                await self._mark_sent(session, ids)
        return len(ids)

    async def _mark_sent(self, session: AsyncSession, ids: list[Any]) -> None:
        await session.execute(update(self.table).where(self.table.c.id.in_(ids)).values(published_at=func.now()))

    async def _publish_batch(self, session: AsyncSession) -> list[Any]:
        # SKIP LOCKED lets several replicas relay side by side without publishing a row twice.
        rows = (
            await session.execute(
                select(self.table.c.id, self.table.c.subject, self.table.c.payload)
                .where(self.table.c.published_at.is_(None))
                .order_by(self.table.c.id)
                .limit(self.batch_size)
                .with_for_update(skip_locked=True)
            )
        ).all()
        for row in rows:
            prefix = row.subject.split(".", 1)[0]
            if prefix not in self._streams:
                await ensure_stream(self.js, row.subject)
                self._streams.add(prefix)
            headers = {"Nats-Msg-Id": str(row.id)}
            if row.payload.get("request_id"):
                headers["X-Request-ID"] = row.payload["request_id"]
            await self.js.publish(row.subject, json.dumps(row.payload).encode(), headers=headers)
        return [row.id for row in rows]

    async def run(self) -> None:
        """Relay until cancelled; a failure (NATS or DB down) is logged and retried."""
        backoff = self.poll_seconds
        while True:
            try:
                published = await self.publish_pending()
                backoff = self.poll_seconds
                if published:
                    continue
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("outbox relay failed; retrying")
                backoff = min(backoff * 2, 5.0)
            await asyncio.sleep(backoff)
