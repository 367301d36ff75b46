"""Real-time fan-out of the desk's events to WebSocket clients, on any replica.

Every event (a new chat, a message, an assignment, a read receipt, a notification) is
published after its transaction commits to JetStream (`desk.live.<tenant>`, stream
`DESK_LIVE`, kept `replay_seconds`); each replica follows that stream with one ordered
consumer and hands each event to its own clients that should see it, so two replicas serve
one room. The stream's sequence is the event's `id`: a client that reconnects with the last id
it saw gets its own consumer from the next one on. Typing indicators are ephemeral (plain NATS,
`desk.signal.<tenant>`). Each client has a bounded queue: a client too slow to keep up is
disconnected (it reconnects and resumes) instead of stalling the others.

Who is viewing a room lives in NATS, not in a replica's memory: a JetStream key-value bucket
(`DESK_VIEWERS`, one key `<tenant>.<room>.<socket>` per agent socket viewing a room, renewed
while the socket is open and gone `VIEWING_TTL_SECONDS` after a replica dies). Every change
publishes the room's `viewers` to the workspace's agents on the signal subject.

After a NATS restart the replay stream and the bucket (in memory) are gone and the events
published meanwhile were lost: the hub makes them again, follows the new stream, and closes its
sockets with 1012 so every client reconnects and reloads what it shows (never silently stale).
"""

import asyncio
import contextlib
import json
import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.aio.subscription import Subscription
from nats.js import JetStreamContext
from nats.js.api import ConsumerConfig, DeliverPolicy, KeyValueConfig, StorageType
from nats.js.kv import KeyValue

from shared.events import on_reconnected, streams

logger = logging.getLogger(__name__)

STREAM = "DESK_LIVE"
VIEWERS_BUCKET = "DESK_VIEWERS"
# What an agent's socket gets of the room it views, whoever the room's agent is.
VIEWED_KINDS = frozenset({"message", "read", "typing", "status", "assigned", "waiting"})
# A viewing entry outlives its last renewal this long: what a replica that died leaves behind.
VIEWING_TTL_SECONDS = 60.0
RENEW_SECONDS = VIEWING_TTL_SECONDS / 3
# Between attempts to follow again after a reconnection, while JetStream is not back yet.
RECOVER_RETRY_SECONDS = 0.25
Event = dict[str, Any]


def live_subject(tenant_id: int) -> str:
    return f"desk.live.{tenant_id}"


def signal_subject(tenant_id: int) -> str:
    return f"desk.signal.{tenant_id}"


def event(
    kind: str,
    room_id: uuid.UUID | str | None,
    data: dict[str, Any],
    *,
    agent_id: int | None = None,
    guest: bool = True,
    agents: bool = False,
) -> Event:
    """A desk event. Who sees it: the room's guest (`guest`), the agent `agent_id`, and every
    agent of the workspace when `agents` (a new chat in the queue)."""
    return {"type": kind, "chat_room_id": str(room_id) if room_id else None, "data": data,
            "to_agent": agent_id, "to_agents": agents, "to_guest": guest}  # fmt: skip


# Put in a client's queue in place of what overflowed it: its socket is closed.
TOO_SLOW: Event = {"type": "too_slow"}
# Put in every client's queue after a NATS restart: its socket is closed (1012) and it reloads.
RESTARTED: Event = {"type": "restarted"}


def wire(item: Event) -> str:
    """The event as clients get it (`id`, `type`, `chat_room_id`, `data`), serialized once."""
    text = item.get("_wire")
    if text is None:
        public = {key: item.get(key) for key in ("id", "type", "chat_room_id", "data")}
        text = item["_wire"] = json.dumps(public, default=str)
    return str(text)


@dataclass(eq=False)
class Client:
    tenant_id: int
    agent_id: int | None = None  # an agent's socket
    room_id: str | None = None  # a guest's socket: their room only
    queue: asyncio.Queue[Event] = field(default_factory=lambda: asyncio.Queue(256))
    too_slow: bool = False
    # A guest's socket ends when their token does (CHAT_GUEST_TOKEN_SECONDS).
    expires_at: datetime | None = None
    # The room an agent's socket is viewing (`viewing` frame), its key in the bucket, its name there.
    viewing: str | None = None
    key: str = field(default_factory=lambda: uuid.uuid4().hex)
    name: str = ""

    def wants(self, item: Event) -> bool:
        if self.room_id is not None:
            return bool(item.get("to_guest")) and item.get("chat_room_id") == self.room_id
        if self.viewing is not None and item.get("chat_room_id") == self.viewing and item.get("type") in VIEWED_KINDS:
            return True
        return bool(item.get("to_agents")) or (self.agent_id is not None and item.get("to_agent") == self.agent_id)

    def offer(self, item: Event) -> None:
        if self.too_slow:
            return
        try:
            self.queue.put_nowait(item)
        except asyncio.QueueFull:  # what it has not read is dropped: it resumes from its last id
            self.too_slow = True
            while not self.queue.empty():
                self.queue.get_nowait()
            self.queue.put_nowait(TOO_SLOW)

    def restart(self) -> None:
        """Whatever is queued is stale once NATS lost events: the socket closes for a reload."""
        self.too_slow = True
        while not self.queue.empty():
            self.queue.get_nowait()
        self.queue.put_nowait(RESTARTED)


class Hub:
    def __init__(self, nc: NATS, js: JetStreamContext, *, replay_seconds: float, queue_size: int) -> None:
        self.nc = nc
        self.js = js
        self.replay_seconds = replay_seconds
        self.queue_size = queue_size
        self.clients: dict[int, set[Client]] = {}
        # The same clients indexed for `_dispatch`: a workspace's agents, a room's guests (an
        # event reaches a handful of a workspace's thousand sockets: only they are looked at).
        self._agents: dict[int, set[Client]] = {}
        self._guests: dict[tuple[int, str], set[Client]] = {}
        self._subscriptions: list[Subscription] = []
        self._viewers: KeyValue | None = None
        self._forget_reconnects: Callable[[], None] | None = None
        self._renewer: asyncio.Task[None] | None = None
        self._recovery: asyncio.Task[None] | None = None
        # Set by each reconnection: what the hub follows must be made again (once more if it
        # reconnects again while a recovery runs).
        self._stale = False

    async def start(self) -> None:
        await self._follow()
        self._forget_reconnects = on_reconnected(self.nc, self._reconnected)
        self._renewer = asyncio.create_task(self._renew(), name="desk-viewers-renew")

    async def stop(self) -> None:
        if self._forget_reconnects is not None:
            self._forget_reconnects()
        for task in (self._renewer, self._recovery):
            if task is not None:
                task.cancel()
                await asyncio.gather(task, return_exceptions=True)
        await self._unfollow()

    async def _follow(self) -> None:
        """The replay stream and the viewers' bucket (made if missing), followed from now on."""
        await streams.ensure(
            self.js, streams.replay_stream(STREAM, ["desk.live.>"], max_age_seconds=self.replay_seconds)
        )
        bucket = KeyValueConfig(bucket=VIEWERS_BUCKET, ttl=VIEWING_TTL_SECONDS, storage=StorageType.MEMORY,
                                replicas=streams.policy().replicas)  # fmt: skip
        self._viewers = await self.js.create_key_value(bucket)
        live = await self.js.subscribe(
            "desk.live.>", cb=self._on_live, ordered_consumer=True, deliver_policy=DeliverPolicy.NEW, stream=STREAM
        )
        signals = await self.nc.subscribe("desk.signal.>", cb=self._on_signal)
        self._subscriptions = [live, signals]

    async def _unfollow(self) -> None:
        for subscription in self._subscriptions:
            with contextlib.suppress(Exception):
                await subscription.unsubscribe()
        self._subscriptions = []

    async def _reconnected(self) -> None:
        """NATS reconnected (nats-py awaits this in its reconnecting task: the work is a task)."""
        self._stale = True
        if self._recovery is None or self._recovery.done():
            self._recovery = asyncio.create_task(self._recover(), name="desk-hub-recover")

    async def _recover(self) -> None:
        """After a reconnection the server may be a restarted one that lost the replay stream, the
        bucket and the hub's consumer: follow them again, then close every socket (1012)."""
        while self._stale:
            self._stale = False
            try:
                await self._unfollow()
                await self._follow()
            except Exception as exc:  # JetStream not back yet: try again shortly
                logger.warning("desk hub not caught up", extra={"error": str(exc)})
                self._stale = True
                await asyncio.sleep(RECOVER_RETRY_SECONDS)
                continue
            for client in [c for clients in self.clients.values() for c in clients]:
                client.restart()

    async def _renew(self) -> None:
        """Renew the viewing entries of this replica's sockets before they expire. A round that
        fails (NATS away, the bucket not made again yet) stops at its first failure, is logged,
        and the next one tries again: an entry outlives two missed rounds, and an outage does not
        cost a timeout per socket."""
        while True:
            await asyncio.sleep(RENEW_SECONDS)
            viewing = [c for clients in self.clients.values() for c in clients if c.viewing]
            for renewed, client in enumerate(viewing):
                try:
                    await self._put_viewing(client)
                except Exception as exc:
                    logger.warning(
                        "viewing entries not renewed",
                        extra={"renewed": renewed, "viewing": len(viewing), "error": str(exc)},
                    )
                    break

    async def publish(self, tenant_id: int, items: list[Event]) -> None:
        """After the commit: a NATS failure loses only the live copy (the data is stored). The
        publishes go out together (one connection keeps their order) and their acks are awaited
        together."""
        subject = live_subject(tenant_id)
        sent = [self.js.publish(subject, json.dumps(item, default=str).encode()) for item in items]
        for item, outcome in zip(items, await asyncio.gather(*sent, return_exceptions=True), strict=True):
            if isinstance(outcome, BaseException):
                logger.warning("live event not published", extra={"error": str(outcome), "type": item["type"]})

    async def signal(self, tenant_id: int, item: Event) -> None:
        with contextlib.suppress(Exception):
            await self.nc.publish(signal_subject(tenant_id), json.dumps(item, default=str).encode())

    async def view(self, client: Client, room_id: str | None) -> None:
        """The agent's socket now views `room_id` (None: no room); both rooms' viewers are told."""
        before, client.viewing = client.viewing, room_id
        if before is not None and before != room_id:
            with contextlib.suppress(Exception):
                assert self._viewers is not None
                await self._viewers.delete(self._viewing_key(client.tenant_id, before, client))
            await self._announce_viewers(client.tenant_id, before)
        if room_id is not None:
            try:
                await self._put_viewing(client)
            except Exception as exc:  # the renewal puts it again; the room's viewers are told anyway
                logger.warning("viewing entry not put", extra={"error": str(exc)})
            await self._announce_viewers(client.tenant_id, room_id)

    async def _put_viewing(self, client: Client) -> None:
        if client.viewing is None or self._viewers is None:
            return
        value = json.dumps({"agent_id": client.agent_id, "name": client.name}).encode()
        await self._viewers.put(self._viewing_key(client.tenant_id, client.viewing, client), value)

    @staticmethod
    def _viewing_key(tenant_id: int, room_id: str, client: Client) -> str:
        return f"{tenant_id}.{room_id}.{client.key}"

    async def viewers(self, tenant_id: int, room_id: str) -> list[dict[str, Any]]:
        """The agents viewing the room now, once each (an agent may have two tabs), by id."""
        if self._viewers is None:
            return []
        found: dict[int, dict[str, Any]] = {}
        watcher = await self._viewers.watch(f"{tenant_id}.{room_id}.*", ignore_deletes=True)
        try:
            async for entry in watcher:
                if entry is None:  # the end of the current values
                    break
                if entry.value and entry.operation is None:
                    seen = json.loads(entry.value)
                    found[int(seen["agent_id"])] = {"agent_id": int(seen["agent_id"]), "name": str(seen["name"])}
        finally:
            await watcher.stop()  # type: ignore[no-untyped-call]
        return [found[agent_id] for agent_id in sorted(found)]

    async def _announce_viewers(self, tenant_id: int, room_id: str) -> None:
        try:
            agents = await self.viewers(tenant_id, room_id)
        except Exception as exc:
            logger.warning("viewers not read", extra={"error": str(exc)})
            return
        await self.signal(tenant_id, event("viewers", room_id, {"agents": agents}, guest=False, agents=True))

    def client(
        self,
        tenant_id: int,
        *,
        agent_id: int | None = None,
        room_id: str | None = None,
        expires_at: datetime | None = None,
    ) -> Client:
        return Client(tenant_id, agent_id, room_id, asyncio.Queue(self.queue_size), expires_at=expires_at)

    def attach(self, client: Client) -> Callable[[], None]:
        self.clients.setdefault(client.tenant_id, set()).add(client)
        index, key = self._index_of(client)
        index.setdefault(key, set()).add(client)

        def detach() -> None:
            self.clients.get(client.tenant_id, set()).discard(client)
            found = index.get(key)
            if found is not None:
                found.discard(client)
                if not found:
                    del index[key]

        return detach

    def _index_of(self, client: Client) -> tuple[dict[Any, set[Client]], Any]:
        if client.room_id is not None:
            return self._guests, (client.tenant_id, client.room_id)
        return self._agents, client.tenant_id

    async def resume(self, client: Client, after: int) -> JetStreamContext.PushSubscription:
        """The client's own consumer from event `after + 1` on (it then follows live too). An id
        past the stream's last one was given before a NATS restart made the stream anew: from its
        first event then."""
        state = (await self.js.stream_info(STREAM)).state
        if after > state.last_seq:
            after = max(state.first_seq - 1, 0)

        async def on_message(msg: Msg) -> None:
            item = _parsed(msg)
            if item is not None and client.wants(item):
                item["id"] = msg.metadata.sequence.stream
                client.offer(item)

        config = ConsumerConfig(deliver_policy=DeliverPolicy.BY_START_SEQUENCE, opt_start_seq=after + 1)
        return await self.js.subscribe(
            live_subject(client.tenant_id), cb=on_message, ordered_consumer=True, config=config, stream=STREAM
        )

    async def _on_live(self, msg: Msg) -> None:
        item = _parsed(msg)
        if item is not None:
            item["id"] = msg.metadata.sequence.stream
            self._dispatch(msg.subject, item)

    async def _on_signal(self, msg: Msg) -> None:
        item = _parsed(msg)
        if item is not None:
            self._dispatch(msg.subject, item)

    def _dispatch(self, subject: str, item: Event) -> None:
        """To this replica's clients of the subject's workspace that should see it: its agents'
        sockets, and its room's guests' when it is for the guest."""
        tenant_id = int(subject.rsplit(".", 1)[1])
        room_id = item.get("chat_room_id")
        guests = self._guests.get((tenant_id, room_id), ()) if room_id and item.get("to_guest") else ()
        for client in [*self._agents.get(tenant_id, ()), *guests]:
            if client.wants(item):
                client.offer(item)


def _parsed(msg: Msg) -> Event | None:
    try:
        item = json.loads(msg.data)
    except ValueError:
        return None
    return item if isinstance(item, dict) else None
