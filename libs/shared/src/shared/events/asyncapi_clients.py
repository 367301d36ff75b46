"""What clients exchange with a service outside HTTP request/answer, in its AsyncAPI document
beside the internal subjects: the frames of a WebSocket both ways, and the webhook deliveries
a subscriber's URL receives. The service describes them (a `ClientChannel` per socket or
delivery kind, in its own `asyncapi.py`); each message's examples are validated by its model
when the document is built, so a document whose example no longer fits cannot be served."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

from pydantic import BaseModel

__all__ = ["ClientChannel", "ClientMessage", "add_client_channels"]

_SCHEMAS = "#/components/schemas/"


@dataclass(frozen=True)
class ClientMessage:
    """One kind of frame (or delivery): its model, and examples as they travel."""

    name: str  # the component's name, unique in the suite: "DeskSocketMessage", "WebhookTaskCreated"
    model: type[BaseModel]
    summary: str
    examples: Sequence[dict[str, Any]]
    headers: type[BaseModel] | None = None  # HTTP headers of a delivery
    example_headers: dict[str, str] | None = None


@dataclass(frozen=True)
class ClientChannel:
    """`sends`: what the service sends the client; `receives`: what the client sends it."""

    name: str
    address: str
    title: str
    description: str
    protocol: Literal["ws", "http"]
    sends: Sequence[ClientMessage]
    receives: Sequence[ClientMessage] = ()
    parameters: dict[str, str] | None = None  # `{url}` in an address: its description


def add_client_channels(document: dict[str, Any], channels: Sequence[ClientChannel]) -> dict[str, Any]:
    """`document` (AsyncAPI 3) with the channels, their send/receive operations, messages and schemas."""
    components = document.setdefault("components", {})
    messages, schemas = components.setdefault("messages", {}), components.setdefault("schemas", {})
    for channel in channels:
        listed: dict[str, Any] = {}
        for message in [*channel.sends, *channel.receives]:
            messages[message.name] = _message(message, schemas)
            listed[message.name] = {"$ref": f"#/components/messages/{message.name}"}
        described: dict[str, Any] = {
            "address": channel.address,
            "title": channel.title,
            "description": channel.description,
            "messages": listed,
            "bindings": {channel.protocol: {"bindingVersion": "0.1.0" if channel.protocol == "ws" else "0.3.0"}},
        }
        if channel.parameters:
            described["parameters"] = {name: {"description": text} for name, text in channel.parameters.items()}
        document.setdefault("channels", {})[channel.name] = described
        for action, sent in (("send", channel.sends), ("receive", channel.receives)):
            if sent:
                document.setdefault("operations", {})[f"{action}_{channel.name}"] = {
                    "action": action,
                    "channel": {"$ref": f"#/channels/{channel.name}"},
                    "messages": [{"$ref": f"#/channels/{channel.name}/messages/{m.name}"} for m in sent],
                }
    return document


def _message(message: ClientMessage, schemas: dict[str, Any]) -> dict[str, Any]:
    for example in message.examples:
        message.model.model_validate(example)  # a stale example fails here, at start-up and in tests
    described: dict[str, Any] = {
        "name": message.name,
        "title": message.name,
        "summary": message.summary,
        "contentType": "application/json",
        "payload": {"$ref": _schema(message.model, schemas, message.name)},
        "examples": [
            {"name": f"{message.name}{n}" if n else message.name, "payload": example}
            | ({"headers": message.example_headers} if message.example_headers else {})
            for n, example in enumerate(message.examples)
        ],
    }
    if message.headers is not None:
        if message.example_headers is not None:
            message.headers.model_validate(message.example_headers)
        described["headers"] = {"$ref": _schema(message.headers, schemas, message.headers.__name__)}
    return described


def _schema(model: type[BaseModel], schemas: dict[str, Any], name: str) -> str:
    schema = model.model_json_schema(ref_template=_SCHEMAS + "{model}", by_alias=True)
    for nested, definition in schema.pop("$defs", {}).items():
        schemas[nested] = definition
    schemas[name] = schema
    return _SCHEMAS + name
