from fastapi import FastAPI

from ingest import events
from ingest.config import settings
from ingest.models import SCHEMA, inbox_table, outbox_table
from ingest.node import handlers as node_handlers
from ingest.node.cache import CredentialCache
from ingest.node.service import NodeCredential
from ingest.quota import handlers as quota_handlers
from ingest.reading.endpoints import router as reading_router
from shared.events import ensure_stream
from shared.service import ConsumerSpec, create_service_app


async def start(app: FastAPI) -> None:
    await ensure_stream(app.state.js, events.ReadingsReceived.subject)
    app.state.credentials = CredentialCache[NodeCredential]()


async def follow_credential_changes(app: FastAPI) -> None:
    await app.state.credentials.follow(app.state.engine.url)


def create_app() -> FastAPI:
    return create_service_app(
        settings,
        title="ingest",
        version="0.1.0",
        schema=SCHEMA,
        routers=[reading_router],
        messaging=(outbox_table, inbox_table),
        consumers=[
            ConsumerSpec(
                durable=node_handlers.NODE_UPSERTED, event=events.NodeUpserted, handler=node_handlers.on_node_upserted
            ),
            ConsumerSpec(
                durable=node_handlers.NODE_DELETED, event=events.NodeDeleted, handler=node_handlers.on_node_deleted
            ),
            ConsumerSpec(
                durable=node_handlers.FIELD_DELETED, event=events.FieldDeleted, handler=node_handlers.on_field_deleted
            ),
            ConsumerSpec(
                durable=quota_handlers.SUBSCRIPTION_CHANGED,
                event=events.SubscriptionChanged,
                handler=quota_handlers.on_subscription_changed,
            ),
        ],
        events=events.PUBLISHED,
        workers=[follow_credential_changes],
        on_startup=start,
        description="Sensor ingestion (seed 004): master nodes post readings with their node token.",
    )


app = create_app()
