"""ingest's posts parsed straight into the typed event (`BatchConsumer(typed_only=True)`, brain's
readings consumer): the same envelope and event as the two-step parse, the same refusals."""

import json
from typing import Any, cast

import pytest
from nats.aio.msg import Msg

from brain.events import ReadingsReceived
from shared.events import BatchConsumer, Envelope
from shared.events import consumer as consumer_module

LECTURAS: list[dict[str, Any]] = [
    {
        "nodo_codigo": f"N{i}",
        "timestamp": "2025-10-23T10:15:00Z",
        "sensores": [{"sensor": "humedad_suelo", "valor": 70, "unidad": "%"}, {"sensor": "ph", "valor": 6.5,
                                                                             "unidad": "pH"}],
    }
    for i in range(3)
]  # fmt: skip
POST = {
    "parcela_id": 12,
    "codigo_nodo_maestro": "NM-1",
    "lecturas": LECTURAS,
}


async def _noop(*_: Any) -> None:
    return None


def _consumer(*, typed_only: bool) -> BatchConsumer:
    # Parsing touches neither JetStream nor the database (only a refusal's dead letter does).
    return BatchConsumer(
        cast(Any, None), cast(Any, None), durable="brain-readings", event=ReadingsReceived, handler=_noop,
        typed_only=typed_only,
    )  # fmt: skip


def _message(data: dict[str, Any]) -> Msg:
    envelope = Envelope(type=ReadingsReceived.subject, tenant_id=4, source="ingest", traceparent="00-a-b-01")
    return Msg(cast(Any, None), subject=ReadingsReceived.subject, data=envelope.encode_with(json.dumps(data).encode()))


async def test_a_post_parsed_in_one_pass_is_the_two_step_parse() -> None:
    message = _message(POST)
    one_pass = await _consumer(typed_only=True).parse(message)
    two_steps = await _consumer(typed_only=False).parse(message)
    assert one_pass is not None
    assert two_steps is not None
    assert one_pass[1] == two_steps[1]
    assert isinstance(one_pass[1], ReadingsReceived)
    assert one_pass[0].model_dump(exclude={"data"}) == two_steps[0].model_dump(exclude={"data"})
    assert one_pass[0].tenant_id == 4


async def test_a_malformed_post_is_dead_lettered_as_before(monkeypatch: pytest.MonkeyPatch) -> None:
    letters: list[str] = []

    async def dead_letter(_: object, msg: Msg, *, durable: str, reason: str) -> None:
        letters.append(reason)

    monkeypatch.setattr(consumer_module, "dead_letter", dead_letter)
    broken = {**POST, "lecturas": [{**LECTURAS[0], "timestamp": "ayer"}]}
    assert await _consumer(typed_only=True).parse(_message(broken)) is None
    assert letters == ["malformed"]
