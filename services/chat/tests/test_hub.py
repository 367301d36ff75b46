"""Who gets what: a client that cannot keep up (its queue overflows into one close marker, and
nobody else waits for it), an agent viewing a room, a client after a NATS restart, the hub's
dispatch to a room's guests and a workspace's agents; viewing entries renewed after a failure."""

import asyncio
import contextlib
import logging
from pathlib import Path
from typing import cast

import pytest
from nats.aio.client import Client as NATS
from nats.js import JetStreamContext
from nats.js.api import KeyValueConfig, StorageType

from chat import hub as hub_module
from chat.hub import RESTARTED, TOO_SLOW, VIEWERS_BUCKET, VIEWING_TTL_SECONDS, Client, Hub, event
from devstack.engines import start_nats
from devstack.processes import free_port
from devstack.waiting import eventually
from shared.events import connect_nats


async def test_a_full_queue_marks_the_client_too_slow_and_drops_what_it_has_not_read() -> None:
    slow = Client(tenant_id=1, agent_id=7, queue=asyncio.Queue(3))
    fast = Client(tenant_id=1, agent_id=7, queue=asyncio.Queue(100))
    items = [event("message", "room", {"n": n}, agent_id=7) for n in range(10)]
    for item in items:
        for client in (slow, fast):
            if client.wants(item):
                client.offer(item)
    assert slow.too_slow
    assert slow.queue.qsize() == 1
    assert slow.queue.get_nowait() is TOO_SLOW
    assert [fast.queue.get_nowait()["data"]["n"] for _ in range(10)] == list(range(10))


def test_who_sees_what() -> None:
    guest, agent, other = Client(1, room_id="r1"), Client(1, agent_id=5), Client(1, agent_id=6)
    to_room = event("message", "r1", {}, agent_id=5)
    queue = event("new_chat", "r2", {}, agents=True)
    private = event("notification", "r1", {}, agent_id=5, guest=False)
    assert [guest.wants(e) for e in (to_room, queue, private)] == [True, False, False]
    assert [agent.wants(e) for e in (to_room, queue, private)] == [True, True, True]
    assert [other.wants(e) for e in (to_room, queue, private)] == [False, True, False]


def test_an_agent_viewing_a_room_gets_its_messages_and_moves_but_not_its_notifications() -> None:
    viewer = Client(1, agent_id=6)
    viewer.viewing = "r1"
    seen = [event(kind, "r1", {}, agent_id=5) for kind in ("message", "read", "typing", "status", "assigned")]
    assert all(viewer.wants(e) for e in seen)
    assert not viewer.wants(event("notification", "r1", {}, agent_id=5, guest=False))
    assert not viewer.wants(event("message", "r2", {}, agent_id=5))


def test_after_a_restart_a_client_gets_only_the_close_marker() -> None:
    client = Client(1, agent_id=5)
    client.offer(event("message", "r1", {}, agent_id=5))
    client.restart()
    assert client.queue.qsize() == 1
    assert client.queue.get_nowait() is RESTARTED
    client.offer(event("message", "r1", {}, agent_id=5))
    assert client.queue.empty()


def test_the_hub_hands_an_event_to_its_rooms_guests_and_its_workspaces_agents_until_they_detach() -> None:
    hub = Hub(cast(NATS, None), cast(JetStreamContext, None), replay_seconds=60, queue_size=8)
    guest, neighbour, agent = hub.client(1, room_id="r1"), hub.client(1, room_id="r2"), hub.client(1, agent_id=5)
    elsewhere, their_agent = hub.client(2, room_id="r1"), hub.client(2, agent_id=5)  # same ids, another workspace
    detach_guest, *_ = [hub.attach(c) for c in (guest, neighbour, agent, elsewhere, their_agent)]

    hub._dispatch("desk.live.1", event("message", "r1", {}, agent_id=5))
    hub._dispatch("desk.live.1", event("new_chat", "r3", {}, agents=True))
    assert [c.queue.qsize() for c in (guest, neighbour, agent, elsewhere, their_agent)] == [1, 0, 2, 0, 0]

    detach_guest()
    hub._dispatch("desk.live.1", event("message", "r1", {}, agent_id=5))
    assert [c.queue.qsize() for c in (guest, neighbour, agent, elsewhere, their_agent)] == [1, 0, 3, 0, 0]
    assert hub.clients == {1: {neighbour, agent}, 2: {elsewhere, their_agent}}


@pytest.mark.engines
async def test_a_failed_renewal_is_logged_and_the_next_round_renews_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(hub_module, "RENEW_SECONDS", 0.05)
    server = start_nats(tmp_path / "nats", free_port())  # its own: the test deletes the viewers' bucket
    nc = await connect_nats(server.url, name="hub")
    hub = Hub(nc, nc.jetstream(), replay_seconds=60, queue_size=8)
    try:
        await hub.start()
        agent = hub.client(1, agent_id=5)
        agent.name = "Ana"
        hub.attach(agent)
        await hub.view(agent, "r1")
        assert await hub.viewers(1, "r1") == [{"agent_id": 5, "name": "Ana"}]

        # What a NATS restart does to the in-memory bucket until the hub makes it again.
        await nc.jetstream().delete_key_value(VIEWERS_BUCKET)
        with caplog.at_level(logging.WARNING, logger="chat.hub"):
            await eventually(lambda: "viewing entries not renewed" in caplog.messages, "a failed round logged")
        await nc.jetstream().create_key_value(
            KeyValueConfig(bucket=VIEWERS_BUCKET, ttl=VIEWING_TTL_SECONDS, storage=StorageType.MEMORY)
        )

        async def viewed_again() -> bool:
            return await hub.viewers(1, "r1") == [{"agent_id": 5, "name": "Ana"}]

        await eventually(viewed_again, "the next rounds renew the entry")
    finally:
        await hub.stop()
        with contextlib.suppress(Exception):
            await nc.close()
        server.stop()
