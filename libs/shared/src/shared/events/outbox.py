"""Transactional outbox: the event is a row written with the change, published by a relay.

A running relay is woken by every commit of its own process that wrote outbox rows, and by a
PostgreSQL notification from any other process's (`shared.events.wakeup`); it still polls, slowly
(`idle_seconds`), for rows no notification announced (left by a crash, written by SQL), and
every `poll_seconds` while it cannot listen. A request's
unit of work (`shared.sessions.get_session`) then waits, bounded, until the rows it committed
are in JetStream (`relayed`): when a writer answers, a reader of its events can see them. The
wait never fails the request: the rows are already durable and the relay keeps trying.
"""

import asyncio
import json
import logging
import uuid
from dataclasses import dataclass, field
from typing import Any

from nats.js import JetStreamContext
from sqlalchemy import Table, event, extract, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlalchemy.orm import Session

from shared.events.backlog import BacklogSampler
from shared.events.bus import ensure_stream
from shared.events.catalogue import Event
from shared.events.envelope import Envelope
from shared.events.metrics import OUTBOX_OLDEST_AGE, OUTBOX_UNPUBLISHED
from shared.events.wakeup import Wakeup, notify
from shared.observability.tracing import trace_headers

logger = logging.getLogger(__name__)

# Keys of `Session.info`: the ids emitted in the open transaction; the relay running for the
# session's sessionmaker (set by `OutboxRelay.run`); the futures of committed rows not yet
# known to be published.
_EMITTED = "outbox.emitted"
_RELAY = "outbox.relay"
_RELAYED = "outbox.relayed"


class Outbox:
    """Writes events in the caller's transaction. Never commits, never publishes."""

    def __init__(self, table: Table, *, source: str) -> None:
        self.table = table
        self.source = source

    async def emit(self, session: AsyncSession, event: Event, *, tenant_id: int | None) -> Envelope:
        """Record `event` on its subject, in the caller's transaction."""
        subject = type(event).subject
        envelope = Envelope(type=subject, tenant_id=tenant_id, source=self.source, data=event.model_dump(mode="json"))
        statement = insert(self.table).values(id=envelope.id, subject=subject, payload=envelope.model_dump(mode="json"))
        if _EMITTED not in session.info:  # once per transaction: wakes other replicas' relays at commit
            statement = statement.returning(notify(outbox_channel(self.table)))
        await session.execute(statement)
        session.info.setdefault(_EMITTED, []).append(envelope.id)
        return envelope


async def relayed(session: AsyncSession) -> bool:
    """Wait until the outbox rows `session` committed are published by its process's relay.

    Bounded by the relay's `wait_seconds`; False (logged) when that passed first. True at once
    when nothing was emitted, or when no relay runs in this process (a script, a migration:
    there is nothing to wait for). Never raises: the rows are committed, and a relay's polling
    publishes them whatever happens here.
    """
    futures: list[asyncio.Future[None]] = session.info.pop(_RELAYED, [])
    if not futures:
        return True
    relay: OutboxRelay = session.info[_RELAY]
    _, waiting = await asyncio.wait(futures, timeout=relay.wait_seconds)
    for future in waiting:
        future.cancel()  # the relay forgets it; the row stays for its polling
    if waiting or any(future.cancelled() for future in futures):
        logger.warning("outbox rows not relayed before the response", extra={"commits": len(waiting)})
        return False
    return True


def outbox_channel(table: Table) -> str:
    """The notification channel of an outbox table's commits."""
    return f"outbox_{table.schema or 'public'}"


def _after_commit(session: Session) -> None:
    emitted = session.info.pop(_EMITTED, None)
    relay: OutboxRelay | None = session.info.get(_RELAY)
    if emitted and relay is not None:
        session.info.setdefault(_RELAYED, []).append(relay.committed(emitted))


def _after_rollback(session: Session) -> None:
    session.info.pop(_EMITTED, None)


@dataclass(eq=False)
class _Committed:
    unpublished: set[uuid.UUID]
    done: asyncio.Future[None] = field(repr=False)


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
        idle_seconds: float = 5.0,
        batch_size: int = 100,
        wait_seconds: float = 0.3,
        sample_seconds: float = 5.0,
        idle_sample_seconds: float = 60.0,
    ) -> None:
        self.sessionmaker = sessionmaker
        self.table = table
        self.js = js
        self.poll_seconds = poll_seconds
        # Between passes while notifications are heard: only rows no commit announced wait for it.
        self.idle_seconds = idle_seconds
        self.batch_size = batch_size
        # How long a request waits for its rows (`relayed`); after that the polling takes over.
        self.wait_seconds = wait_seconds
        # How often `run` counts the unpublished rows for the backlog gauges (one small query
        # on the partial index of unpublished rows); `idle_sample_seconds` while its passes find
        # nothing to publish (the backlog is then empty, or another replica's to publish).
        self.sampling = BacklogSampler(seconds=sample_seconds, idle_seconds=idle_sample_seconds)
        self._streams: set[str] = set()
        engine = sessionmaker.kw.get("bind")
        self._wake = Wakeup(engine.url if engine is not None else None, outbox_channel(table))
        self._committed: list[_Committed] = []

    @property
    def listening(self) -> bool:
        """Whether other processes' commits wake this relay (else it polls every `poll_seconds`)."""
        return self._wake.listening

    async def publish_pending(self) -> int:
        """Publish one batch of unsent rows and mark them sent; returns how many."""
        async with self.sessionmaker() as session, session.begin():
            ids = await self._publish_batch(session)
            if ids and self._committed:
                # JetStream holds them: what a waiting request needs (marking sent is ours).
                self._published(set(ids))
            if ids:
                await self._mark_sent(session, ids)
        return len(ids)

    def committed(self, ids: list[uuid.UUID]) -> asyncio.Future[None]:
        """Rows of this process were committed: relay now; the future is done once they are
        published (by this relay, or found published by another replica's)."""
        done = asyncio.get_running_loop().create_future()
        if len(self._committed) > self.batch_size:  # waiters that gave up while NATS was away
            self._committed = [c for c in self._committed if not c.done.done()]
        self._committed.append(_Committed(set(ids), done))
        self._wake.set()
        return done

    def _published(self, ids: set[uuid.UUID]) -> None:
        for committed in self._committed:
            committed.unpublished -= ids
        self._release()

    def _release(self) -> None:
        for committed in self._committed:
            if not committed.unpublished and not committed.done.done():
                committed.done.set_result(None)
        self._committed = [c for c in self._committed if not c.done.done()]

    async def _check_committed(self) -> None:
        """Release waiters whose rows another replica published (or whose savepoint was rolled
        back: a row that does not exist is not waited for)."""
        waiting = set().union(*(c.unpublished for c in self._committed))
        async with self.sessionmaker() as session:
            unsent = set(
                await session.scalars(
                    select(self.table.c.id).where(self.table.c.id.in_(waiting), self.table.c.published_at.is_(None))
                )
            )
        for committed in self._committed:
            committed.unpublished &= unsent
        self._release()

    async def sample_backlog(self) -> None:
        """Set `outbox_unpublished_events` and `outbox_oldest_unpublished_age_seconds`."""
        self.sampling.sampled()
        unpublished = self.table.c.published_at.is_(None)
        age = extract("epoch", func.clock_timestamp() - func.min(self.table.c.created_at))
        async with self.sessionmaker() as session:
            count, oldest = (await session.execute(select(func.count(), age).where(unpublished))).one()
        service = self.table.schema or "public"
        OUTBOX_UNPUBLISHED.labels(service).set(count)
        OUTBOX_OLDEST_AGE.labels(service).set(max(float(oldest or 0), 0.0))

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
            headers.update(trace_headers(row.payload.get("traceparent")))  # stored at emit time
            await self.js.publish(row.subject, json.dumps(row.payload).encode(), headers=headers)
        return [row.id for row in rows]

    async def run(self) -> None:
        """Relay until cancelled; a failure (NATS or DB down) is logged and retried.

        Between passes it sleeps `idle_seconds` (`poll_seconds` while it cannot listen), or less:
        a commit that wrote outbox rows wakes it, and rows a request waits for that another
        replica holds locked are looked at again soon.
        """
        self._attach()
        self._wake.start()
        try:
            backoff = self.poll_seconds
            while True:
                try:
                    if self.sampling.due():
                        await self.sample_backlog()
                    published = await self.publish_pending()
                    backoff = self.poll_seconds
                    if published:
                        self.sampling.busy()
                        continue
                    if self._committed:
                        await self._check_committed()
                    else:
                        self.sampling.idle()
                except asyncio.CancelledError:
                    raise
                except Exception:
                    logger.exception("outbox relay failed; retrying")
                    # A relay that cannot publish is what the backlog gauges are watched for.
                    self.sampling.busy()
                    backoff = min(backoff * 2, 5.0)
                    await asyncio.sleep(backoff)  # commits do not shorten the back-off
                    continue
                if self._committed:
                    pause = min(self.poll_seconds, 0.02)
                else:
                    pause = self.idle_seconds if self._wake.listening else self.poll_seconds
                await self._wake.wait(pause)
        finally:
            self._detach()
            await self._wake.aclose()

    def _attach(self) -> None:
        # Sessions copy their sessionmaker's `info`: each one's commit can then find this relay.
        self.sessionmaker.configure(info={**(self.sessionmaker.kw.get("info") or {}), _RELAY: self})

    def _detach(self) -> None:
        info = dict(self.sessionmaker.kw.get("info") or {})
        if info.pop(_RELAY, None) is self:
            self.sessionmaker.configure(info=info)
        for committed in self._committed:
            committed.done.cancel()
        self._committed = []


event.listen(Session, "after_commit", _after_commit)
event.listen(Session, "after_rollback", _after_rollback)
