"""Dead letters listed for platform admins and replayed to the one durable that failed, and the
streams' limits, against the real NATS and PostgreSQL."""

import secrets
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from alembic.migration import MigrationContext
from alembic.operations import Operations
from fastapi import FastAPI
from nats.aio.client import Client as NATS
from nats.js.api import DiscardPolicy, StreamConfig
from sqlalchemy import Column, Integer, MetaData, String, Table, func, select
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from devstack.pytest_plugin import ScratchSchema
from devstack.stack import Stack
from devstack.waiting import eventually
from shared.db import create_engine, create_sessionmaker
from shared.dead_letters import dead_letter_router, dead_letters_path
from shared.errors import NotAuthenticated, install_error_handlers
from shared.events import Envelope, Event, EventConsumer, Outbox, OutboxRelay, connect_nats, messaging_tables, streams
from shared.events.bus import ensure_stream, stream_for_subject
from shared.events.deadletters import DeadLetters
from shared.migrations import create_messaging_tables
from shared.routes import seed_style
from shared.security import Principal

SERVICE = "things"


class Verifier:
    """Stands in for auth: `admin` is a platform admin, `farmer` a workspace's user."""

    async def verify(self, token: str) -> Principal:
        if token not in ("admin", "farmer"):
            raise NotAuthenticated()
        return Principal(
            user_id=1, tenant_id=1, role=token, token_id=token, expires_at=0, platform_admin=token == "admin"
        )


@dataclass
class World:
    engine: AsyncEngine
    sessionmaker: async_sessionmaker[AsyncSession]
    outbox: Table
    inbox: Table
    effects: Table
    nats: NATS
    event: type[Event]
    broken: set[str]  # the durables whose handler raises, for now

    def consumer(self, durable: str) -> EventConsumer:
        async def record(session: AsyncSession, envelope: Envelope, payload: Event) -> None:
            if durable in self.broken:
                raise RuntimeError("the cause, not yet fixed")
            await session.execute(self.effects.insert().values(consumer=durable, event_id=str(envelope.id)))

        # One delivery, then the dead letter: what five would do, without the backoff's wait.
        return EventConsumer(
            self.nats.jetstream(), self.sessionmaker, self.inbox, durable=durable, event=self.event,
            handler=record, max_deliver=1,
        )  # fmt: skip

    async def effects_of(self, durable: str) -> int:
        async with self.sessionmaker() as session:
            query = select(func.count()).select_from(self.effects).where(self.effects.c.consumer == durable)
            return int(await session.scalar(query) or 0)


@pytest.fixture
async def world(scratch_schema: ScratchSchema, platform_engines: Stack) -> AsyncIterator[World]:
    metadata = MetaData(schema=scratch_schema.name)
    outbox, inbox = messaging_tables(metadata)
    effects = Table(
        "effects", metadata, Column("id", Integer, primary_key=True), Column("consumer", String(64)),
        Column("event_id", String(64)),
    )  # fmt: skip
    engine = create_engine(scratch_schema.url, schema=scratch_schema.name)

    def migrate(connection: Any) -> None:
        with Operations.context(MigrationContext.configure(connection)):
            create_messaging_tables()
        effects.create(connection)

    async with engine.begin() as conn:
        await conn.run_sync(migrate)
    nc = await connect_nats(platform_engines.nats_url, name="test")

    class ThingHappened(Event):
        n: int

    ThingHappened.subject = f"t{secrets.token_hex(4)}.thing.happened"  # a stream of this test's own
    yield World(engine, create_sessionmaker(engine), outbox, inbox, effects, nc, ThingHappened, set())
    await nc.close()
    await engine.dispose()


def admin_api(world: World, consumers: dict[str, EventConsumer]) -> httpx.AsyncClient:
    app = FastAPI()
    install_error_handlers(app, seed_style)
    app.include_router(dead_letter_router(SERVICE))
    app.state.js = world.nats.jetstream()
    app.state.consumers = consumers
    app.state.verifier = Verifier()
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://things")


def as_(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


async def test_a_dead_letter_is_listed_and_replayed_to_its_own_durable_only_once(world: World) -> None:
    suffix = secrets.token_hex(3)
    failing, healthy = f"failing-{suffix}", f"healthy-{suffix}"
    consumers = {name: world.consumer(name) for name in (failing, healthy)}
    for consumer in consumers.values():
        await consumer.start()
    world.broken.add(failing)
    async with world.sessionmaker() as session, session.begin():
        envelope = await Outbox(world.outbox, source="test").emit(session, world.event(n=7), tenant_id=1)
    await OutboxRelay(world.sessionmaker, world.outbox, world.nats.jetstream()).publish_pending()
    for consumer in consumers.values():
        assert await consumer.poll() == 1
    assert (await world.effects_of(failing), await world.effects_of(healthy)) == (0, 1)

    path = dead_letters_path(SERVICE)
    async with admin_api(world, consumers) as api:
        listed = await api.get(f"{path}/", headers=as_("admin"))
        assert listed.status_code == 200, listed.text
        assert listed.json()["count"] == 1
        [letter] = listed.json()["results"]
        assert letter["durable"] == failing
        assert letter["subject"] == world.event.subject
        assert letter["reason"] == "exhausted"
        assert letter["deliveries"] == 1
        assert letter["dead_lettered_at"] is not None
        assert letter["payload"]["id"] == str(envelope.id)
        assert letter["payload"]["data"] == {"n": 7}

        # Not fixed yet: refused, and kept.
        again = await api.post(f"{path}/{letter['id']}/replay/", headers=as_("admin"))
        assert again.status_code == 409, again.text
        assert (await api.get(f"{path}/", headers=as_("admin"))).json()["count"] == 1

        world.broken.discard(failing)
        replayed = await api.post(f"{path}/{letter['id']}/replay/", headers=as_("admin"))
        assert replayed.status_code == 200, replayed.text
        assert replayed.json()["durable"] == failing
        assert (await world.effects_of(failing), await world.effects_of(healthy)) == (1, 1)

        # Gone from the listing; a second replay finds nothing to do.
        assert (await api.get(f"{path}/", headers=as_("admin"))).json() == {"count": 0, "results": []}
        twice = await api.post(f"{path}/{letter['id']}/replay/", headers=as_("admin"))
        assert twice.status_code == 404, twice.text
    assert await world.effects_of(failing) == 1

    # Nothing was published again: the subject's stream holds the one event, and the healthy
    # consumer has nothing pending nor unacked.
    js = world.nats.jetstream()
    stream = stream_for_subject(world.event.subject)[0]
    assert (await js.stream_info(stream)).state.messages == 1
    info = await js.consumer_info(stream, healthy)
    assert (info.num_pending, info.num_ack_pending) == (0, 0)
    assert await world.effects_of(healthy) == 1


async def test_dead_letters_are_refused_to_anyone_but_a_platform_admin(world: World) -> None:
    durable = f"failing-{secrets.token_hex(3)}"
    consumer = world.consumer(durable)
    await consumer.start()
    world.broken.add(durable)
    async with world.sessionmaker() as session, session.begin():
        await Outbox(world.outbox, source="test").emit(session, world.event(n=1), tenant_id=1)
    await OutboxRelay(world.sessionmaker, world.outbox, world.nats.jetstream()).publish_pending()
    assert await consumer.poll() == 1
    world.broken.clear()

    path = dead_letters_path(SERVICE)
    async with admin_api(world, {durable: consumer}) as api:
        [letter] = (await api.get(f"{path}/", headers=as_("admin"))).json()["results"]
        assert (await api.get(f"{path}/", headers=as_("farmer"))).status_code == 403
        assert (await api.get(f"{path}/")).status_code == 401
        assert (await api.post(f"{path}/{letter['id']}/replay/", headers=as_("farmer"))).status_code == 403
        assert (await api.delete(f"{path}/{letter['id']}/", headers=as_("farmer"))).status_code == 403
        assert await world.effects_of(durable) == 0
        # Another service's letters are not this one's to see or replay.
        assert (await api.get(f"{path}/", headers=as_("admin"), params={"durable": "other"})).json()["count"] == 0
        async with admin_api(world, {}) as elsewhere:
            assert (await elsewhere.post(f"{path}/{letter['id']}/replay/", headers=as_("admin"))).status_code == 404
        # Ids no stream holds are 404; ones no stream could hold, 400 (004's validation status).
        for hostile, status in (("5738665608", 404), ("-1", 400), ("99999999999999999999", 400)):
            assert (await api.post(f"{path}/{hostile}/replay/", headers=as_("admin"))).status_code == status
        far = await api.get(f"{path}/", headers=as_("admin"), params={"after": 5738665608})
        assert far.json() == {"count": 1, "results": []}
        discarded = await api.delete(f"{path}/{letter['id']}/", headers=as_("admin"))
        assert discarded.status_code == 200, discarded.text
        assert (await api.get(f"{path}/", headers=as_("admin"))).json()["count"] == 0
    assert await world.effects_of(durable) == 0


async def test_streams_are_limited_as_their_use_says_and_brought_to_it(world: World) -> None:
    js = world.nats.jetstream()
    name = await ensure_stream(js, world.event.subject)
    config = (await js.stream_info(name)).config
    # A test stream is an activity stream: a month, its oldest dropped first past its size.
    assert config.max_age == streams.ACTIVITY_MAX_AGE_SECONDS
    assert config.max_bytes == streams.ACTIVITY_DEFAULT_MAX_BYTES
    assert config.discard == DiscardPolicy.OLD
    # Catalogues keep their whole history; full, they refuse (the outbox keeps the event).
    assert streams.limits_of("AGRO") == streams.StreamLimits(0.0, streams.CATALOGUE_MAX_BYTES, DiscardPolicy.NEW)
    assert streams.limits_of("CHAT").max_bytes == 2 * streams.GIB

    assert streams.limits_of("INGEST") == streams.StreamLimits(
        streams.READINGS_MAX_AGE_SECONDS, streams.READINGS_MAX_BYTES, DiscardPolicy.NEW
    )
    dead = streams.limits_of(streams.DEAD_LETTER_STREAM)
    assert (dead.max_age_seconds, dead.discard) == (streams.policy().dead_letter_max_age_seconds, DiscardPolicy.OLD)
    assert streams.replay_stream("R", ["r.>"], max_age_seconds=600).max_bytes == streams.MEMORY_MAX_BYTES

    # A stream made before the limits (or with others) is brought to them at start-up.
    await js.update_stream(StreamConfig(name=name, subjects=[f"{name.lower()}.>"], max_age=60.0, max_bytes=-1))
    await ensure_stream(js, world.event.subject)
    config = (await js.stream_info(name)).config
    assert (config.max_age, config.max_bytes) == (streams.ACTIVITY_MAX_AGE_SECONDS, streams.ACTIVITY_DEFAULT_MAX_BYTES)


async def test_a_replay_whose_removal_was_lost_applies_the_event_once(world: World) -> None:
    durable = f"failing-{secrets.token_hex(3)}"
    consumer = world.consumer(durable)
    await consumer.start()
    world.broken.add(durable)
    async with world.sessionmaker() as session, session.begin():
        await Outbox(world.outbox, source="test").emit(session, world.event(n=2), tenant_id=1)
    await OutboxRelay(world.sessionmaker, world.outbox, world.nats.jetstream()).publish_pending()
    assert await consumer.poll() == 1
    world.broken.clear()
    letters = DeadLetters(world.nats.jetstream(), {durable: consumer})
    [letter] = await letters.list()
    # Two replicas replaying it together, or one that died between its commit and the removal.
    envelope = Envelope.model_validate(letter.payload)
    assert await consumer.replay(envelope, world.event.model_validate(envelope.data))
    assert await letters.replay(letter.seq) == letter
    assert await world.effects_of(durable) == 1
    assert await letters.list() == []


async def test_a_services_dead_letters_through_the_gateway(
    gateway: httpx.AsyncClient, platform_stack: Stack, admin_token: str, token: str
) -> None:
    # A payload agro's consumer of `brain.task.suggested` cannot read: dead-lettered at once.
    bogus = Envelope(type="brain.task.suggested", tenant_id=900_000_022, source="test", data={"nonsense": True})
    nc = await connect_nats(platform_stack.nats_url, name="test")
    try:
        await nc.jetstream().publish(bogus.type, bogus.model_dump_json().encode())
    finally:
        await nc.close()
    path = f"{dead_letters_path('agro')}/"
    admin = {"Authorization": f"Bearer {admin_token}"}

    async def listed() -> dict[str, Any] | None:
        answer = await gateway.get(path, headers=admin, params={"durable": "agro-task-suggested", "limit": 100})
        assert answer.status_code == 200, answer.text
        return next((item for item in answer.json()["results"] if item["payload"]["id"] == str(bogus.id)), None)

    letter = await eventually(listed, "the malformed event listed among agro's dead letters")
    assert (letter["subject"], letter["reason"], letter["durable"]) == (bogus.type, "malformed", "agro-task-suggested")

    assert (await gateway.get(path, headers={"Authorization": f"Bearer {token}"})).status_code == 403
    # Still malformed: refused, and kept.
    replay = await gateway.post(f"{path}{letter['id']}/replay/", headers=admin)
    assert replay.status_code == 409, replay.text
    assert await listed() is not None
    discarded = await gateway.delete(f"{path}{letter['id']}/", headers=admin)
    assert discarded.status_code == 200, discarded.text
    assert await listed() is None
