"""A process's own pull consumer (`shared.events.follower`) against a NATS server of its own."""

import asyncio
import contextlib
from pathlib import Path

import pytest
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from devstack.engines import start_nats
from devstack.processes import free_port
from devstack.waiting import eventually
from shared.events import connect_nats, ensure_stream
from shared.events.follower import follow_subjects

SUBJECT = "follow.changed"


@pytest.mark.engines
async def test_a_consumer_the_server_forgot_is_made_again_and_the_follower_says_so(tmp_path: Path) -> None:
    server = start_nats(tmp_path / "nats", free_port())
    nc = await connect_nats(server.url, name="follower")
    js = nc.jetstream()
    heard: list[bytes] = []
    told: list[str] = []
    following: asyncio.Task[None] | None = None
    try:
        stream = await ensure_stream(js, SUBJECT)
        following = asyncio.create_task(
            follow_subjects(
                nc,
                js,
                SUBJECT,
                stream=stream,
                config=lambda: ConsumerConfig(ack_policy=AckPolicy.NONE, deliver_policy=DeliverPolicy.NEW),
                apply=lambda msg: heard.append(msg.data),
                what="test",
                wait_seconds=0.1,
                retry_seconds=0.05,
                on_subscribed=lambda: told.append("subscribed"),
                on_lost=lambda: told.append("lost"),
            )
        )
        await eventually(lambda: told == ["subscribed"], "the consumer made")
        await js.publish(SUBJECT, b"1")
        await eventually(lambda: heard == [b"1"], "the first message applied")

        # Forgotten while the connection stays (as when the cluster node holding it dies).
        for consumer in await js.consumers_info(stream):
            await js.delete_consumer(stream, consumer.name)
        await eventually(lambda: told == ["subscribed", "lost", "subscribed"], "the consumer made again")
        await js.publish(SUBJECT, b"2")
        await eventually(lambda: heard == [b"1", b"2"], "what comes next applied")
    finally:
        if following is not None:
            following.cancel()
            await asyncio.gather(following, return_exceptions=True)
        with contextlib.suppress(Exception):
            await nc.close()
        server.stop()
