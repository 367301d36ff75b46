from fastapi import FastAPI

from ingest import events, nodes, quota
from ingest.config import settings
from ingest.models import SCHEMA, inbox_table, outbox_table
from ingest.readings.endpoints import router as readings_router
from shared.events import ensure_stream
from shared.service import ConsumerSpec, create_service_app


async def create_readings_stream(app: FastAPI) -> None:
    await ensure_stream(app.state.js, events.ReadingsReceived.subject)


def create_app() -> FastAPI:
    return create_service_app(
        settings,
        title="ingest",
        version="0.1.0",
        schema=SCHEMA,
        routers=[readings_router],
        messaging=(outbox_table, inbox_table),
        consumers=[
            ConsumerSpec(durable=nodes.NODE_UPSERTED, event=events.NodeUpserted, handler=nodes.on_node_upserted),
            ConsumerSpec(durable=nodes.NODE_DELETED, event=events.NodeDeleted, handler=nodes.on_node_deleted),
            ConsumerSpec(durable=nodes.FIELD_DELETED, event=events.FieldDeleted, handler=nodes.on_field_deleted),
            ConsumerSpec(
                durable=nodes.SUBSCRIPTION_CHANGED,
                event=events.SubscriptionChanged,
                handler=quota.on_subscription_changed,
            ),
        ],
        events=events.PUBLISHED,
        on_startup=create_readings_stream,
        description="Sensor ingestion (seed 004): master nodes post readings with their node token.",
    )


app = create_app()
