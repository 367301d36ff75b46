"""Outbox -> JetStream -> durable consumer, against the real NATS and PostgreSQL."""

import asyncio
import contextlib
import json
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from nats.aio.client import Client as NATS
from nats.js.client import JetStreamContext
from nats.js.errors import NotFoundError
from prometheus_client import REGISTRY
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select, text
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from devstack.engines import start_nats
from devstack.processes import free_port
from devstack.pytest_plugin import ScratchSchema
from devstack.stack import Stack
from devstack.waiting import eventually
from shared.db import create_engine, create_sessionmaker
from shared.events import (
    Envelope,
    Event,
    EventConsumer,
    Outbox,
    OutboxRelay,
    catch_up,
    connect_nats,
    messaging_tables,
    relayed,
    wakeup,
)
from shared.events.bus import ensure_stream, stream_for_subject
from shared.migrations import create_messaging_tables


@dataclass
class World:
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    outbox_table: Table
    inbox_table: Table
    effects: Table
    nats: NATS
    subject: str
    event: type[Event]

    @property
    def js(self) -> JetStreamContext:
        return self.nats.jetstream()

    async def effect_count(self) -> int:
        async with self.sessionmaker() as session:
            return int(await session.scalar(select(func.count()).select_from(self.effects)) or 0)

    async def stream_messages(self) -> int:
        try:
            info = await self.js.stream_info(stream_for_subject(self.subject)[0])
        except NotFoundError:
            return 0
        return int(info.state.messages)

    def consumer(self, durable: str, *, js: JetStreamContext | None = None, **options: Any) -> EventConsumer:
        async def record(session: AsyncSession, envelope: Envelope, payload: Event) -> None:
            await session.execute(self.effects.insert().values(event_id=str(envelope.id)))

        options.setdefault("handler", record)
        return EventConsumer(
            js or self.js, self.sessionmaker, self.inbox_table, durable=durable, event=self.event, **options
        )


@pytest.fixture
async def world(scratch_schema: ScratchSchema, platform_engines: Stack) -> AsyncIterator[World]:
    metadata = MetaData(schema=scratch_schema.name)
    outbox_table, inbox_table = messaging_tables(metadata)
    effects = Table("effects", metadata, Column("id", Integer, primary_key=True), Column("event_id", String(64)))
    engine = create_engine(scratch_schema.url, schema=scratch_schema.name)

    def migrate(connection: Any) -> None:
        with Operations.context(MigrationContext.configure(connection)):
            create_messaging_tables()
        effects.create(connection)

    async with engine.begin() as conn:
        await conn.run_sync(migrate)
    nc = await connect_nats(platform_engines.nats_url, name="test")
    # A stream of its own per test, so tests never see each other's events.
    subject = f"t{secrets.token_hex(4)}.thing.happened"
    yield World(engine, create_sessionmaker(engine), outbox_table, inbox_table, effects, nc, subject, thing(subject))
    await nc.close()
    await engine.dispose()


def thing(subject: str) -> type[Event]:
    """A payload model of this test's own subject."""

    class ThingHappened(Event):
        n: int

    ThingHappened.subject = subject
    return ThingHappened


async def emit(world: World, data: dict[str, Any]) -> Envelope:
    outbox = Outbox(world.outbox_table, source="test")
    async with world.sessionmaker() as session, session.begin():
        return await outbox.emit(session, world.event(**data), tenant_id=1)


class CrashAfterPublish(OutboxRelay):
    """Dies after JetStream acknowledged the publish, before the row is marked sent."""

    async def _mark_sent(self, session: AsyncSession, ids: list[Any]) -> None:
        raise RuntimeError("relay killed")


async def test_relay_killed_between_publish_and_mark_sent_delivers_once(world: World) -> None:
    await emit(world, {"n": 1})
    with pytest.raises(RuntimeError, match="relay killed"):
        await CrashAfterPublish(world.sessionmaker, world.outbox_table, world.js).publish_pending()
    # The restarted relay publishes the same row again (same Nats-Msg-Id).
    assert await OutboxRelay(world.sessionmaker, world.outbox_table, world.js).publish_pending() == 1
    assert await OutboxRelay(world.sessionmaker, world.outbox_table, world.js).publish_pending() == 0

    assert await world.stream_messages() == 1, "JetStream should drop the duplicate publish"
    consumer = world.consumer("effects")
    await consumer.start()
    assert await consumer.poll(timeout=2) == 1
    assert await world.effect_count() == 1


async def test_redelivery_after_the_duplicate_window_changes_nothing(world: World) -> None:
    envelope = await emit(world, {"n": 1})
    await OutboxRelay(world.sessionmaker, world.outbox_table, world.js).publish_pending()
    # The same event again without the dedup header: what arrives once the window has passed.
    await world.js.publish(world.subject, envelope.model_dump_json().encode())
    consumer = world.consumer("effects")
    await consumer.start()
    assert await consumer.poll(timeout=2) == 2
    assert await world.effect_count() == 1


async def test_consumer_crash_before_ack_does_not_repeat_the_effect(world: World) -> None:
    await emit(world, {"n": 1})
    await OutboxRelay(world.sessionmaker, world.outbox_table, world.js).publish_pending()

    crashed = world.consumer("effects", ack_wait_seconds=1.0)
    await crashed.start()
    assert crashed._sub is not None
    (msg,) = await crashed._sub.fetch(1, timeout=2)
    # The handler's transaction commits, then the process dies before msg.ack().
    envelope = Envelope.model_validate_json(msg.data)
    assert await crashed.handle(envelope, world.event.model_validate(envelope.data))
    await crashed.stop()

    restarted = world.consumer("effects", ack_wait_seconds=1.0)
    await restarted.start()
    processed = 0
    for _ in range(10):
        processed += await restarted.poll(timeout=1)
        if processed:
            break
    assert processed == 1, "the unacked message should be redelivered"
    assert await world.effect_count() == 1
    info = await world.js.consumer_info(stream_for_subject(world.subject)[0], "effects")
    assert info.num_ack_pending == 0


async def test_failing_handler_is_retried_then_dead_lettered(world: World) -> None:
    calls = 0

    async def always_fails(session: AsyncSession, envelope: Envelope, payload: Event) -> None:
        nonlocal calls
        calls += 1
        await session.execute(world.effects.insert().values(event_id=str(envelope.id)))
        raise ValueError("boom")

    await emit(world, {"n": 1})
    await OutboxRelay(world.sessionmaker, world.outbox_table, world.js).publish_pending()
    dead = await world.js.subscribe(f"deadletter.{world.subject.split('.')[0]}-fails")
    consumer = world.consumer(f"{world.subject.split('.')[0]}-fails", handler=always_fails, max_deliver=2)
    await consumer.start()
    for _ in range(8):
        await consumer.poll(timeout=1)
        if calls >= 2:
            break
    assert calls == 2
    assert await world.effect_count() == 0, "a failed handler's writes are rolled back"
    letter = await dead.next_msg(timeout=2)
    await dead.unsubscribe()
    assert json.loads(letter.data)["data"] == {"n": 1}
    assert letter.headers
    assert letter.headers["Original-Subject"] == world.subject


async def test_relay_publishes_in_creation_order(world: World) -> None:
    for n in range(5):
        await emit(world, {"n": n})
    await OutboxRelay(world.sessionmaker, world.outbox_table, world.js, batch_size=2).publish_pending()
    await OutboxRelay(world.sessionmaker, world.outbox_table, world.js).publish_pending()
    sub = await world.js.pull_subscribe(world.subject, durable="order")
    received = [json.loads(m.data)["data"]["n"] for m in await sub.fetch(5, timeout=2)]
    assert received == [0, 1, 2, 3, 4]


async def test_relay_run_loop_survives_a_nats_outage_and_publishes_after(world: World, tmp_path: Path) -> None:
    port = free_port()
    server = start_nats(tmp_path / "nats", port)
    nc = await connect_nats(f"nats://127.0.0.1:{port}", name="relay")
    relay = OutboxRelay(world.sessionmaker, world.outbox_table, nc.jetstream(), poll_seconds=0.05)
    task = asyncio.create_task(relay.run())
    try:
        server.stop()
        await emit(world, {"n": 7})
        await asyncio.sleep(1.0)  # the relay tries, fails and backs off while NATS is down
        async with world.sessionmaker() as session:
            unsent = await session.scalar(
                select(func.count()).select_from(world.outbox_table).where(world.outbox_table.c.published_at.is_(None))
            )
        assert unsent == 1
        server = start_nats(tmp_path / "nats", port)
        js = nc.jetstream()

        async def stored_once() -> bool:
            with contextlib.suppress(Exception):
                return (await js.stream_info(stream_for_subject(world.subject)[0])).state.messages == 1
            return False

        await eventually(stored_once, "the relay published the row once NATS was back", seconds=10)
        assert (await js.stream_info(stream_for_subject(world.subject)[0])).state.messages == 1
    finally:
        task.cancel()
        await nc.close()
        server.stop()


async def test_a_payload_that_breaks_its_model_is_dead_lettered_at_once(world: World) -> None:
    calls = 0

    async def handler(session: AsyncSession, envelope: Envelope, payload: Event) -> None:
        nonlocal calls
        calls += 1

    bad = Envelope(type=world.subject, source="test", tenant_id=1, data={"n": "not a number"})
    await ensure_stream(world.js, world.subject)
    await world.js.publish(world.subject, bad.model_dump_json().encode())
    prefix = world.subject.split(".")[0]
    dead = await world.js.subscribe(f"deadletter.{prefix}-typed")
    consumer = world.consumer(f"{prefix}-typed", handler=handler, max_deliver=5)
    await consumer.start()
    await consumer.poll(timeout=2)
    letter = await dead.next_msg(timeout=2)
    await dead.unsubscribe()
    assert calls == 0
    assert json.loads(letter.data)["data"] == {"n": "not a number"}
    assert letter.headers
    assert letter.headers["Original-Subject"] == world.subject
    assert await consumer.poll(timeout=0.5) == 0, "terminated, not redelivered"
    assert _sample("events_dead_lettered_total", durable=f"{prefix}-typed", reason="malformed") == 1


async def publish_directly(world: World, count: int) -> None:
    await ensure_stream(world.js, world.subject)
    for n in range(count):
        envelope = Envelope(type=world.subject, source="test", tenant_id=1, data={"n": n})
        await world.js.publish(world.subject, envelope.model_dump_json().encode())


def slow(world: World) -> Any:
    """A handler that takes a while, so a catch-up really has something to wait for."""

    async def handler(session: AsyncSession, envelope: Envelope, payload: Event) -> None:
        await asyncio.sleep(0.01)
        await session.execute(world.effects.insert().values(event_id=str(envelope.id)))

    return handler


async def test_catch_up_returns_once_everything_published_before_it_is_processed(world: World) -> None:
    consumer = world.consumer("readmodel", handler=slow(world), batch_size=5)
    await consumer.start()
    running = asyncio.create_task(consumer.run())
    try:
        await publish_directly(world, 30)
        assert await consumer.catch_up(timeout=10.0)
        assert await world.effect_count() == 30
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)


async def test_catch_up_reads_the_servers_state_so_another_replica_can_do_the_work(world: World) -> None:
    working = world.consumer("shared-durable", handler=slow(world), batch_size=5)
    await working.start()
    running = asyncio.create_task(working.run())
    idle = world.consumer("shared-durable")  # this process's replica: bound, never fetching
    await idle.start()
    try:
        await publish_directly(world, 20)
        assert await catch_up([idle], timeout=10.0)
        assert await world.effect_count() == 20
    finally:
        running.cancel()
        await asyncio.gather(running, return_exceptions=True)


async def test_catch_up_returns_false_within_its_bound_when_no_replica_consumes(world: World) -> None:
    consumer = world.consumer("stopped")
    await consumer.start()
    await consumer.stop()
    await publish_directly(world, 3)

    started = time.monotonic()
    assert not await consumer.catch_up(timeout=0.5)
    assert time.monotonic() - started < 0.8
    assert await world.effect_count() == 0


async def test_concurrent_catch_ups_share_their_round_trips(world: World) -> None:
    consumer = world.consumer("flooded")
    await consumer.start()
    await publish_directly(world, 2)
    assert await consumer.poll(timeout=2) == 2
    asked = 0
    consumer_info = consumer._catch_up.js.consumer_info

    async def counting(*args: Any, **kwargs: Any) -> Any:
        nonlocal asked
        asked += 1
        return await consumer_info(*args, **kwargs)

    consumer._catch_up.js.consumer_info = counting  # type: ignore[method-assign]
    started = time.monotonic()
    results = await asyncio.gather(*(consumer.catch_up(timeout=2.0) for _ in range(500)))
    elapsed = time.monotonic() - started

    assert all(results)
    # One request per 10 ms at most, whatever the number of callers.
    assert asked <= 2 + elapsed / 0.01, (asked, elapsed)
    assert asked < 50


async def test_catch_up_answers_false_at_once_when_nats_cannot_say(world: World, tmp_path: Path) -> None:
    port = free_port()
    server = start_nats(tmp_path / "nats", port)
    nc = await connect_nats(f"nats://127.0.0.1:{port}", name="catch-up")
    try:
        js = nc.jetstream()
        consumer = EventConsumer(
            js, world.sessionmaker, world.inbox_table, durable="gone", event=world.event, handler=slow(world)
        )
        await consumer.start()
        server.stop()
        started = time.monotonic()
        assert not await consumer.catch_up(timeout=5.0)
        assert time.monotonic() - started < 2.0
    finally:
        with contextlib.suppress(ConnectionResetError):  # the server is gone: closing may find it so
            await nc.close()
        server.stop()


async def test_a_commit_wakes_the_relay_and_relayed_returns_once_the_row_is_in_jetstream(world: World) -> None:
    # Polling alone would take a minute: only the commit's wake-up can publish in time.
    relay = OutboxRelay(world.sessionmaker, world.outbox_table, world.js, poll_seconds=60, wait_seconds=2.0)
    await ensure_stream(world.js, world.subject)
    task = asyncio.create_task(relay.run())
    try:
        await asyncio.sleep(0.1)  # the relay's first (empty) pass, then it sleeps for a minute
        for n in range(5):
            async with world.sessionmaker() as session:
                await Outbox(world.outbox_table, source="test").emit(session, world.event(n=n), tenant_id=1)
                await session.commit()
                assert await relayed(session)
                assert await world.stream_messages() == n + 1
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_relayed_gives_up_within_its_bound_when_nats_is_down_and_the_row_stays(
    world: World, tmp_path: Path
) -> None:
    port = free_port()
    server = start_nats(tmp_path / "nats", port)
    nc = await connect_nats(f"nats://127.0.0.1:{port}", name="relay")
    relay = OutboxRelay(world.sessionmaker, world.outbox_table, nc.jetstream(), poll_seconds=0.05, wait_seconds=0.3)
    task = asyncio.create_task(relay.run())
    try:
        await asyncio.sleep(0.1)
        server.stop()
        async with world.sessionmaker() as session:
            await Outbox(world.outbox_table, source="test").emit(session, world.event(n=1), tenant_id=1)
            await session.commit()
            started = time.monotonic()
            assert not await relayed(session)
            assert time.monotonic() - started < 0.6
        async with world.sessionmaker() as session:
            unsent = await session.scalar(
                select(func.count()).select_from(world.outbox_table).where(world.outbox_table.c.published_at.is_(None))
            )
        assert unsent == 1
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
        with contextlib.suppress(ConnectionResetError):  # the server is gone: closing may find it so
            await nc.close()
        server.stop()


# -- metrics (shared/events/metrics.py) --------------------------------------------------------
def _sample(name: str, **labels: str) -> float:
    return REGISTRY.get_sample_value(name, labels) or 0.0


async def test_unpublished_rows_show_in_the_backlog_gauges_until_relayed(world: World) -> None:
    service = world.outbox_table.schema or "public"
    relay = OutboxRelay(world.sessionmaker, world.outbox_table, world.js)
    await emit(world, {"n": 1})
    await emit(world, {"n": 2})
    async with world.sessionmaker() as session, session.begin():  # as if committed a minute ago
        await session.execute(world.outbox_table.update().values(created_at=func.now() - text("interval '60 s'")))
    await relay.sample_backlog()
    assert _sample("outbox_unpublished_events", service=service) == 2
    assert 60 <= _sample("outbox_oldest_unpublished_age_seconds", service=service) < 120
    await relay.publish_pending()
    await relay.sample_backlog()
    assert _sample("outbox_unpublished_events", service=service) == 0
    assert _sample("outbox_oldest_unpublished_age_seconds", service=service) == 0


async def test_a_failing_handler_counts_redeliveries_then_a_dead_letter(world: World) -> None:
    async def always_fails(session: AsyncSession, envelope: Envelope, payload: Event) -> None:
        raise ValueError("boom")

    durable = f"{world.subject.split('.')[0]}-counted"
    await emit(world, {"n": 1})
    await OutboxRelay(world.sessionmaker, world.outbox_table, world.js).publish_pending()
    consumer = world.consumer(durable, handler=always_fails, max_deliver=2)
    consumer.sampling.seconds = 0  # every poll
    await consumer.start()
    await consumer.poll(timeout=1)  # first delivery: fails, nak'd with a delay
    assert _sample("events_consumer_ack_pending_messages", durable=durable) == 0  # sampled before the fetch
    await consumer.sample()
    assert _sample("events_consumer_ack_pending_messages", durable=durable) == 1
    assert _sample("events_dead_lettered_total", durable=durable, reason="exhausted") == 0
    for _ in range(8):
        await consumer.poll(timeout=1)
        if _sample("events_dead_lettered_total", durable=durable, reason="exhausted"):
            break
    assert _sample("events_redelivered_total", durable=durable) == 1
    assert _sample("events_dead_lettered_total", durable=durable, reason="exhausted") == 1
    await consumer.sample()
    assert _sample("events_consumer_pending_messages", durable=durable) == 0


async def test_messages_not_yet_fetched_show_as_pending(world: World) -> None:
    durable = f"{world.subject.split('.')[0]}-behind"
    consumer = world.consumer(durable)
    await consumer.start()
    for n in range(3):
        await emit(world, {"n": n})
    await OutboxRelay(world.sessionmaker, world.outbox_table, world.js).publish_pending()
    await consumer.sample()
    assert _sample("events_consumer_pending_messages", durable=durable) == 3


# -- waiting without polling (shared/events/wakeup.py, the consumers' long pull requests) -------
async def test_another_process_commit_wakes_a_relay_that_would_sleep_a_minute(
    world: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    relay = OutboxRelay(world.sessionmaker, world.outbox_table, world.js, poll_seconds=60, idle_seconds=60)
    await ensure_stream(world.js, world.subject)
    task = asyncio.create_task(relay.run())
    other = create_sessionmaker(world.engine)  # no relay of its own: as in another process
    try:
        await eventually(lambda: relay.listening, "the relay listens")
        for n in range(2):  # the second can only be published by its notification
            async with other() as session:
                with monkeypatch.context() as patched:
                    patched.setattr(wakeup, "PROCESS_TOKEN", "another process")
                    await Outbox(world.outbox_table, source="test").emit(session, world.event(n=n), tenant_id=1)
                await session.commit()
            await eventually(_count_is(world.stream_messages, n + 1), "published", seconds=3)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_an_idle_consumer_takes_each_lone_event_at_once(world: World) -> None:
    # A minute's pull request must not hold a lone event back (nor wait for a batch to fill).
    consumer = world.consumer("lone")
    consumer.idle_wait_seconds = 60
    relay = OutboxRelay(world.sessionmaker, world.outbox_table, world.js)
    await ensure_stream(world.js, world.subject)
    await consumer.start()
    task = asyncio.create_task(consumer.run())
    try:
        for n in range(3):
            await emit(world, {"n": n})
            await relay.publish_pending()
            await eventually(_count_is(world.effect_count, n + 1), "handled", seconds=3)
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


async def test_after_a_nats_restart_delivery_resumes_once_reconnected(world: World, tmp_path: Path) -> None:
    port = free_port()
    server = start_nats(tmp_path / "nats", port)
    nc = await connect_nats(f"nats://127.0.0.1:{port}", name="restart")
    consumer = world.consumer("restart", js=nc.jetstream())
    consumer.idle_wait_seconds = 3600  # the lost pull request is made again on reconnection, not after the wait
    relay = OutboxRelay(world.sessionmaker, world.outbox_table, nc.jetstream())
    try:
        await ensure_stream(nc.jetstream(), world.subject)
        await consumer.start()
        task = asyncio.create_task(consumer.run())
        await asyncio.sleep(0.5)  # the consumer waits in its pull request, which the restart loses
        server.stop()
        server = start_nats(tmp_path / "nats", port)  # same store
        await eventually(lambda: nc.is_connected, "reconnected")
        await emit(world, {"n": 1})
        await eventually(relay.publish_pending, "published", seconds=10)
        await eventually(_count_is(world.effect_count, 1), "handled", seconds=10)
    finally:
        if "task" in locals():
            task.cancel()
            await asyncio.gather(task, return_exceptions=True)
        with contextlib.suppress(Exception):
            await nc.close()
        server.stop()


async def test_an_idle_consumer_samples_its_gauges_seldom(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    consumer = world.consumer("seldom")
    consumer.sampling.seconds, consumer.sampling.idle_seconds = 0, 60
    sampled = consumer.sample
    samples: list[float] = []

    async def counted() -> None:
        samples.append(time.monotonic())
        await sampled()

    monkeypatch.setattr(consumer, "sample", counted)
    await consumer.start()
    for _ in range(3):
        assert await consumer.poll(timeout=0.2) == 0
    assert len(samples) == 1, "waits that find nothing do not sample again"
    await emit(world, {"n": 1})
    await OutboxRelay(world.sessionmaker, world.outbox_table, world.js).publish_pending()
    assert await consumer.poll(timeout=2) == 1
    await consumer.poll(timeout=0.2)
    assert len(samples) == 2, "traffic samples at the busy pace again"


async def test_an_idle_relay_samples_its_backlog_seldom(world: World, monkeypatch: pytest.MonkeyPatch) -> None:
    relay = OutboxRelay(world.sessionmaker, world.outbox_table, world.js, idle_seconds=0.01, sample_seconds=0,
                        idle_sample_seconds=60)  # fmt: skip
    samples: list[float] = []
    passes: list[int] = []
    sampled, published = relay.sample_backlog, relay.publish_pending

    async def counted_sample() -> None:
        samples.append(time.monotonic())
        await sampled()

    async def counted_pass() -> int:
        passes.append(await published())
        return passes[-1]

    monkeypatch.setattr(relay, "sample_backlog", counted_sample)
    monkeypatch.setattr(relay, "publish_pending", counted_pass)
    await ensure_stream(world.js, world.subject)
    task = asyncio.create_task(relay.run())
    try:
        await eventually(lambda: len(passes) >= 5, "idle passes")
        assert len(samples) == 1, "passes that find nothing do not sample again"
        await emit(world, {"n": 1})
        await eventually(lambda: sum(passes) == 1, "published")
        await eventually(lambda: len(samples) == 2, "traffic samples at the busy pace again")
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)


def _count_is(count: Callable[[], Awaitable[int]], expected: int) -> Callable[[], Awaitable[bool]]:
    async def probe() -> bool:
        return await count() == expected

    return probe
