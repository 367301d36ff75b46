"""turn.live's publisher, in process: an answer's events go to JetStream in order without
waiting for each ack, and an ack that fails or never comes is still told (a warning)."""

import asyncio
import json
import logging
import uuid
from typing import Any, cast

import pytest
from nats.aio.client import Client as NATS
from nats.js import JetStreamContext
from nats.js.api import PubAck

from bots.turn import live
from bots.turn.live import LiveTurn, Turns


class HeldAcks:
    """Stands for JetStream: keeps what is published and answers only when told to."""

    def __init__(self) -> None:
        self.published: list[tuple[str, dict[str, Any], dict[str, str]]] = []
        self.acks: list[asyncio.Future[PubAck]] = []

    async def publish_async(self, subject: str, payload: bytes, headers: dict[str, str]) -> asyncio.Future[PubAck]:
        self.published.append((subject, json.loads(payload), headers))
        ack: asyncio.Future[PubAck] = asyncio.get_running_loop().create_future()
        self.acks.append(ack)
        return ack


def _turns(js: HeldAcks) -> Turns:
    return Turns(cast(NATS, None), cast(JetStreamContext, js), replay_seconds=60, abandon_after_seconds=60)


async def test_events_are_published_in_order_before_any_ack(caplog: pytest.LogCaptureFixture) -> None:
    js = HeldAcks()
    turn = LiveTurn(uuid.uuid4())
    publishing = asyncio.create_task(_turns(js)._publish(turn))
    for word in ("uno", "dos", "tres"):
        turn.emit({"type": "message", "content": word})
        await asyncio.sleep(0.01)
    turn.emit({"type": "done", "status": "complete"})
    await asyncio.sleep(0.01)
    # All four out, none acknowledged yet: the publisher waits only for the last ones.
    assert [(body["n"], body["event"].get("content")) for _, body, _ in js.published] == [
        (1, "uno"), (2, "dos"), (3, "tres"), (4, None)
    ]  # fmt: skip
    assert [headers["Nats-Msg-Id"] for _, _, headers in js.published] == [f"{turn.id}:{n}" for n in range(1, 5)]
    assert {subject for subject, _, _ in js.published} == {live.subject(turn.id)}
    assert not publishing.done()
    for ack in js.acks[:3]:
        ack.set_result(PubAck(stream=live.STREAM, seq=1))
    js.acks[3].set_exception(RuntimeError("stream full"))
    with caplog.at_level(logging.WARNING, logger=live.__name__):
        await asyncio.wait_for(publishing, timeout=5)
    told = [record for record in caplog.records if record.name == live.__name__]
    assert [record.getMessage() for record in told] == ["answer event not kept for resumption"]
    assert told[0].error == "stream full"  # type: ignore[attr-defined]


async def test_an_ack_that_never_comes_is_told_and_its_slot_freed(
    caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(live, "ACK_SECONDS", 0.05)
    js = HeldAcks()
    turn = LiveTurn(uuid.uuid4())
    turn.emit({"type": "done", "status": "complete"})
    with caplog.at_level(logging.WARNING, logger=live.__name__):
        await asyncio.wait_for(_turns(js)._publish(turn), timeout=5)
    assert len(js.published) == 1
    assert js.acks[0].cancelled()
    assert any(record.getMessage() == "answer event not kept for resumption" for record in caplog.records)


class Gated(HeldAcks):
    """Acknowledges at once, and notes whether `gate` was open at each publish."""

    def __init__(self, gate: asyncio.Event) -> None:
        super().__init__()
        self.gate = gate
        self.open_at_publish: list[bool] = []

    async def publish_async(self, subject: str, payload: bytes, headers: dict[str, str]) -> asyncio.Future[PubAck]:
        self.open_at_publish.append(self.gate.is_set())
        ack = await super().publish_async(subject, payload, headers)
        ack.set_result(PubAck(stream=live.STREAM, seq=1))
        return ack


async def _never_abandoned(turn: LiveTurn) -> None:
    pass


async def test_events_are_kept_once_the_provider_has_the_request() -> None:
    """Keeping an answer's events waits for `after` (the provider's request on the wire); then
    every event said meanwhile goes out, in order."""
    asked = asyncio.Event()
    js = Gated(asked)
    turns = _turns(js)  # no NATS connection: other replicas' listeners go unheard, as when it is away
    said = asyncio.Event()

    async def work(turn: LiveTurn) -> None:
        turn.emit({"type": "thinking", "content": "..."})
        said.set()
        await asked.wait()
        turn.emit({"type": "message", "content": "hola"})
        turn.emit({"type": "done", "status": "complete"})

    turn = turns.start(uuid.uuid4(), work, on_abandon=_never_abandoned, after=asked.wait)
    await said.wait()
    for _ in range(20):  # the other tasks get their turns of the loop: none may publish yet
        await asyncio.sleep(0)
    assert not js.published
    asked.set()
    await asyncio.wait_for(turns._tasks[turn.id], timeout=5)
    assert [body["event"]["type"] for _, body, _ in js.published] == ["thinking", "message", "done"]
    assert js.open_at_publish == [True, True, True]
    assert turn.id not in turns.active
    await turns.aclose()


async def test_an_answer_stopped_before_its_turn_began_is_ended_and_forgotten() -> None:
    """Cancelled in the same step that started it (storing its question failed): its task is
    stopped, it ends as failed for whoever follows it, and it is no longer active."""
    js = HeldAcks()
    turns = _turns(js)
    went_on = False

    async def work(turn: LiveTurn) -> None:
        nonlocal went_on
        turn.emit({"type": "thinking", "content": "..."})
        await asyncio.sleep(0.05)
        went_on = True

    turn = turns.start(uuid.uuid4(), work, on_abandon=_never_abandoned)
    turns.cancel(turn.id)
    await turns.aclose()
    await asyncio.sleep(0.1)
    assert not went_on
    assert turn.finished
    assert turn.events[-1] == {"type": "done", "status": "failed", "error": "la respuesta se detuvo"}
    assert turn.id not in turns.active
