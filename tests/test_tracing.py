"""One reading followed across the suite with OpenTelemetry: one connected trace from the
gateway's POST /api/nodes/ingest/ to agro's `ia` task and the webhook delivery.

The services are separate processes, so they export over OTLP/HTTP to a receiver in this test
(a real HTTP server on loopback decoding OTLP protobuf with opentelemetry-proto): the
in-memory exporter of one process, across processes. The suite runs on engines of its own,
started with `OTEL_EXPORTER_OTLP_ENDPOINT` pointing at the receiver.
"""

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from opentelemetry.proto.collector.trace.v1.trace_service_pb2 import (
    ExportTraceServiceRequest,
    ExportTraceServiceResponse,
)
from opentelemetry.proto.trace.v1.trace_pb2 import Span as SpanProto
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

from agro.testing import NewField, NewNode
from auth.testing import Workspace, auth_header
from devstack.catalog import discover
from devstack.pytest_plugin import TEST_ENV, serve_in_thread
from devstack.stack import Stack, StackConfig
from devstack.waiting import eventually


@dataclass(frozen=True)
class Exported:
    service: str
    name: str
    kind: int
    trace_id: str
    span_id: str
    parent_id: str  # "" for a root
    attributes: dict[str, Any]


@dataclass
class Collector:
    """An OTLP/HTTP trace receiver: every span any process exported, decoded."""

    url: str = ""
    spans: list[Exported] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, body: bytes) -> None:
        request = ExportTraceServiceRequest.FromString(body)
        found = []
        for resource_spans in request.resource_spans:
            resource = {a.key: a.value.string_value for a in resource_spans.resource.attributes}
            for scope_spans in resource_spans.scope_spans:
                for span in scope_spans.spans:
                    attributes = {a.key: _value(a.value) for a in span.attributes}
                    found.append(
                        Exported(
                            resource.get("service.name", ""),
                            span.name,
                            span.kind,
                            span.trace_id.hex(),
                            span.span_id.hex(),
                            span.parent_span_id.hex(),
                            attributes,
                        )
                    )
        with self.lock:
            self.spans.extend(found)

    def of_trace(self, trace_id: str) -> list[Exported]:
        with self.lock:
            return [s for s in self.spans if s.trace_id == trace_id]

    async def wait_for(self, what: str, check: Any, seconds: float = 30) -> list[Exported]:
        def found() -> list[Exported]:
            with self.lock:
                return [s for s in self.spans if check(s)]

        return await eventually(found, f"a span {what} exported", seconds=seconds)


def _value(value: Any) -> Any:
    kind = value.WhichOneof("value")
    return getattr(value, kind) if kind else None


@pytest.fixture(scope="module")
def collector() -> Iterator[Collector]:
    state = Collector()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            if self.path != "/v1/traces":
                self.send_response(404)
                self.end_headers()
                return
            state.add(body)
            answer = ExportTraceServiceResponse().SerializeToString()
            self.send_response(200)
            self.send_header("Content-Type", "application/x-protobuf")
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)


@pytest.fixture(scope="module")
def platform_stack(collector: Collector, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    """This module's own suite, exporting its spans to `collector` (what the plugin's
    `gateway`, `workspace`, `new_node`... fixtures then use)."""
    services = discover()
    env = {
        **TEST_ENV,
        "OTEL_EXPORTER_OTLP_ENDPOINT": collector.url,
        "OTEL_BSP_SCHEDULE_DELAY": "100",  # milliseconds: spans arrive soon after they end
    }
    stack = Stack(StackConfig.ephemeral(tmp_path_factory.mktemp("traced"), services, **env), services)
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


@dataclass
class Hooks:
    url: str = ""
    received: list[dict[str, str]] = field(default_factory=list)


@pytest.fixture
def hooks() -> Iterator[Hooks]:
    state = Hooks()

    async def receive(request: Request) -> Response:
        state.received.append(dict(request.headers))
        return Response(status_code=204)

    with serve_in_thread(Starlette(routes=[Route("/{name:path}", receive, methods=["POST"])])) as url:
        state.url = url
        yield state


@pytest.mark.timeout(300)
async def test_a_reading_is_one_trace_from_the_gateway_to_the_ia_task_and_the_webhook_delivery(
    collector: Collector,
    gateway: httpx.AsyncClient,
    workspace: Workspace,
    hooks: Hooks,
    new_field: NewField,
    new_node: NewNode,
    catalogue: dict[str, Any],
) -> None:
    owner = workspace.owner_token
    subscription = {"url": f"{hooks.url}/suggested", "events": ["task.suggested"]}
    created = await gateway.post("/api/webhooks", json=subscription, headers=auth_header(owner))
    assert created.status_code == 201, created.text
    planted = (date.today() - timedelta(days=1)).isoformat()
    field_id = await new_field(workspace.farmer_token, variedad_id=catalogue["variety"], fecha_siembra=planted)
    node = await new_node(owner, field_id)
    dry = [{"nodo_codigo": "N1", "sensores": [{"sensor": "humedad_suelo", "valor": 5, "unidad": "%"}]}]
    body = {"codigo_nodo_maestro": node.codigo, "parcela_id": field_id, "timestamp": datetime.now(UTC).isoformat(),
            "lecturas": dry}  # fmt: skip
    posted = await gateway.post("/api/nodes/ingest/", json=body, headers=node.header)
    assert posted.status_code == 201, posted.text  # read-your-writes: ingest knows the new node at once

    # The gateway started the trace of the post that was accepted.
    [post] = await collector.wait_for(
        "for the gateway's accepted post",
        lambda s: (
            s.service == "gateway"
            and s.kind == SpanProto.SPAN_KIND_SERVER
            and s.name == "POST /api/nodes/ingest/"
            and 201 in (s.attributes.get("http.status_code"), s.attributes.get("http.response.status_code"))
        ),
    )
    assert post.parent_id == ""
    trace_id = post.trace_id
    await eventually(lambda: hooks.received, "a webhook delivery", seconds=20)
    assert hooks.received[0]["traceparent"].split("-")[1] == trace_id  # the receiver can continue it too
    server, consumer, client = SpanProto.SPAN_KIND_SERVER, SpanProto.SPAN_KIND_CONSUMER, SpanProto.SPAN_KIND_CLIENT
    expected = [
        ("ingest", server, "POST /api/nodes/ingest/"),
        ("brain", consumer, "ingest.readings.received process"),
        ("agro", consumer, "brain.task.suggested process"),
        ("webhooks", consumer, "agro.task.suggested process"),
        ("webhooks", SpanProto.SPAN_KIND_INTERNAL, "webhook deliver"),
    ]

    def every_hop_exported() -> bool:
        # Each process exports on its own schedule; the delivery's httpx span ends after the receiver answered.
        # A span is exported when it ends, so a child (a pool's `connect`) can arrive before its
        # parent: wait until every parent has arrived too (one that never does fails the wait).
        spans = collector.of_trace(trace_id)
        ids = {s.span_id for s in spans}
        deliveries = {s.span_id for s in spans if (s.service, s.kind, s.name) == expected[-1]}
        return (
            set(expected) <= {(s.service, s.kind, s.name) for s in spans}
            and any(s.parent_id in deliveries and s.kind == SpanProto.SPAN_KIND_CLIENT for s in spans)
            and all(not s.parent_id or s.parent_id in ids for s in spans)
        )

    await eventually(every_hop_exported, "every hop of the trace exported", seconds=30)
    spans = collector.of_trace(trace_id)
    by_id = {s.span_id: s for s in spans}

    def one(service: str, kind: int, name: str) -> Exported:
        found = [s for s in spans if (s.service, s.kind, s.name) == (service, kind, name)]
        assert found, f"no {service} span {name!r} in the trace; it has {sorted({(s.service, s.name) for s in spans})}"
        return found[0]

    ingest = one("ingest", server, "POST /api/nodes/ingest/")
    stored = one("brain", consumer, "ingest.readings.received process")
    task = one("agro", consumer, "brain.task.suggested process")
    announced = one("webhooks", consumer, "agro.task.suggested process")
    delivery = one("webhooks", SpanProto.SPAN_KIND_INTERNAL, "webhook deliver")
    [sent] = [s for s in spans if s.parent_id == delivery.span_id and s.kind == client]

    def ancestors(span: Exported) -> list[str]:
        chain = []
        while span.parent_id:
            assert span.parent_id in by_id, f"{span.service} {span.name}: parent {span.parent_id} is not in the trace"
            span = by_id[span.parent_id]
            chain.append(span.span_id)
        return chain

    # One tree: every parent is in the trace, and everything goes back to the gateway's span.
    assert [s for s in spans if not s.parent_id] == [post]
    for span in spans:
        assert span is post or ancestors(span)[-1] == post.span_id
    # Each step is caused by the one before it.
    assert post.span_id in ancestors(ingest)
    assert ingest.span_id in ancestors(stored)
    assert stored.span_id in ancestors(task)
    assert task.span_id in ancestors(announced)
    assert task.span_id in ancestors(delivery)
    assert sent.attributes.get("http.request.method", sent.attributes.get("http.method")) == "POST"
    # Database calls are spans of the same trace.
    databases = {s.service for s in spans if s.kind == client and {"db.system", "db.system.name"} & set(s.attributes)}
    assert {"ingest", "brain", "agro", "webhooks"} <= databases
    tasks = await gateway.get("/api/tareas/", params={"origen": "ia"}, headers=auth_header(owner))
    assert [t for t in tasks.json()["results"] if t["parcela"] == field_id]
