"""Real-time fan-out of the desk's events to WebSocket clients, on any replica.

Every event (a new chat, a message, an assignment, a read receipt, a notification) is
published after its transaction commits to JetStream (`desk.live.<tenant>`, stream
`DESK_LIVE`, kept `replay_seconds`); each replica follows that stream with one ordered
consumer and hands each event to its own clients that should see it, so two replicas serve
one room. The stream's sequence is the event's `id`: a client that reconnects with the last id
it saw gets its own consumer from the next one on. Typing indicators are ephemeral (plain NATS,
`desk.signal.<tenant>`). Each client has a bounded queue: a client too slow to keep up is
disconnected (it reconnects and resumes) instead of stalling the others.
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
from nats.js.api import ConsumerConfig, DeliverPolicy

from shared.events import streams

logger = logging.getLogger(__name__)

STREAM = "DESK_LIVE"
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

    def wants(self, item: Event) -> bool:
        if self.room_id is not None:
            return bool(item.get("to_guest")) and item.get("chat_room_id") == self.room_id
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


class Hub:
    def __init__(self, nc: NATS, js: JetStreamContext, *, replay_seconds: float, queue_size: int) -> None:
        self.nc = nc
        self.js = js
        self.replay_seconds = replay_seconds
        self.queue_size = queue_size
        self.clients: dict[int, set[Client]] = {}
        self._subscriptions: list[Subscription] = []

    async def start(self) -> None:
        await streams.ensure(
            self.js, streams.replay_stream(STREAM, ["desk.live.>"], max_age_seconds=self.replay_seconds)
        )
        live = await self.js.subscribe(
            "desk.live.>", cb=self._on_live, ordered_consumer=True, deliver_policy=DeliverPolicy.NEW, stream=STREAM
        )
        signals = await self.nc.subscribe("desk.signal.>", cb=self._on_signal)
        self._subscriptions = [live, signals]

    async def stop(self) -> None:
        for subscription in self._subscriptions:
            with contextlib.suppress(Exception):
                await subscription.unsubscribe()

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
        return lambda: self.clients.get(client.tenant_id, set()).discard(client)

    async def resume(self, client: Client, after: int) -> JetStreamContext.PushSubscription:
        """The client's own consumer from event `after + 1` on (it then follows live too)."""

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
        """To this replica's clients of the subject's workspace that should see it."""
        for client in list(self.clients.get(int(subject.rsplit(".", 1)[1]), ())):
            if client.wants(item):
                client.offer(item)


def _parsed(msg: Msg) -> Event | None:
    try:
        item = json.loads(msg.data)
    except ValueError:
        return None
    return item if isinstance(item, dict) else None
