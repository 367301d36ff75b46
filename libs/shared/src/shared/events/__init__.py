"""Events over NATS JetStream: envelope, transactional outbox, idempotent durable consumers."""

from shared.events.batch import BatchConsumer, BatchHandler
from shared.events.bus import (
    ReconnectHook,
    connect_nats,
    ensure_stream,
    next_reconnect,
    on_reconnected,
    stream_for_subject,
)
from shared.events.catalogue import Event, asyncapi_document
from shared.events.catchup import CatchUp, ConsumerCatchUp
from shared.events.consumer import DurableConsumer, EventConsumer, EventHandler, catch_up
from shared.events.envelope import Envelope
from shared.events.outbox import Outbox, OutboxRelay, relayed
from shared.events.tables import messaging_tables

__all__ = [
    "BatchConsumer",
    "BatchHandler",
    "CatchUp",
    "ConsumerCatchUp",
    "DurableConsumer",
    "Envelope",
    "Event",
    "EventConsumer",
    "EventHandler",
    "Outbox",
    "OutboxRelay",
    "ReconnectHook",
    "asyncapi_document",
    "catch_up",
    "connect_nats",
    "ensure_stream",
    "messaging_tables",
    "next_reconnect",
    "on_reconnected",
    "relayed",
    "stream_for_subject",
]
