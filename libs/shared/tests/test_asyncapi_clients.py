"""Client channels in a service's AsyncAPI document: operations both ways, examples checked by their model."""

from typing import Literal

import pytest
from pydantic import BaseModel, ValidationError

from shared.events import asyncapi_document
from shared.events.asyncapi_clients import ClientChannel, ClientMessage


class Ping(BaseModel):
    type: Literal["ping"]


class Pong(BaseModel):
    type: Literal["pong"]


def channel(example: dict[str, str]) -> ClientChannel:
    return ClientChannel(
        name="client_socket", address="/ws", title="t", description="d", protocol="ws",
        receives=[ClientMessage("Ping", Ping, "ping", [example])],
        sends=[ClientMessage("Pong", Pong, "pong", [{"type": "pong"}])],
    )  # fmt: skip


def test_a_channel_has_its_frames_both_ways_with_examples() -> None:
    document = asyncapi_document("s", "1", [], [channel({"type": "ping"})])
    assert document["channels"]["client_socket"]["address"] == "/ws"
    actions = {name: op["action"] for name, op in document["operations"].items()}
    assert actions == {"send_client_socket": "send", "receive_client_socket": "receive"}
    ping = document["components"]["messages"]["Ping"]
    assert ping["payload"] == {"$ref": "#/components/schemas/Ping"}
    assert ping["examples"] == [{"name": "Ping", "payload": {"type": "ping"}}]
    assert document["components"]["schemas"]["Ping"]["properties"]["type"]["const"] == "ping"


def test_an_example_its_model_refuses_stops_the_document() -> None:
    with pytest.raises(ValidationError):
        asyncapi_document("s", "1", [], [channel({"type": "pong"})])
