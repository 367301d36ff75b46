import httpx
from fastapi import FastAPI

from bots import asyncapi, events
from bots.agent.endpoints import router as agents_router
from bots.config import settings
from bots.conversation.endpoints import router as conversations_router
from bots.integration.endpoints import router as integrations_router
from bots.knowledge.embeddings import HAS_VECTORS, Embedder
from bots.knowledge.endpoints import documents as documents_router
from bots.knowledge.endpoints import knowledge as knowledge_router
from bots.learned.endpoints import router as learned_router
from bots.learned.service import Outbound
from bots.maintenance import lease_renewer, maintenance_jobs
from bots.models import SCHEMA, inbox_table, outbox_table
from bots.provider.registry import Providers, platform_providers
from bots.tool.endpoints import router as tools_router
from bots.toolbox.endpoints import router as toolbox_router
from bots.turn.answer import Answerer
from bots.turn.endpoints import router as chat_router
from bots.turn.live import Turns
from bots.workspace.endpoints import router as workspace_router
from shared.crypto import SecretCipher
from shared.outbound import OutboundPolicy
from shared.service import create_service_app


async def prepare(app: FastAPI) -> None:
    app.state.secret_cipher = SecretCipher(
        settings.secret_encryption_key, purpose=b"provider-api-key", setting="BOTS_SECRET_ENCRYPTION_KEY"
    )
    app.state.outbound_policy = OutboundPolicy(
        allowed_networks=settings.outbound_allowed_networks,
        timeout_seconds=settings.provider_timeout_seconds,
        setting="BOTS_OUTBOUND_ALLOWED_NETWORKS",
    )
    providers = Providers(
        app.state.secret_cipher, app.state.outbound_policy,
        timeout=settings.provider_timeout_seconds, max_retries=settings.provider_max_retries,
        platform=platform_providers(settings),
    )  # fmt: skip
    turns = Turns(
        app.state.nats, app.state.js,
        replay_seconds=settings.replay_seconds, abandon_after_seconds=settings.abandon_after_seconds,
    )  # fmt: skip
    await turns.prepare()
    app.state.platform = httpx.AsyncClient(base_url=settings.platform_url, timeout=30)
    app.state.outbound = Outbound(app.state.outbound_policy, httpx.AsyncHTTPTransport(), app.state.secret_cipher)
    async with app.state.sessionmaker() as session:
        vectors = bool(await session.scalar(HAS_VECTORS))
    app.state.embedder = Embedder(providers, enabled=vectors)
    app.state.answerer = Answerer(
        app.state.sessionmaker, providers, turns, platform=app.state.platform, outbound=app.state.outbound,
        embedder=app.state.embedder, max_steps=settings.agent_max_steps,
    )  # fmt: skip
    await app.state.answerer.catalogue.follow(app.state.nats, app.state.js)


async def shutdown(app: FastAPI) -> None:
    await app.state.answerer.catalogue.aclose()
    await app.state.answerer.turns.aclose()
    await app.state.answerer.providers.aclose()
    await app.state.platform.aclose()
    await app.state.outbound.transport.aclose()


def create_app() -> FastAPI:
    return create_service_app(
        settings,
        title="bots",
        version="0.1.0",
        schema=SCHEMA,
        routers=[
            toolbox_router,
            conversations_router,
            chat_router,
            tools_router,
            learned_router,
            knowledge_router,
            documents_router,
            agents_router,
            integrations_router,
            workspace_router,
        ],
        messaging=(outbox_table, inbox_table),
        workers=[lease_renewer(settings.streaming_lease_seconds)],
        maintenance=maintenance_jobs(
            lease_seconds=settings.streaming_lease_seconds, usage_retention_days=settings.usage_retention_days
        ),
        events=events.PUBLISHED,
        client_channels=asyncapi.CLIENT_CHANNELS,
        on_startup=prepare,
        on_shutdown=shutdown,
        description="Bots and AI chat (seeds 001, 002, 004): providers, model toolboxes with fallback, "
        "streamed and resumable answers.",
    )


app = create_app()
