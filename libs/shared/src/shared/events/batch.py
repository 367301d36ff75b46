"""Bulk consumption for high-volume subjects: one transaction per fetched batch.

`EventConsumer` commits one inbox row and one handler call per event: right for domain
events, too slow for sensor readings at thousands per second. Here the handler gets the
whole batch in one session and must be idempotent by itself (a natural key with
`ON CONFLICT DO NOTHING`): no inbox row is written. Every message is acked after the commit;
a crash before the ack redelivers the batch and the natural key drops what was stored.
A batch that fails is retried message by message, so one poisonous event is dead-lettered
without holding the others back.
"""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Sequence
from typing import Any

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from pydantic import ValidationError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.events.catalogue import Event
from shared.events.consumer import bind_durable, dead_letter, retry_or_dead_letter
from shared.events.envelope import Envelope

__all__ = ["BatchConsumer", "BatchHandler"]

logger = logging.getLogger(__name__)

# (session, [(envelope, the envelope's data validated against the subject's model)])
BatchHandler = Callable[[AsyncSession, Sequence[tuple[Envelope, Any]]], Awaitable[None]]


class BatchConsumer:
    """A durable pull consumer of one subject whose handler stores each fetched batch at once."""

    def __init__(
        self,
        js: JetStreamContext,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        durable: str,
        event: type[Event],
        handler: BatchHandler,
        batch_size: int = 500,
        max_deliver: int = 5,
        ack_wait_seconds: float = 30.0,
        max_ack_pending: int = 20_000,
    ) -> None:
        self.js = js
        self.sessionmaker = sessionmaker
        self.durable = durable
        self.event = event
        self.handler = handler
        self.batch_size = batch_size
        self.max_deliver = max_deliver
        self.ack_wait_seconds = ack_wait_seconds
        self.max_ack_pending = max_ack_pending
        self._sub: JetStreamContext.PullSubscription | None = None

    async def start(self) -> None:
        self._sub = await bind_durable(
            self.js,
            self.event.subject,
            self.durable,
            ack_wait=self.ack_wait_seconds,
            max_deliver=self.max_deliver,
            max_ack_pending=self.max_ack_pending,
        )

    async def run(self) -> None:
        while True:
            try:
                await self.poll()
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("fetch failed", extra={"consumer": self.durable})
                self._sub = None  # bind again: the server may have forgotten the consumer
                await asyncio.sleep(1.0)

    async def poll(self, timeout: float = 1.0) -> int:
        """Fetch one batch (waiting up to `timeout`), store it, ack it; returns how many messages."""
        if self._sub is None:
            await self.start()
        assert self._sub is not None
        try:
            messages = await self._sub.fetch(self.batch_size, timeout=timeout)
        except TimeoutError:  # nats-py raises its own or asyncio's when nothing came
            return 0
        parsed = []
        for msg in messages:
            event = await self._parse(msg)
            if event is not None:
                parsed.append((msg, event))
        if parsed and not await self._store([event for _, event in parsed]):
            for msg, event in parsed:  # find the one that fails; store the rest
                if await self._store([event]):
                    await msg.ack()
                else:
                    await self._retry_or_dead_letter(msg)
            return len(messages)
        await asyncio.gather(*(msg.ack() for msg, _ in parsed))
        return len(messages)

    async def _parse(self, msg: Msg) -> tuple[Envelope, Any] | None:
        try:
            envelope = Envelope.model_validate_json(msg.data)
            return envelope, self.event.model_validate(envelope.data)
        except ValidationError as exc:
            logger.error(
                "malformed event",
                extra={"consumer": self.durable, "subject": msg.subject, "errors": exc.errors(include_input=False)},
            )
            await self._dead_letter(msg)
            return None

    async def _store(self, events: Sequence[tuple[Envelope, Any]]) -> bool:
        try:
            async with self.sessionmaker() as session, session.begin():
                await self.handler(session, events)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception("batch handler failed", extra={"consumer": self.durable, "events": len(events)})
            return False
        return True

    async def _retry_or_dead_letter(self, msg: Msg) -> None:
        await retry_or_dead_letter(self.js, msg, durable=self.durable, max_deliver=self.max_deliver)

    async def _dead_letter(self, msg: Msg) -> None:
        await dead_letter(self.js, msg, durable=self.durable)
