"""Prometheus metrics of the event machinery: outbox backlog, consumers' lag, dead letters.

The gauges are sampled, not counted per message: the relay reads its outbox's backlog, each
durable consumer its `CONSUMER.INFO`, on their `sampling` schedule (`shared.events.backlog`:
every few seconds after traffic, every minute while idle). Every replica samples the same table or consumer, so a
query takes `max by (service)` / `max by (durable)`, never a sum. README ("Watching it") says
what each one means to an operator and which alert reads it.
"""

from prometheus_client import Counter, Gauge

OUTBOX_UNPUBLISHED = Gauge(
    "outbox_unpublished_events", "Outbox rows not yet published to JetStream (sampled by the relay)", ["service"]
)
OUTBOX_OLDEST_AGE = Gauge(
    "outbox_oldest_unpublished_age_seconds",
    "Age of the oldest outbox row not yet published, 0 when none (sampled by the relay)",
    ["service"],
)
CONSUMER_PENDING = Gauge(
    "events_consumer_pending_messages",
    "Messages of the subject the durable consumer has not yet been delivered (CONSUMER.INFO num_pending)",
    ["durable"],
)
CONSUMER_ACK_PENDING = Gauge(
    "events_consumer_ack_pending_messages",
    "Messages delivered to the durable consumer and not yet acked (CONSUMER.INFO num_ack_pending)",
    ["durable"],
)
REDELIVERED = Counter(
    "events_redelivered_total", "Messages this replica fetched that had been delivered before", ["durable"]
)
DEAD_LETTERED = Counter(
    "events_dead_lettered_total", "Messages copied to deadletter.<durable> and terminated", ["durable", "reason"]
)
DEAD_LETTERS_REPLAYED = Counter(
    "events_dead_letters_replayed_total",
    "Dead letters an admin replayed or discarded (and so removed)",
    ["durable", "outcome"],
)
