"""OpenTelemetry traces: one request followed through the gateway, the services and their events.

Off unless `OTEL_EXPORTER_OTLP_ENDPOINT` (or `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) is set. Off,
nothing of the SDK is imported or installed: the API's no-op tracer answers, no ASGI, httpx or
SQLAlchemy instrumentation wraps anything, and every helper here returns at its first line.
On, `configure_tracing` installs the SDK's tracer provider with a batching OTLP/HTTP exporter
(the standard `OTEL_*` variables tune both: `OTEL_BSP_SCHEDULE_DELAY`, `OTEL_TRACES_SAMPLER`,
`OTEL_EXPORTER_OTLP_HEADERS`...), and the maintained instrumentations: a server span per HTTP
request (W3C `traceparent` continued), a client span per httpx call (`traceparent` sent on), a
span per SQL statement.

NATS has no maintained instrumentation that fits (see docs/architecture.md, Tracing): the
context is carried by hand. An event's envelope keeps the `traceparent` current when it was
written (the outbox row, possibly published much later by the relay, holds it), the publisher
sends it as a NATS header, and a consumer continues it in a CONSUMER span.
"""

import contextlib
import os
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, Protocol

from opentelemetry import context as otel_context
from opentelemetry import propagate, trace
from opentelemetry.trace import Link, SpanKind
from opentelemetry.util.types import AttributeValue
from starlette.applications import Starlette
from starlette.types import ASGIApp

__all__ = [
    "batch_span",
    "configure_tracing",
    "consumer_span",
    "continued_span",
    "current_traceparent",
    "instrument_engine",
    "log_ids",
    "name_server_span",
    "trace_app",
    "trace_headers",
    "traced_app",
    "tracing_enabled",
]

_ENDPOINT_VARIABLES = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
_QUIET_PATHS = "healthz,readyz,metrics"  # probes and scrapes make no trace

_enabled = False
_tracer: trace.Tracer = trace.NoOpTracer()


def tracing_enabled() -> bool:
    return _enabled


def configure_tracing(service_name: str, version: str = "") -> bool:
    """Install the SDK's tracer provider, the OTLP exporter and the instrumentations of httpx,
    once per process, when an OTLP endpoint is configured; True when tracing is on."""
    global _enabled, _tracer
    if _enabled:
        return True
    if not any(os.environ.get(name) for name in _ENDPOINT_VARIABLES) or _sdk_disabled():
        return False
    # Imported here: a process that does not trace never loads the SDK.
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.instrumentation.httpx import HTTPXClientInstrumentor
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    attributes = {"service.name": service_name}
    if version:
        attributes["service.version"] = version
    provider = TracerProvider(resource=Resource.create(attributes))  # sampler: OTEL_TRACES_SAMPLER
    provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter()))  # flushed at exit
    trace.set_tracer_provider(provider)
    HTTPXClientInstrumentor().instrument(tracer_provider=provider)
    _tracer = provider.get_tracer("shared.events")
    _enabled = True
    return True


def _sdk_disabled() -> bool:
    return os.environ.get("OTEL_SDK_DISABLED", "").strip().lower() == "true"


def traced_app(app: ASGIApp) -> ASGIApp:
    """`app` inside a server span per HTTP request and WebSocket (continuing an incoming
    `traceparent`) when tracing is on; `app` itself otherwise."""
    if not _enabled:
        return app
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    # No spans for each ASGI receive/send message: one per request is what is read.
    traced: ASGIApp = OpenTelemetryMiddleware(app, excluded_urls=_QUIET_PATHS, exclude_spans=["receive", "send"])
    return traced


def trace_app(app: Starlette) -> None:
    """`traced_app` for a Starlette (FastAPI) app: the server span outside its own middleware."""
    if not _enabled:
        return
    from opentelemetry.instrumentation.asgi import OpenTelemetryMiddleware

    app.add_middleware(OpenTelemetryMiddleware, excluded_urls=_QUIET_PATHS, exclude_spans=["receive", "send"])


def instrument_engine(engine: Any) -> None:
    """A span per statement of `engine` (an AsyncEngine) when tracing is on."""
    if not _enabled:
        return
    from opentelemetry.instrumentation.sqlalchemy import SQLAlchemyInstrumentor

    instrumentor = SQLAlchemyInstrumentor()
    if instrumentor.is_instrumented_by_opentelemetry:  # a second app in one process (tests)
        instrumentor.uninstrument()
    # Its metadata says SQLAlchemy < 2.1 (we run 2.1): the engine events it listens to are the
    # same, and tests/test_tracing.py checks that statements are spans.
    instrumentor.instrument(engine=engine.sync_engine, skip_dep_check=True)


def name_server_span(method: str, route: str) -> None:
    """Name the current server span after the route's template (`GET /api/parcelas/{id}/`):
    the ASGI middleware only knows the raw path when it starts the span."""
    if not _enabled:
        return
    span = trace.get_current_span()
    if span.is_recording():
        span.update_name(f"{method} {route}")
        span.set_attribute("http.route", route)


def log_ids() -> tuple[str, str] | None:
    """(trace_id, span_id) in hex of the current span, for log lines; None when none is active."""
    if not _enabled:
        return None
    context = trace.get_current_span().get_span_context()
    if not context.is_valid:
        return None
    return format(context.trace_id, "032x"), format(context.span_id, "016x")


def current_traceparent() -> str | None:
    """The W3C `traceparent` of the current span, to keep with an event; None when not tracing."""
    if not _enabled:
        return None
    carrier: dict[str, str] = {}
    propagate.inject(carrier)
    return carrier.get("traceparent")


def trace_headers(traceparent: str | None) -> dict[str, str]:
    """The NATS headers that carry an event's trace context (none when it has none)."""
    return {"traceparent": traceparent} if traceparent else {}


class _Traced(Protocol):
    """An event's envelope, as far as tracing reads it."""

    @property
    def id(self) -> Any: ...

    @property
    def traceparent(self) -> str | None: ...


def _context_of(headers: Mapping[str, str] | None, traceparent: str | None) -> otel_context.Context:
    """The producer's context: from the message's headers, else from its envelope."""
    carrier = headers if headers and "traceparent" in headers else trace_headers(traceparent)
    return propagate.extract(carrier)


def _messaging(subject: str, durable: str) -> dict[str, AttributeValue]:
    return {
        "messaging.system": "nats",
        "messaging.operation.type": "process",
        "messaging.destination.name": subject,
        "messaging.consumer.group.name": durable,
    }


@contextlib.contextmanager
def continued_span(
    name: str,
    traceparent: str | None,
    *,
    kind: SpanKind = SpanKind.INTERNAL,
    attributes: Mapping[str, AttributeValue] | None = None,
) -> Iterator[None]:
    """A span continuing a stored `traceparent` (a root span when there is none), for work done
    later than the request that caused it: a webhook delivery's attempt."""
    if not _enabled:
        yield
        return
    with _tracer.start_as_current_span(name, context=_context_of(None, traceparent), kind=kind, attributes=attributes):
        yield


@contextlib.contextmanager
def consumer_span(subject: str, durable: str, headers: Mapping[str, str] | None, envelope: _Traced) -> Iterator[None]:
    """A CONSUMER span, child of the producer's context, around handling one message."""
    if not _enabled:
        yield
        return
    attributes = {**_messaging(subject, durable), "messaging.message.id": str(envelope.id)}
    with _tracer.start_as_current_span(
        f"{subject} process",
        context=_context_of(headers, envelope.traceparent),
        kind=SpanKind.CONSUMER,
        attributes=attributes,
    ):
        yield


@contextlib.contextmanager
def batch_span(
    subject: str, durable: str, messages: Sequence[tuple[Mapping[str, str] | None, _Traced]]
) -> Iterator[None]:
    """A CONSUMER span around storing a fetched batch, linked to every message's context.

    A span has one parent: the first traced message's context, so a post's trace goes on through
    the batch that stored it (and through the events that batch emits); the other messages'
    traces reach it by their links.
    """
    if not _enabled:
        yield
        return
    found = [trace.get_current_span(_context_of(h, e.traceparent)).get_span_context() for h, e in messages]
    traced = [c for c in found if c.is_valid]
    parent = trace.set_span_in_context(trace.NonRecordingSpan(traced[0])) if traced else otel_context.Context()
    attributes = {**_messaging(subject, durable), "messaging.batch.message_count": len(messages)}
    with _tracer.start_as_current_span(
        f"{subject} process",
        context=parent,
        kind=SpanKind.CONSUMER,
        links=[Link(c) for c in traced],
        attributes=attributes,
    ):
        yield
