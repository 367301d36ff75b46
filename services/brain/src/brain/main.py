import logging

from fastapi import FastAPI

from brain import events
from brain.alert.endpoints import router as alert_router
from brain.alert.sweeper import sweep_stale_sensors
from brain.analytics.endpoints import router as analytics_router
from brain.config import settings
from brain.field import handlers as field
from brain.models import SCHEMA, inbox_table, outbox_table
from brain.node.endpoints import router as node_router
from brain.reading.handlers import on_readings_received
from brain.retention import service as retention
from brain.task import handlers as task
from shared.service import BatchConsumerSpec, ConsumerSpec, create_service_app

logger = logging.getLogger(__name__)


async def _make_partitions(app: FastAPI) -> None:
    """The days ahead, so that batches seldom have to make their day. Not a reason to refuse
    to start: a batch makes a missing day itself, and the maintenance job tries again."""
    try:
        await retention.make_partitions(app.state.sessionmaker)
    except Exception:
        logger.warning("readings' partitions not made at start-up; the maintenance job will", exc_info=True)


def create_app() -> FastAPI:
    return create_service_app(
        settings,
        title="brain",
        version="0.1.0",
        schema=SCHEMA,
        routers=[analytics_router, alert_router, node_router],
        messaging=(outbox_table, inbox_table),
        consumers=[
            ConsumerSpec(durable="brain-field-upserted", event=events.FieldUpserted, handler=field.on_field_upserted),
            ConsumerSpec(durable="brain-field-deleted", event=events.FieldDeleted, handler=field.on_field_deleted),
            ConsumerSpec(durable="brain-stage-upserted", event=events.StageUpserted, handler=field.on_stage_upserted),
            ConsumerSpec(durable="brain-stage-deleted", event=events.StageDeleted, handler=field.on_stage_deleted),
            ConsumerSpec(durable="brain-rule-upserted", event=events.RuleUpserted, handler=field.on_rule_upserted),
            ConsumerSpec(durable="brain-rule-deleted", event=events.RuleDeleted, handler=field.on_rule_deleted),
            ConsumerSpec(
                durable="brain-subscription-changed",
                event=events.SubscriptionChanged,
                handler=field.on_subscription_changed,
            ),
            ConsumerSpec(durable="brain-task-created", event=events.TaskCreated, handler=task.on_task_created),
            ConsumerSpec(durable="brain-task-decided", event=events.TaskDecided, handler=task.on_task_decided),
            ConsumerSpec(durable="brain-task-deleted", event=events.TaskDeleted, handler=task.on_task_deleted),
        ],
        batch_consumers=[
            BatchConsumerSpec(
                durable="brain-readings",
                event=events.ReadingsReceived,
                handler=on_readings_received,
                batch_size=settings.readings_batch_size,
                typed_only=True,  # its handlers read the envelope's tenant and time, never its data
            )
        ],
        workers=[sweep_stale_sensors],
        maintenance=retention.JOBS,
        on_startup=_make_partitions,
        events=events.PUBLISHED,
        description="Brain (seed 004): readings, rules into AI-suggested tasks and alerts, analytics.",
    )


app = create_app()
