"""The clients' channels in the gateway's merged AsyncAPI document: both WebSockets' frames and
the webhook deliveries (every subscribable name, signed), beside the internal subjects, each
message with examples that validate against its schemas."""

from typing import Any

import httpx
from jsonschema import Draft202012Validator

from auth.testing import Workspace, auth_header


def validator(document: dict[str, Any], schema: dict[str, Any]) -> Draft202012Validator:
    """`schema` with the document's components beside it, so that its `#/components/...` refs resolve."""
    return Draft202012Validator(
        {**schema, "components": document["components"]}, format_checker=Draft202012Validator.FORMAT_CHECKER
    )


def message_of(document: dict[str, Any], channel: str, name: str) -> dict[str, Any]:
    ref = document["channels"][channel]["messages"][name]["$ref"]
    message: dict[str, Any] = document["components"]["messages"][ref.rsplit("/", 1)[1]]
    return message


async def test_the_websockets_and_webhook_deliveries_are_in_the_asyncapi_document(
    gateway: httpx.AsyncClient, workspace: Workspace
) -> None:
    document = (await gateway.get("/api/asyncapi/")).json()
    channels = document["channels"]
    addresses = {channel["address"]: name for name, channel in channels.items()}
    assert {"/ws", "/api/chat/ws/", "{url}"} <= set(addresses)
    assert "agro.field.upserted" in addresses  # the internal subjects stay
    chat, desk, hooks = addresses["/ws"], addresses["/api/chat/ws/"], addresses["{url}"]
    operations = {(op["action"], op["channel"]["$ref"]) for op in document["operations"].values()}
    for channel in (chat, desk):  # frames both ways
        assert {("send", f"#/channels/{channel}"), ("receive", f"#/channels/{channel}")} <= operations
    assert {"SocketAuth", "SocketChat", "SocketEvent", "SocketError"} <= set(channels[chat]["messages"])
    assert {"DeskAuth", "DeskSend", "DeskTyping", "DeskRead", "DeskEvent", "DeskSent"} <= set(
        channels[desk]["messages"]
    )

    # Every name a subscriber may choose (as the webhooks API lists it) has its delivery, signed.
    listed = await gateway.get("/api/webhooks/events", headers=auth_header(workspace.owner_token))
    names = {event["name"] for event in listed.json()["events"]}
    delivered = {
        message["examples"][0]["payload"]["type"]
        for name in channels[hooks]["messages"]
        if (message := message_of(document, hooks, name))
    }
    assert names <= delivered
    assert "webhook.test" in delivered
    for name in channels[hooks]["messages"]:
        headers = document["components"]["schemas"][
            message_of(document, hooks, name)["headers"]["$ref"].rsplit("/", 1)[1]
        ]
        assert {"webhook-id", "webhook-timestamp", "webhook-signature"} <= set(headers["required"])

    # Every message of every client channel has examples, and they fit its payload (and headers) schema.
    checked = 0
    for channel in (chat, desk, hooks):
        for name in channels[channel]["messages"]:
            message = message_of(document, channel, name)
            assert message["examples"], name
            for example in message["examples"]:
                errors = [e.message for e in validator(document, message["payload"]).iter_errors(example["payload"])]
                assert errors == [], (name, example)
                if "headers" in message:
                    assert list(validator(document, message["headers"]).iter_errors(example["headers"])) == []
                checked += 1
    assert checked > 30
    # And a wrong example would not: the check can fail.
    socket_event = message_of(document, chat, "SocketEvent")
    assert list(validator(document, socket_event["payload"]).iter_errors({"type": "bogus", "id": 1}))
