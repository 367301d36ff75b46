from fastapi import FastAPI

from agro.catalog.endpoints import router as catalog_router
from agro.config import settings
from agro.events import PUBLISHED, TaskSuggested
from agro.field.endpoints import router as field_router
from agro.models import SCHEMA, inbox_table, outbox_table
from agro.node.endpoints import router as node_router
from agro.plan.endpoints import router as plan_router
from agro.task.endpoints import router as task_router
from agro.task.handlers import on_task_suggested
from shared.service import ConsumerSpec, create_service_app


def create_app() -> FastAPI:
    return create_service_app(
        settings,
        title="agro",
        version="0.1.0",
        schema=SCHEMA,
        routers=[catalog_router, plan_router, field_router, node_router, task_router],
        messaging=(outbox_table, inbox_table),
        consumers=[ConsumerSpec(durable="agro-task-suggested", event=TaskSuggested, handler=on_task_suggested)],
        events=PUBLISHED,
    )


app = create_app()
