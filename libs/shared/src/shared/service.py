"""`create_service_app`: the lifespan every service shares (database, NATS, relay, consumers)."""

import asyncio
import contextlib
import dataclasses
import logging
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from sqlalchemy import Table

from shared.config import BaseServiceSettings
from shared.db import create_engine, create_sessionmaker
from shared.dead_letters import dead_letter_router
from shared.errors import install_error_handlers
from shared.events import (
    BatchConsumer,
    BatchHandler,
    CatchUp,
    DurableConsumer,
    Event,
    EventConsumer,
    EventHandler,
    OutboxRelay,
    asyncapi_document,
    catch_up,
    connect_nats,
)
from shared.events.asyncapi_clients import ClientChannel
from shared.events.retention import messaging_jobs
from shared.events.streams import configure_streams
from shared.health import router as health_router
from shared.maintenance import MaintenanceJob, MaintenanceRunner
from shared.observability import ObservabilityMiddleware, configure_logging, keep_alive_after_errors
from shared.observability.tracing import configure_tracing, instrument_engine, trace_app
from shared.openapi import operation_id, serve_integer_bounds
from shared.requirements import Requirements
from shared.routes import seed_style
from shared.security import start_token_verifier

__all__ = ["BatchConsumerSpec", "CatchUp", "ConsumerSpec", "Worker", "create_service_app", "read_model_catch_up"]

logger = logging.getLogger(__name__)

StartupHook = Callable[[FastAPI], Awaitable[None]]
# A loop that runs for the app's lifetime (a periodic sweep); cancelled at shutdown.
Worker = Callable[[FastAPI], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class ConsumerSpec:
    durable: str
    event: type[Event]
    handler: EventHandler


@dataclass(frozen=True)
class BatchConsumerSpec:
    """A high-volume subject stored a batch per transaction (see `shared.events.batch`)."""

    durable: str
    event: type[Event]
    handler: BatchHandler
    batch_size: int = 500
    typed_only: bool = False  # see `BatchConsumer`: for a handler that reads the typed event only


def create_service_app(
    settings: BaseServiceSettings,
    *,
    title: str,
    version: str,
    schema: str,
    routers: Sequence[APIRouter],
    messaging: tuple[Table, Table] | None = None,
    consumers: Sequence[ConsumerSpec] = (),
    batch_consumers: Sequence[BatchConsumerSpec] = (),
    workers: Sequence[Worker] = (),
    maintenance: Sequence[MaintenanceJob] = (),
    events: Sequence[type[Event]] = (),
    client_channels: Sequence[ClientChannel] = (),
    on_startup: StartupHook | None = None,
    on_shutdown: StartupHook | None = None,
    description: str = "",
) -> FastAPI:
    """A FastAPI app wired the shared way.

    `app.state` then holds `engine`, `sessionmaker`, `nats`, `js` and `verifier`.
    `messaging` is the service's (outbox, inbox) pair; with it the outbox relay runs.
    `events` are the models of the subjects it publishes, served as AsyncAPI at /asyncapi.json,
    with `client_channels`: its WebSockets' frames and its webhook deliveries, as clients see them.
    `app.state.consumers` maps each durable name to its consumer (see `read_model_catch_up`).
    `maintenance` are the service's scheduled jobs (`shared.maintenance`); with `messaging`, the
    outbox and inbox clean-up jobs are added. They run unless `maintenance_enabled` is off, each
    every `maintenance_interval_seconds` or its own `maintenance_intervals[name]`.
    """

    @contextlib.asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        configure_streams(settings.stream_replicas, dead_letter_max_age_seconds=settings.dead_letter_retention_seconds)
        engine = create_engine(settings.database_url, schema=schema, pool_size=settings.database_pool_size)
        instrument_engine(engine)  # nothing unless tracing
        app.state.engine = engine
        app.state.sessionmaker = create_sessionmaker(engine)
        nc = await connect_nats(settings.nats_url, name=settings.service_name)
        app.state.nats = nc
        app.state.js = nc.jetstream()
        app.state.requirements = Requirements(nats=nc, engine=engine)
        await app.state.requirements.report()  # logs what falls short; /readyz asks again
        app.state.verifier = await start_token_verifier(app.state.js, settings)
        tasks: list[asyncio.Task[None]] = []
        app.state.consumers = {}
        if messaging is not None:
            outbox, inbox = messaging
            relay = OutboxRelay(app.state.sessionmaker, outbox, app.state.js, poll_seconds=settings.outbox_poll_seconds)
            tasks.append(asyncio.create_task(relay.run(), name="outbox-relay"))
            for spec in consumers:
                consumer = EventConsumer(
                    app.state.js,
                    app.state.sessionmaker,
                    inbox,
                    durable=spec.durable,
                    event=spec.event,
                    handler=spec.handler,
                )
                await consumer.start()
                app.state.consumers[spec.durable] = consumer
                tasks.append(asyncio.create_task(consumer.run(), name=f"consumer-{spec.durable}"))
            for batch in batch_consumers:
                bulk = BatchConsumer(
                    app.state.js,
                    app.state.sessionmaker,
                    durable=batch.durable,
                    event=batch.event,
                    handler=batch.handler,
                    batch_size=batch.batch_size,
                    typed_only=batch.typed_only,
                )
                await bulk.start()
                app.state.consumers[batch.durable] = bulk
                tasks.append(asyncio.create_task(bulk.run(), name=f"consumer-{batch.durable}"))
        scheduled = _scheduled(settings, maintenance, messaging)
        if settings.maintenance_enabled and scheduled:
            app.state.maintenance = MaintenanceRunner(engine, app.state.sessionmaker, scheduled, service=schema)
            tasks.append(asyncio.create_task(app.state.maintenance.run(), name="maintenance"))
        if on_startup is not None:
            await on_startup(app)
        tasks.extend(asyncio.create_task(worker(app), name=getattr(worker, "__name__", "worker")) for worker in workers)
        logger.info("started", extra={"version": version})
        try:
            yield
        finally:
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
            if on_shutdown is not None:
                await on_shutdown(app)
            await app.state.verifier.aclose()
            await nc.drain()
            await engine.dispose()

    # Now, at import: uvicorn has set up its own logging by then, and every line after is JSON.
    configure_logging(settings.service_name, settings.log_level)
    configure_tracing(settings.service_name, version)  # on only with OTEL_EXPORTER_OTLP_ENDPOINT
    app = FastAPI(
        title=title,
        version=version,
        description=description,
        lifespan=lifespan,
        generate_unique_id_function=operation_id,
    )
    install_error_handlers(app, seed_style)  # each path in its seed's shape, from the one route table
    serve_integer_bounds(app)
    app.add_middleware(ObservabilityMiddleware, service=settings.service_name)
    trace_app(app)  # the server span, outside the access log line so that it carries its ids
    app.include_router(health_router)
    catalogue = asyncapi_document(title, version, events, client_channels)

    @app.get("/asyncapi.json", include_in_schema=False)
    async def asyncapi() -> dict[str, Any]:
        return catalogue

    for router in routers:
        app.include_router(router)
    if consumers or batch_consumers:  # their dead letters, for platform admins (`shared.dead_letters`)
        app.include_router(dead_letter_router(schema))
    keep_alive_after_errors(app)
    return app


def _scheduled(
    settings: BaseServiceSettings, jobs: Sequence[MaintenanceJob], messaging: tuple[Table, Table] | None
) -> list[MaintenanceJob]:
    """The service's jobs and, with an outbox and inbox, their clean-up; intervals from settings."""
    scheduled = list(jobs)
    if messaging is not None:
        scheduled += messaging_jobs(
            *messaging,
            interval_seconds=settings.maintenance_interval_seconds,
            outbox_retention_seconds=settings.outbox_retention_seconds,
            inbox_retention_seconds=settings.inbox_retention_seconds,
            batch_size=settings.maintenance_batch_size,
        )
    return [
        dataclasses.replace(job, interval_seconds=settings.maintenance_intervals.get(job.name, job.interval_seconds))
        for job in scheduled
    ]


def read_model_catch_up(*durables: str, timeout: float = 1.0) -> Callable[[Request], Awaitable[CatchUp]]:
    """A dependency giving the request a `CatchUp` for the read models these durable consumers
    keep: for a lookup that missed, before it answers "no" (see the Events section of
    docs/architecture.md). Calling it is the only cost; the dependency itself sends nothing.

        WorkspacesCaughtUp = Annotated[CatchUp, Depends(read_model_catch_up("chat-workspace-upserted"))]

    `await caught_up()` returns once each consumer has acked everything its stream held at the
    call (True), or after `timeout` (False); it never raises for NATS trouble.
    """

    # Async although it awaits nothing: FastAPI runs a plain `def` dependency in its thread pool.
    async def dependency(request: Request) -> CatchUp:
        async def caught_up() -> bool:
            consumers: dict[str, DurableConsumer] = request.app.state.consumers
            return await catch_up([consumers[durable] for durable in durables], timeout=timeout)

        return caught_up

    return dependency
