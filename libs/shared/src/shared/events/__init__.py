"""Events over NATS JetStream: envelope, transactional outbox, idempotent durable consumers."""

from shared.events.batch import BatchConsumer, BatchHandler
from shared.events.bus import connect_nats, ensure_stream, stream_for_subject
from shared.events.catalogue import Event, asyncapi_document
from shared.events.consumer import EventConsumer, EventHandler
from shared.events.envelope import Envelope
from shared.events.outbox import Outbox, OutboxRelay
from shared.events.tables import messaging_tables

__all__ = [
    "BatchConsumer",
    "BatchHandler",
    "Envelope",
    "Event",
    "EventConsumer",
    "EventHandler",
    "Outbox",
    "OutboxRelay",
    "asyncapi_document",
    "connect_nats",
    "ensure_stream",
    "messaging_tables",
    "stream_for_subject",
]
