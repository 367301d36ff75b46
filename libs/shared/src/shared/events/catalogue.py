"""Typed events: one pydantic model per subject, and the AsyncAPI 3 document built from them.

The publishing service owns each model, in its `events.py`; consumers validate what they
receive against the same model. A payload change is additive (a new optional field); a
breaking one is a new subject. Consumers ignore fields they do not know yet.
"""

from collections.abc import Sequence
from typing import Any, ClassVar

from pydantic import BaseModel, ConfigDict

from shared.events.asyncapi_clients import ClientChannel, add_client_channels

__all__ = ["Event", "asyncapi_document"]


class Event(BaseModel):
    """The `data` of one subject's envelope. Subclasses set `subject` and say in a docstring
    what happened (past tense) and who relies on it."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    subject: ClassVar[str]


_ENVELOPE = {
    "type": "object",
    "description": "Every event travels in this envelope; `id` is also the JetStream Nats-Msg-Id.",
    "required": ["id", "type", "occurred_at", "source", "data"],
    "properties": {
        "id": {"type": "string", "format": "uuid", "description": "UUIDv7"},
        "type": {"type": "string", "description": "The subject"},
        "occurred_at": {"type": "string", "format": "date-time"},
        "tenant_id": {"type": ["integer", "null"], "description": "null for platform-wide reference data"},
        "source": {"type": "string", "description": "The publishing service"},
        "request_id": {"type": ["string", "null"], "description": "The request that caused it"},
        "traceparent": {
            "type": ["string", "null"],
            "description": "W3C trace context when it was written (also the `traceparent` NATS header)",
        },
    },
}


def asyncapi_document(
    title: str, version: str, events: Sequence[type[Event]], clients: Sequence[ClientChannel] = ()
) -> dict[str, Any]:
    """An AsyncAPI 3.0 document: one channel per subject, the service sending on each, and the
    channels its clients use (`shared.events.asyncapi_clients`)."""
    channels: dict[str, Any] = {}
    operations: dict[str, Any] = {}
    messages: dict[str, Any] = {}
    schemas: dict[str, Any] = {"Envelope": _ENVELOPE}
    for event in events:
        name = event.__name__
        schema = event.model_json_schema(ref_template="#/components/schemas/{model}")
        for nested, definition in schema.pop("$defs", {}).items():
            schemas[nested] = definition
        schemas[name] = schema
        messages[name] = {
            "name": name,
            "title": event.subject,
            "summary": (event.__doc__ or "").strip().split("\n\n")[0],
            "contentType": "application/json",
            "payload": {
                "allOf": [
                    {"$ref": "#/components/schemas/Envelope"},
                    {"type": "object", "properties": {"data": {"$ref": f"#/components/schemas/{name}"}}},
                ]
            },
        }
        channel = event.subject.replace(".", "_")
        channels[channel] = {
            "address": event.subject,
            "messages": {name: {"$ref": f"#/components/messages/{name}"}},
        }
        operations[f"send_{channel}"] = {
            "action": "send",
            "channel": {"$ref": f"#/channels/{channel}"},
            "messages": [{"$ref": f"#/channels/{channel}/messages/{name}"}],
        }
    document = {
        "asyncapi": "3.0.0",
        "info": {"title": title, "version": version},
        "defaultContentType": "application/json",
        "channels": channels,
        "operations": operations,
        "components": {"messages": messages, "schemas": schemas},
    }
    return add_client_channels(document, clients)
