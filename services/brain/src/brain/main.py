import asyncio
import logging
from datetime import UTC, datetime

from fastapi import FastAPI

from brain import agronomy, alerts, events, readings, tasks
from brain.analytics.endpoints import router as analytics_router
from brain.config import settings
from brain.models import SCHEMA, inbox_table, outbox_table
from shared.service import BatchConsumerSpec, ConsumerSpec, create_service_app

logger = logging.getLogger(__name__)


async def sweep_stale_sensors(app: FastAPI) -> None:
    """Every `stale_check_seconds`: flag sensors silent for longer than their plan allows."""
    while True:
        await asyncio.sleep(settings.stale_check_seconds)
        try:
            async with app.state.sessionmaker() as session, session.begin():
                await alerts.flag_stale_sensors(session, datetime.now(UTC))
        except Exception:
            logger.exception("stale sensor sweep failed")


CONSUMERS = [
    ConsumerSpec(durable="brain-field-upserted", event=events.FieldUpserted, handler=agronomy.on_field_upserted),
    ConsumerSpec(durable="brain-field-deleted", event=events.FieldDeleted, handler=agronomy.on_field_deleted),
    ConsumerSpec(durable="brain-stage-upserted", event=events.StageUpserted, handler=agronomy.on_stage_upserted),
    ConsumerSpec(durable="brain-stage-deleted", event=events.StageDeleted, handler=agronomy.on_stage_deleted),
    ConsumerSpec(durable="brain-rule-upserted", event=events.RuleUpserted, handler=agronomy.on_rule_upserted),
    ConsumerSpec(durable="brain-rule-deleted", event=events.RuleDeleted, handler=agronomy.on_rule_deleted),
    ConsumerSpec(
        durable="brain-subscription-changed",
        event=events.SubscriptionChanged,
        handler=agronomy.on_subscription_changed,
    ),
    ConsumerSpec(durable="brain-task-created", event=events.TaskCreated, handler=tasks.on_task_created),
    ConsumerSpec(durable="brain-task-decided", event=events.TaskDecided, handler=tasks.on_task_decided),
    ConsumerSpec(durable="brain-task-deleted", event=events.TaskDeleted, handler=tasks.on_task_deleted),
]


def create_app() -> FastAPI:
    return create_service_app(
        settings,
        title="brain",
        version="0.1.0",
        schema=SCHEMA,
        routers=[analytics_router],
        messaging=(outbox_table, inbox_table),
        consumers=CONSUMERS,
        batch_consumers=[
            BatchConsumerSpec(
                durable="brain-readings",
                event=events.ReadingsReceived,
                handler=readings.store_batch,
                batch_size=settings.readings_batch_size,
            )
        ],
        workers=[sweep_stale_sensors],
        events=events.PUBLISHED,
        description="Brain (seed 004): readings, rules into AI-suggested tasks and alerts, analytics.",
    )


app = create_app()
