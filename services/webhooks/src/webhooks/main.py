import re

from fastapi import FastAPI

from shared.crypto import SecretCipher
from shared.outbound import OutboundPolicy
from shared.service import BatchConsumerSpec, ConsumerSpec, create_service_app
from webhooks import asyncapi, catalog, events
from webhooks.config import settings
from webhooks.delivery.handlers import fan_out_of, on_guest_erased
from webhooks.delivery.jobs import retention_job
from webhooks.delivery.sender import Receivers, Sender
from webhooks.hook.endpoints import router as hook_router
from webhooks.metrics import handlers
from webhooks.metrics.endpoints import router as metrics_router
from webhooks.models import SCHEMA, inbox_table, outbox_table


def _durable(prefix: str, subject: str) -> str:
    return f"{prefix}-{re.sub(r'[^a-z0-9]+', '-', subject)}"


BATCHES = [
    BatchConsumerSpec(durable=_durable("webhooks", source.subject), event=source, handler=fan_out_of(source.subject))
    for source in catalog.sources()
] + [BatchConsumerSpec(durable="metrics-alert-raised", event=events.AlertRaised, handler=handlers.on_alerts_raised)]
CONSUMERS = [
    ConsumerSpec(durable="metrics-alert-cleared", event=events.AlertCleared, handler=handlers.on_alert_cleared),
    ConsumerSpec(durable="metrics-field-upserted", event=events.FieldUpserted, handler=handlers.on_field_upserted),
    ConsumerSpec(durable="metrics-field-deleted", event=events.FieldDeleted, handler=handlers.on_field_deleted),
    ConsumerSpec(durable="metrics-node-upserted", event=events.NodeUpserted, handler=handlers.on_node_upserted),
    ConsumerSpec(durable="metrics-node-deleted", event=events.NodeDeleted, handler=handlers.on_node_deleted),
    ConsumerSpec(durable="metrics-answers", event=events.AnswerCompleted, handler=handlers.on_answer_completed),
    ConsumerSpec(durable="metrics-tools", event=events.ToolExecuted, handler=handlers.on_tool_executed),
    ConsumerSpec(durable="webhooks-chat-guest-erased", event=events.GuestErased, handler=on_guest_erased),
]
MAINTENANCE = [
    retention_job(interval_seconds=settings.maintenance_interval_seconds,
                  retention_seconds=settings.delivery_retention_seconds, batch_size=settings.maintenance_batch_size),
]  # fmt: skip


async def prepare(app: FastAPI) -> None:
    app.state.secret_cipher = SecretCipher(
        settings.secret_encryption_key, purpose=b"webhook-secret", setting="WEBHOOKS_SECRET_ENCRYPTION_KEY"
    )
    app.state.outbound_policy = OutboundPolicy(
        allowed_networks=settings.outbound_allowed_networks,
        timeout_seconds=settings.delivery_timeout_seconds,
        setting="WEBHOOKS_OUTBOUND_ALLOWED_NETWORKS",
    )


async def deliver(app: FastAPI) -> None:
    receivers = Receivers()
    sender = Sender(app.state.sessionmaker, receivers, app.state.secret_cipher, app.state.outbound_policy, settings)
    try:
        await sender.run()
    finally:
        await receivers.aclose()


def create_app() -> FastAPI:
    return create_service_app(
        settings,
        title="webhooks",
        version="0.1.0",
        schema=SCHEMA,
        routers=[hook_router, metrics_router],
        messaging=(outbox_table, inbox_table),
        consumers=CONSUMERS,
        batch_consumers=BATCHES,
        workers=[deliver],
        maintenance=MAINTENANCE,
        events=events.PUBLISHED,
        client_channels=asyncapi.CLIENT_CHANNELS,
        on_startup=prepare,
        description="Webhooks signed per Standard Webhooks, and the platform metrics (seed 002).",
    )


app = create_app()
