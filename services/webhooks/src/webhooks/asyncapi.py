"""Webhook deliveries as a subscriber's URL receives them, for the AsyncAPI document: one
message per event name it may subscribe to (`webhooks.catalog`), its payload, and the
Standard Webhooks headers that sign it (`webhooks.delivery.sender`)."""

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, create_model

from shared.events import Event
from shared.events.asyncapi_clients import ClientChannel, ClientMessage
from webhooks.catalog import NAMES, TEST_EVENT


class SignatureHeaders(BaseModel):
    """Standard Webhooks: check the signature (HMAC-SHA256 of `<webhook-id>.<webhook-timestamp>.<body>`
    with the webhook's secret) before trusting a delivery, and deduplicate by `webhook-id`."""

    model_config = ConfigDict(populate_by_name=True)

    webhook_id: str = Field(alias="webhook-id", pattern=r"^msg_", description="The same on every retry")
    webhook_timestamp: str = Field(alias="webhook-timestamp", pattern=r"^\d+$", description="Unix seconds")
    webhook_signature: str = Field(alias="webhook-signature", pattern=r"^v1,", description="`v1,<base64>`")
    content_type: str = Field("application/json", alias="Content-Type")


class TestData(BaseModel):
    """The test delivery of `POST /api/webhooks/{id}/test`."""

    webhook_id: str
    message: str


# The `data` of each name's example: the fields of the event a subscriber can rely on (the
# publisher may send more; receivers ignore what they do not know).
_DATA: dict[str, dict[str, Any]] = {
    "alert.critical": {"alerta_id": 12, "parcela_id": 7, "severity": "critical"},
    "alert.warning": {"alerta_id": 13, "parcela_id": 7, "severity": "warning"},
    "alert.cleared": {"alerta_id": 12, "parcela_id": 7},
    "task.suggested": {"tarea_id": 31, "parcela_id": 7},
    "task.created": {"tarea_id": 32, "parcela_id": 7},
    "task.decided": {"tarea_id": 31, "decision": "aceptada"},
    "tool.executed": {"tool": "latest_readings"},
    "conversation.created": {"conversation_id": "conv_123"},
    "api.learned": {"api_id": "api_1"},
    "chat.created": {"chat_room_id": "0193a7f2-5c1e-7b7a-9d52-3f0c6a1e2b44"},
    "chat.resolved": {"chat_room_id": "0193a7f2-5c1e-7b7a-9d52-3f0c6a1e2b44"},
    "reading.limit_reached": {"parcela_id": 7},
    "invitation.created": {"invitation_id": 4, "email": "ana@example.com", "accept_token": "inv_8Qm2"},
    TEST_EVENT: {"webhook_id": "wh_5", "message": "Evento de prueba"},
}
_HEADERS = {
    "webhook-id": "msg_0193a7f2-5c1e-7b7a-9d52-3f0c6a1e2b44",
    "webhook-timestamp": "1764892800",
    "webhook-signature": "v1,K5oZfzN95Z9UVu1EsfQmfVNQhnkZ2pj9o9NDN/H/pI4=",
    "Content-Type": "application/json",
}


def _message(name: str, description: str, data: type[BaseModel]) -> ClientMessage:
    model_name = "Webhook" + "".join(part.title() for part in name.replace("_", ".").split("."))
    model: type[BaseModel] = create_model(
        model_name,
        __doc__=f"`{name}`: {description}.",
        type=(str, Field(pattern=f"^{name.replace('.', '[.]')}$", description="The event name")),
        timestamp=(datetime, Field(description="When the event happened")),
        data=(data, Field(description=f"The `{data.subject}` event's payload" if issubclass(data, Event) else "")),
    )
    example = {"type": name, "timestamp": "2026-12-05T10:00:00+00:00", "data": _DATA[name]}
    return ClientMessage(model_name, model, description, [example], SignatureHeaders, _HEADERS)


DELIVERIES = ClientChannel(
    name="client_webhook_deliveries",
    address="{url}",
    title="Webhook deliveries (002)",
    description="A POST to each active webhook subscribed to the event's name, signed per Standard "
    "Webhooks; a 2xx answer within the timeout is a delivery, anything else is retried with backoff.",
    protocol="http",
    parameters={"url": "The webhook's `url` (`POST /api/webhooks`)"},
    sends=[
        *(_message(entry.name, entry.description, entry.source) for entry in NAMES if entry.source is not None),
        _message(TEST_EVENT, "Prueba de un webhook", TestData),
    ],
)

CLIENT_CHANNELS = [DELIVERIES]
