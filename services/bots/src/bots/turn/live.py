"""Answers being streamed: their events in order, to every client following them, resumable.

An answer runs in a task of its own, not in the request that asked for it, so a client that
drops and comes back (`Last-Event-ID: <turn>:<n>`) finds it going on. Its events are kept in
memory for the clients of this process and published, in order, to a short-lived JetStream
stream (`streams.bots.<turn>`), so a client that comes back through another replica gets the
rest from there. While a client of another replica follows, it says so every second on
`listening.bots.<turn>` (plain NATS). With no client at all for `abandon_after_seconds`, the
answer is stopped: its provider call is cancelled and what it said is stored as interrupted.
"""

import asyncio
import contextlib
import json
import logging
import time
import uuid
from collections.abc import AsyncGenerator, AsyncIterator, Awaitable, Callable, Coroutine
from typing import Any

from nats.aio.client import Client as NATS
from nats.aio.msg import Msg
from nats.js import JetStreamContext
from nats.js.api import DeliverPolicy, PubAck

from bots.provider.catalog import ModelRef
from shared.events import streams

logger = logging.getLogger(__name__)

STREAM = "BOTS_ANSWERS"
TERMINAL = "done"
# A kept answer that says nothing for this long is given up by its followers.
SILENCE_SECONDS = 90.0
# How long the acks of an answer's last events are awaited once it is over.
ACK_SECONDS = 5.0
Event = dict[str, Any]


def subject(turn_id: uuid.UUID) -> str:
    return f"streams.bots.{turn_id}"


def heartbeat_subject(turn_id: uuid.UUID) -> str:
    return f"listening.bots.{turn_id}"


def parse_event_id(text: str | None) -> tuple[uuid.UUID, int] | None:
    """`<turn>:<n>` as the SSE `id` field carries it; None when absent or malformed."""
    if not text:
        return None
    turn, _, seq = text.strip().partition(":")
    try:
        return uuid.UUID(turn), int(seq) if seq else 0
    except ValueError:
        return None


class LiveTurn:
    def __init__(self, turn_id: uuid.UUID) -> None:
        self.id = turn_id
        self.events: list[Event] = []
        self.finished = False
        self.listeners = 0
        self.last_heard = time.monotonic()
        self.model: ModelRef | None = None  # what the producer is calling now (kept if the answer is abandoned)
        self._changed = asyncio.Event()

    def emit(self, event: Event) -> None:
        if self.finished:
            return
        self.events.append(event)
        self.finished = event["type"] == TERMINAL
        self._changed.set()
        self._changed = asyncio.Event()

    async def follow(self, after: int = 0) -> AsyncGenerator[tuple[int, Event]]:
        """(n, event) from event n = after + 1 on, until the last one; counts as a listener."""
        self.listeners += 1
        try:
            seq = after
            while True:
                while seq < len(self.events):
                    seq += 1
                    yield seq, self.events[seq - 1]
                if self.finished:
                    return
                changed = self._changed
                await changed.wait()
        finally:
            self.listeners -= 1
            self.last_heard = time.monotonic()

    async def changes(self) -> None:
        await self._changed.wait()


Work = Callable[[LiveTurn], Coroutine[Any, Any, None]]


def _not_kept(exc: BaseException) -> None:
    logger.warning("answer event not kept for resumption", extra={"error": str(exc) or type(exc).__name__})


def _settled(ack: asyncio.Future[PubAck]) -> bool:
    """Whether JetStream answered; a refusal is logged."""
    if not ack.done():
        return False
    error = None if ack.cancelled() else ack.exception()
    if error is not None:
        _not_kept(error)
    return True


def _end_stopped(turn: LiveTurn) -> None:
    """A `done` for followers of an answer that stopped without saying it."""
    if not turn.finished:
        turn.emit({"type": TERMINAL, "status": "failed", "error": "la respuesta se detuvo"})


class Turns:
    """The answers this process is producing."""

    def __init__(self, nc: NATS, js: JetStreamContext, *, replay_seconds: float, abandon_after_seconds: float) -> None:
        self.nc = nc
        self.js = js
        self.replay_seconds = replay_seconds
        self.abandon_after = abandon_after_seconds
        self.active: dict[uuid.UUID, LiveTurn] = {}
        self._tasks: dict[uuid.UUID, asyncio.Task[None]] = {}

    async def prepare(self) -> None:
        await streams.ensure(
            self.js, streams.replay_stream(STREAM, ["streams.bots.*"], max_age_seconds=self.replay_seconds)
        )

    def start(
        self,
        turn_id: uuid.UUID,
        work: Work,
        *,
        on_abandon: Callable[[LiveTurn], Awaitable[None]],
        after: Callable[[], Awaitable[object]] | None = None,
    ) -> LiveTurn:
        """Run `work` (which emits the events and ends with a `done`) in its own task. Keeping
        its events and hearing other replicas' listeners start once `after()` returns: the
        provider's request goes out first, which that work on this event loop would delay."""
        turn = self.active[turn_id] = LiveTurn(turn_id)
        # Created here, not by `_run`: the answer starts one turn of the event loop earlier.
        producing = asyncio.create_task(work(turn), name=f"answer-{turn_id}")
        task = asyncio.create_task(self._run(turn, producing, on_abandon, after), name=f"turn-{turn_id}")
        self._tasks[turn_id] = task

        def ended(_: asyncio.Task[None]) -> None:
            self._tasks.pop(turn_id, None)
            if not producing.done():  # `_run` was cancelled before it began, so none of its ending ran
                producing.cancel()
                _end_stopped(turn)
                self.active.pop(turn_id, None)

        task.add_done_callback(ended)
        return turn

    def cancel(self, turn_id: uuid.UUID) -> None:
        task = self._tasks.get(turn_id)
        if task is not None:
            task.cancel()

    async def _run(
        self,
        turn: LiveTurn,
        producing: asyncio.Task[None],
        on_abandon: Callable[[LiveTurn], Awaitable[None]],
        after: Callable[[], Awaitable[object]] | None,
    ) -> None:
        publisher: asyncio.Task[None] | None = None
        heard = None
        try:
            if after is not None:
                await after()
            publisher = asyncio.create_task(self._publish(turn))
            with contextlib.suppress(Exception):  # NATS away: only other replicas' listeners go unheard
                heard = await self.nc.subscribe(heartbeat_subject(turn.id), cb=self._heard(turn))
            while not producing.done():
                await asyncio.wait({producing}, timeout=0.25)
                idle = time.monotonic() - turn.last_heard
                if not producing.done() and turn.listeners == 0 and idle > self.abandon_after:
                    producing.cancel()
                    with contextlib.suppress(asyncio.CancelledError):
                        await producing
                    await on_abandon(turn)
            if not producing.cancelled() and producing.exception() is not None:
                logger.error("answer failed", exc_info=producing.exception())
        except asyncio.CancelledError:
            producing.cancel()
            raise
        finally:
            if heard is not None:
                with contextlib.suppress(Exception):
                    await heard.unsubscribe()
            _end_stopped(turn)
            if publisher is None:  # stopped before it began: what was said is kept all the same
                publisher = asyncio.create_task(self._publish(turn))
            with contextlib.suppress(asyncio.TimeoutError, Exception):
                await asyncio.wait_for(publisher, timeout=10)
            self.active.pop(turn.id, None)

    def _heard(self, turn: LiveTurn) -> Callable[[Msg], Awaitable[None]]:
        async def on_message(msg: Msg) -> None:
            turn.last_heard = time.monotonic()

        return on_message

    async def _publish(self, turn: LiveTurn) -> None:
        """Every event to JetStream, in order (one connection keeps it); a failure costs only
        resumption elsewhere. Its ack is not awaited before the next event: acks are checked
        as they come and the rest awaited once the answer is over, so each event costs one
        write, not a round trip and a wake-up of this task."""
        sent = 0
        acks: list[asyncio.Future[PubAck]] = []
        try:
            while True:
                while sent < len(turn.events):
                    sent += 1
                    body = json.dumps({"n": sent, "event": turn.events[sent - 1]}, ensure_ascii=False).encode()
                    try:
                        acks.append(await self.js.publish_async(
                            subject(turn.id), body, headers={"Nats-Msg-Id": f"{turn.id}:{sent}"}
                        ))  # fmt: skip
                    except Exception as exc:  # NATS away: live clients are unaffected
                        _not_kept(exc)
                acks = [ack for ack in acks if not _settled(ack)]
                if turn.finished and sent >= len(turn.events):
                    break
                await turn.changes()
                await asyncio.sleep(0)  # this process's followers write the event out first
            if acks:
                await asyncio.wait(acks, timeout=ACK_SECONDS)
                for ack in acks:
                    if not _settled(ack):
                        _not_kept(TimeoutError(f"no ack in {ACK_SECONDS:.0f} s"))
        finally:
            for ack in acks:
                ack.cancel()  # frees its slot in the client's pending publishes

    def follow(self, turn_id: uuid.UUID, after: int) -> AsyncIterator[tuple[int, Event]]:
        """The events after `after`: from this process if it produces the answer, else from
        JetStream. (Either source itself, not a generator over it: one layer less per event.)"""
        turn = self.active.get(turn_id)
        if turn is not None:
            return turn.follow(after)
        return self._follow_kept(turn_id, after)

    async def _follow_kept(self, turn_id: uuid.UUID, after: int) -> AsyncIterator[tuple[int, Event]]:
        queue: asyncio.Queue[tuple[int, Event]] = asyncio.Queue()

        async def on_message(msg: Msg) -> None:
            kept = json.loads(msg.data)
            await queue.put((int(kept["n"]), kept["event"]))

        sub = await self.js.subscribe(
            subject(turn_id), cb=on_message, ordered_consumer=True, deliver_policy=DeliverPolicy.ALL,
            stream=STREAM,
        )  # fmt: skip
        beating = asyncio.create_task(self._beat(turn_id))
        try:
            while True:
                try:
                    seq, event = await asyncio.wait_for(queue.get(), timeout=SILENCE_SECONDS)
                except TimeoutError:  # the replica producing it died: what was kept is all there is
                    yield after + 1, {"type": TERMINAL, "status": "interrupted"}
                    return
                if seq > after:
                    yield seq, event
                if event["type"] == TERMINAL:
                    return
        finally:
            beating.cancel()
            with contextlib.suppress(Exception):
                await sub.unsubscribe()

    async def _beat(self, turn_id: uuid.UUID) -> None:
        while True:
            with contextlib.suppress(Exception):
                await self.nc.publish(heartbeat_subject(turn_id), b"")
            await asyncio.sleep(1.0)

    async def has_kept(self, turn_id: uuid.UUID) -> bool:
        if turn_id in self.active:
            return True
        try:
            await self.js.get_last_msg(STREAM, subject(turn_id))
        except Exception:
            return False
        return True

    async def aclose(self) -> None:
        tasks = list(self._tasks.values())
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
