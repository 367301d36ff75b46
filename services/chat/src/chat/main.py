from fastapi import FastAPI

from chat import asyncapi, events
from chat.agent import handlers as agents
from chat.agent.endpoints import router as agents_router
from chat.assignment.endpoints import router as assignment_router
from chat.config import settings
from chat.conversation.endpoints import router as chats_router
from chat.erasure.endpoints import router as erasure_router
from chat.guest.endpoints import notification_router as guest_notifications_router
from chat.guest.endpoints import router as guests_router
from chat.guest.recaptcha import Recaptcha
from chat.hub import Hub
from chat.live.endpoints import router as live_router
from chat.message.endpoints import router as messages_router
from chat.models import SCHEMA, inbox_table, outbox_table
from chat.notification.endpoints import router as notifications_router
from chat.retention.endpoints import router as retention_router
from chat.retention.jobs import retention_jobs
from chat.room.endpoints import router as rooms_router
from chat.workspace import handlers as workspace_handlers
from chat.workspace import service as workspaces
from shared.service import ConsumerSpec, create_service_app

CONSUMERS = [
    ConsumerSpec(durable="chat-user-created", event=events.UserCreated, handler=agents.on_user_created),
    ConsumerSpec(durable="chat-user-role", event=events.UserRoleChanged, handler=agents.on_role_changed),
    ConsumerSpec(durable="chat-user-profile", event=events.UserProfileChanged, handler=agents.on_profile_changed),
    ConsumerSpec(durable="chat-user-removed", event=events.UserRemoved, handler=agents.on_user_removed),
    ConsumerSpec(durable="chat-user-restored", event=events.UserRestored, handler=agents.on_user_restored),
    ConsumerSpec(durable=workspaces.UPSERTED, event=events.TenantUpserted,
                 handler=workspace_handlers.on_tenant_upserted),
    ConsumerSpec(durable=workspaces.DEACTIVATED, event=events.TenantDeactivated,
                 handler=workspace_handlers.on_tenant_deactivated),
]  # fmt: skip


async def prepare(app: FastAPI) -> None:
    app.state.hub = Hub(app.state.nats, app.state.js, replay_seconds=settings.replay_seconds,
                        queue_size=settings.client_queue)  # fmt: skip
    await app.state.hub.start()
    app.state.recaptcha = Recaptcha(settings.recaptcha_mode, settings.recaptcha_secret, settings.recaptcha_verify_url,
                                    settings.recaptcha_min_score)  # fmt: skip


async def shutdown(app: FastAPI) -> None:
    await app.state.hub.stop()
    await app.state.recaptcha.aclose()


def create_app() -> FastAPI:
    return create_service_app(
        settings,
        title="chat",
        version="0.1.0",
        schema=SCHEMA,
        routers=[
            guests_router, rooms_router, messages_router, notifications_router, guest_notifications_router,
            agents_router, assignment_router, chats_router, live_router, retention_router, erasure_router,
        ],
        messaging=(outbox_table, inbox_table),
        consumers=CONSUMERS,
        maintenance=retention_jobs(interval_seconds=settings.retention_interval_seconds,
                                   batch_size=settings.maintenance_batch_size),
        events=events.PUBLISHED,
        client_channels=asyncapi.CLIENT_CHANNELS,
        on_startup=prepare,
        on_shutdown=shutdown,
        description="The live support desk (seed 003, and 000's /api/v1/chats/): guests, agents, rooms, "
        "messages, notifications, in real time.",
    )  # fmt: skip


app = create_app()
