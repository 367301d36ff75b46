"""Durable, idempotent consumption: inbox row + handler in one transaction, ack after commit."""

import asyncio
import logging
from collections.abc import Awaitable, Callable, Iterable
from typing import Any

from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from pydantic import ValidationError
from sqlalchemy import Table
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from shared.events.backlog import BacklogSampler
from shared.events.bus import ensure_stream, fetch_arrived, next_reconnect, stream_for_subject
from shared.events.catalogue import Event
from shared.events.catchup import ConsumerCatchUp
from shared.events.envelope import Envelope
from shared.events.metrics import CONSUMER_ACK_PENDING, CONSUMER_PENDING, DEAD_LETTERED, REDELIVERED
from shared.observability.request_id import request_id_var
from shared.observability.tracing import consumer_span

logger = logging.getLogger(__name__)

# (session, envelope, the envelope's data validated against the subject's model)
EventHandler = Callable[[AsyncSession, Envelope, Any], Awaitable[None]]

DEAD_LETTER_PREFIX = "deadletter"


class DurableConsumer:
    """What every durable pull consumer of one subject does: bind (creating the consumer the
    first time), fetch until cancelled, validate each envelope against the subject's model
    (dead-lettering at once what cannot match), and redeliver or dead-letter what failed.
    Subclasses say how a fetched batch is handled."""

    # How long `run`'s pull request waits when nothing is pending. The server answers it as soon
    # as a message comes (nats-py asks no-wait with an expiry), so this delays no delivery; it
    # bounds what an idle consumer costs (a request per wait) and how soon a request lost with
    # a consumer leader's move is made again. One lost with a NATS restart is made again as
    # soon as the client has reconnected (`shared.events.bus.next_reconnect`).
    idle_wait_seconds = 15.0

    def __init__(
        self,
        js: JetStreamContext,
        sessionmaker: async_sessionmaker[AsyncSession],
        *,
        durable: str,
        event: type[Event],
        batch_size: int,
        max_deliver: int = 5,
        ack_wait_seconds: float = 30.0,
        max_ack_pending: int | None = None,
    ) -> None:
        self.js = js
        self.sessionmaker = sessionmaker
        self.durable = durable
        self.event = event
        self.subject = event.subject
        self.batch_size = batch_size
        self.max_deliver = max_deliver
        self.ack_wait_seconds = ack_wait_seconds
        self.max_ack_pending = max_ack_pending
        self._sub: JetStreamContext.PullSubscription | None = None
        stream = stream_for_subject(self.subject)[0]
        self._stream = stream
        # How often `poll` refreshes the pending gauges from CONSUMER.INFO (one round trip); less
        # often while its waits find nothing (only retries waiting out their delay change them then).
        self.sampling = BacklogSampler(seconds=10.0, idle_seconds=60.0)
        self._catch_up = ConsumerCatchUp(js, stream=stream, durable=durable, subject=self.subject)

    async def catch_up(self, timeout: float = 1.0) -> bool:
        """Wait until this durable consumer has processed and acked everything its subject held
        at the call, whichever replica holds the messages; True then, False after `timeout`.

        For a read model consulted on a miss: look again once this returns, then answer "no".
        Already caught up costs one `CONSUMER.INFO` round trip; concurrent calls share them (at
        most one per 10 ms). NATS trouble is logged and answers False; it never raises.
        """
        return await self._catch_up.wait(timeout)

    async def start(self) -> None:
        self._sub = await bind_durable(
            self.js,
            self.subject,
            self.durable,
            ack_wait=self.ack_wait_seconds,
            max_deliver=self.max_deliver,
            max_ack_pending=self.max_ack_pending,
        )

    async def run(self) -> None:
        """Fetch and process until cancelled."""
        while True:
            try:
                await self.poll(self.idle_wait_seconds)
            except asyncio.CancelledError:
                raise
            except Exception:
                logger.exception("fetch failed", extra={"consumer": self.durable})
                self._sub = None  # bind again: the server may have forgotten the consumer
                await asyncio.sleep(1.0)

    async def poll(self, timeout: float = 1.0) -> int:
        """Fetch one batch (waiting up to `timeout` for its first message) and process it;
        returns how many messages."""
        if self._sub is None:
            await self.start()
        assert self._sub is not None
        if self.sampling.due():
            await self.sample()
        try:
            messages = await fetch_arrived(self._sub, self.batch_size, timeout=timeout, interrupt=self._reconnected())
        except TimeoutError:  # nats-py raises its own or asyncio's when nothing came
            self.sampling.idle()
            return 0
        self.sampling.busy()
        redelivered = sum(1 for msg in messages if msg.metadata.num_delivered > 1)
        if redelivered:
            REDELIVERED.labels(self.durable).inc(redelivered)
        await self.process_batch(messages)
        self._catch_up.progress()
        return len(messages)

    def _reconnected(self) -> asyncio.Event:
        # nats-py's JetStream context keeps its connection as `_nc` (no public accessor).
        return next_reconnect(self.js._nc)

    async def sample(self) -> None:
        """Refresh this consumer's pending gauges; NATS trouble leaves them as they were."""
        self.sampling.sampled()
        try:
            info = await self.js.consumer_info(self._stream, self.durable)
        except Exception:
            logger.debug("consumer info failed", extra={"consumer": self.durable}, exc_info=True)
            return
        CONSUMER_PENDING.labels(self.durable).set(info.num_pending or 0)
        CONSUMER_ACK_PENDING.labels(self.durable).set(info.num_ack_pending or 0)

    async def process_batch(self, messages: list[Msg]) -> None:
        raise NotImplementedError

    async def replay(self, envelope: Envelope, payload: Any) -> bool:
        """Handle one dead letter again (`shared.events.deadletters`); True once committed."""
        raise NotImplementedError

    async def parse(self, msg: Msg) -> tuple[Envelope, Any] | None:
        """(envelope, payload), or None once a payload that cannot match was dead-lettered."""
        try:
            envelope = Envelope.model_validate_json(msg.data)
            return envelope, self.event.model_validate(envelope.data)
        except ValidationError as exc:
            logger.error(
                "malformed event",
                extra={"consumer": self.durable, "subject": msg.subject, "errors": exc.errors(include_input=False)},
            )
            await dead_letter(self.js, msg, durable=self.durable, reason="malformed")
            return None

    async def retry_later(self, msg: Msg) -> None:
        """Redeliver with a delay, or dead-letter once `max_deliver` deliveries failed."""
        await retry_or_dead_letter(self.js, msg, durable=self.durable, max_deliver=self.max_deliver)


class EventConsumer(DurableConsumer):
    """A durable pull consumer of one subject that runs `handler` at most once per event id.

    A handler that raises rolls back and the message is redelivered (with a delay) up to
    `max_deliver` times, then copied to `deadletter.<durable>` and terminated. A payload that
    does not match the subject's model is dead-lettered at once: retrying cannot fix it.
    """

    def __init__(
        self,
        js: JetStreamContext,
        sessionmaker: async_sessionmaker[AsyncSession],
        inbox: Table,
        *,
        durable: str,
        event: type[Event],
        handler: EventHandler,
        max_deliver: int = 5,
        ack_wait_seconds: float = 30.0,
        batch_size: int = 20,
    ) -> None:
        super().__init__(
            js, sessionmaker, durable=durable, event=event, batch_size=batch_size,
            max_deliver=max_deliver, ack_wait_seconds=ack_wait_seconds,
        )  # fmt: skip
        self.inbox = inbox
        self.handler = handler

    async def process_batch(self, messages: list[Msg]) -> None:
        for msg in messages:
            await self.process(msg)

    async def stop(self) -> None:
        """Stop fetching; the durable consumer and its unacked messages stay on the server."""
        if self._sub is not None:
            await self._sub.unsubscribe()
            self._sub = None

    async def process(self, msg: Msg) -> None:
        """Handle one message: inbox + handler committed together, then ack."""
        parsed = await self.parse(msg)
        if parsed is None:
            return
        envelope, payload = parsed
        token = request_id_var.set(envelope.request_id)
        try:
            with consumer_span(self.subject, self.durable, msg.headers, envelope):
                if await self.handle(envelope, payload):
                    await msg.ack()
                else:
                    await self.retry_later(msg)
        finally:
            request_id_var.reset(token)

    async def replay(self, envelope: Envelope, payload: Any) -> bool:
        return await self.handle(envelope, payload)

    async def handle(self, envelope: Envelope, payload: Event) -> bool:
        """Run the handler once per event id; True when committed (or already seen)."""
        try:
            async with self.sessionmaker() as session, session.begin():
                fresh = await session.execute(
                    insert(self.inbox)
                    .values(consumer=self.durable, event_id=envelope.id, event_type=envelope.type)
                    .on_conflict_do_nothing()
                    .returning(self.inbox.c.event_id)
                )
                if fresh.first() is not None:
                    await self.handler(session, envelope, payload)
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.exception(
                "event handler failed",
                extra={"consumer": self.durable, "event_id": str(envelope.id), "event_type": envelope.type},
            )
            return False
        return True


async def catch_up(consumers: Iterable[DurableConsumer], *, timeout: float = 1.0) -> bool:
    """`DurableConsumer.catch_up` for several consumers at once (in parallel, one bound)."""
    return all(await asyncio.gather(*(consumer.catch_up(timeout) for consumer in consumers)))


async def bind_durable(
    js: JetStreamContext,
    subject: str,
    durable: str,
    *,
    ack_wait: float,
    max_deliver: int,
    max_ack_pending: int | None = None,
) -> JetStreamContext.PullSubscription:
    """The durable pull consumer of `subject` (created on first start, bound to afterwards), with
    its stream and its dead-letter stream created if missing."""
    stream = await ensure_stream(js, subject)
    await ensure_stream(js, f"{DEAD_LETTER_PREFIX}.{durable}")
    config = ConsumerConfig(
        durable_name=durable,
        ack_policy=AckPolicy.EXPLICIT,
        deliver_policy=DeliverPolicy.ALL,
        ack_wait=ack_wait,
        max_deliver=max_deliver,
        max_ack_pending=max_ack_pending,
        filter_subject=subject,
    )
    return await js.pull_subscribe(subject, durable=durable, stream=stream, config=config)


async def retry_or_dead_letter(js: JetStreamContext, msg: Msg, *, durable: str, max_deliver: int) -> None:
    """Redeliver later (backing off), or dead-letter once `max_deliver` deliveries failed."""
    delivered = msg.metadata.num_delivered if msg.metadata else 1
    if delivered >= max_deliver:
        await dead_letter(js, msg, durable=durable, reason="exhausted")
    else:
        await msg.nak(delay=min(2.0**delivered, 30.0))


async def dead_letter(js: JetStreamContext, msg: Msg, *, durable: str, reason: str = "exhausted") -> None:
    """Copy to `deadletter.<durable>` (with the original subject, the reason and the deliveries,
    which `shared.events.deadletters` lists) and stop redelivering.
    `reason` (`malformed` or `exhausted`) labels `events_dead_lettered_total`."""
    deliveries = msg.metadata.num_delivered if msg.metadata else 1
    headers = {"Original-Subject": msg.subject, "Dead-Letter-Reason": reason, "Delivery-Count": str(deliveries)}
    await js.publish(f"{DEAD_LETTER_PREFIX}.{durable}", msg.data, headers=headers)
    await msg.term()
    DEAD_LETTERED.labels(durable, reason).inc()
