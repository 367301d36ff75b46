"""The gateway in front of the real services (its own process, as `make run` starts it)."""

import json
import re
import time

import httpx
import pytest

from devstack.stack import Stack


async def test_root_answers_the_welcome_message(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/")
    assert response.status_code == 200
    assert "Bienvenido" in response.json()["message"]


@pytest.mark.parametrize("path", ["/api/docs/", "/api/redoc/"])
async def test_docs_render_from_local_assets(gateway: httpx.AsyncClient, path: str) -> None:
    page = await gateway.get(path)
    assert page.status_code == 200
    assert "/api/schema/" in page.text
    assert "cdn" not in page.text.lower()
    asset = "/api/static/swagger-ui-bundle.js" if "docs" in path else "/api/static/redoc.standalone.js"
    assert asset in page.text
    served = await gateway.get(asset)
    assert served.status_code == 200
    assert len(served.content) > 100_000


@pytest.mark.parametrize("path", ["/api/docs", "/api/redoc"])
async def test_docs_without_the_slash_redirect_to_the_page(gateway: httpx.AsyncClient, path: str) -> None:
    response = await gateway.get(path)
    assert response.status_code == 307
    assert response.headers["location"] == path + "/"


async def test_schema_bounds_are_integers_and_credentials_have_their_schemes(gateway: httpx.AsyncClient) -> None:
    text = (await gateway.get("/api/schema/")).text
    assert "e+18" not in text, "integer bounds printed as floats"
    assert '"maximum":9223372036854775807' in text.replace(" ", "")
    schema = json.loads(text)
    schemes = schema["components"]["securitySchemes"]
    assert schemes["Bearer"]["type"] == "http"
    assert schemes["Bearer"]["scheme"] == "bearer"
    assert schemes["Node"] == {**schemes["Node"], "type": "apiKey", "in": "header", "name": "Authorization"}
    assert "Node <" in schemes["Node"]["description"]
    ingest = schema["paths"]["/api/nodes/ingest/"]["post"]
    assert ingest["security"] == [{"Node": []}]
    assert not [p for p in ingest.get("parameters", []) if p["name"].lower() == "authorization"]
    assert schema["paths"]["/api/parcelas/"]["get"]["security"] == [{"Bearer": []}]


async def test_schema_merges_the_routed_paths_of_every_service(gateway: httpx.AsyncClient) -> None:
    schema = (await gateway.get("/api/schema/")).json()
    assert schema["openapi"].startswith("3.")
    for path in ("/token", "/users/", "/api/auth/login", "/api/auth/login/", "/auth/login/", "/auth/me/"):
        assert path in schema["paths"], path
    # The gateway's own pages are documented; the services' health and metrics pages are not.
    assert schema["paths"]["/healthz"]["get"]["operationId"] == "check_gateway_health"
    assert schema["paths"]["/"]["get"]["operationId"] == "get_welcome"
    assert not {"/readyz", "/metrics", "/api/docs/", "/api/docs"} & set(schema["paths"])
    assert "/api/parcelas/" in schema["paths"], "agro's paths are merged too"
    # Every reference resolves, so Swagger UI and ReDoc render the whole document.
    refs = set(re.findall(r"'\$ref': '#/components/schemas/([^']+)'", str(schema)))
    assert refs
    assert refs <= set(schema["components"]["schemas"])


async def test_request_id_is_echoed_and_forwarded(gateway: httpx.AsyncClient, platform_stack: Stack) -> None:
    response = await gateway.post(
        "/api/auth/login", json={"username": "nobody", "password": "x"}, headers={"X-Request-ID": "trace-me-123"}
    )
    assert response.headers["X-Request-ID"] == "trace-me-123"
    time.sleep(0.2)
    assert "trace-me-123" in platform_stack.log_path("auth").read_text()


async def test_a_request_id_is_made_when_missing(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/")
    assert len(response.headers["X-Request-ID"]) >= 16


async def test_every_proxied_answer_carries_rate_limit_headers(gateway: httpx.AsyncClient) -> None:
    first = await gateway.get("/.well-known/jwks.json")
    second = await gateway.get("/.well-known/jwks.json")
    assert first.headers["X-RateLimit-Limit"]
    assert int(second.headers["X-RateLimit-Remaining"]) < int(first.headers["X-RateLimit-Remaining"])
    assert int(first.headers["X-RateLimit-Reset"]) > time.time()


async def test_protected_route_without_token_is_401_in_its_seed_shape(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/auth/me/")
    assert response.status_code == 401
    assert "detail" in response.json()
    desk = await gateway.post("/api/auth/logout/")
    assert desk.status_code == 401
    assert isinstance(desk.json()["error"], str)


async def test_garbage_token_is_refused_at_the_gateway(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/auth/me/", headers={"Authorization": "Bearer not.a.jwt"})
    assert response.status_code == 401


async def test_unknown_path_is_404(gateway: httpx.AsyncClient) -> None:
    response = await gateway.get("/no/such/thing")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "NOT_FOUND"


async def test_every_service_is_healthy_and_ready(platform_stack: Stack) -> None:
    async with httpx.AsyncClient() as client:
        for spec in platform_stack.services:
            for probe in ("/healthz", "/readyz"):
                response = await client.get(platform_stack.admin_url(spec.name) + probe)
                assert response.status_code == 200, (spec.name, probe, response.text)
            # The servers' versions and features (shared.requirements), checked by every process.
            checks = (await client.get(platform_stack.admin_url(spec.name) + "/readyz")).json()["checks"]
            if spec.name != "console":  # the console talks to the gateway only
                assert checks["nats_server"] == "ok", (spec.name, checks)
            if spec.schema is not None:  # the gateway and the console have no database
                assert checks["postgresql_server"] == "ok", (spec.name, checks)
            metrics = await client.get(platform_stack.admin_url(spec.name) + "/metrics")
            assert "http_requests_total" in metrics.text


async def test_the_gateways_readiness_and_metrics_are_not_on_the_public_port(
    gateway: httpx.AsyncClient, platform_stack: Stack
) -> None:
    # The public port is the internet's: what the gateway's metrics say (routes, upstreams,
    # error rates) is the operator's. Prometheus and the kubelet use the admin port.
    for path in ("/readyz", "/metrics"):
        response = await gateway.get(path)
        assert response.status_code == 404, (path, response.text)
        assert "http_requests_total" not in response.text
    assert (await gateway.get("/healthz")).status_code == 200
    async with httpx.AsyncClient(base_url=platform_stack.admin_url("gateway")) as admin:
        assert (await admin.get("/readyz")).json()["checks"]["nats"] is True
        assert "http_requests_total" in (await admin.get("/metrics")).text


async def test_dead_upstream_is_503_fast_and_heals_without_restarting_the_gateway(
    gateway: httpx.AsyncClient, platform_stack: Stack
) -> None:
    gateway_pid = platform_stack.processes["gateway"].pid
    platform_stack.stop_service("auth", kill=True)
    try:
        started = time.monotonic()
        response = await gateway.post("/api/auth/login", json={"username": "a", "password": "b"})
        assert response.status_code == 503
        assert response.json()["error"]["code"] == "SERVICE_UNAVAILABLE"
        assert time.monotonic() - started < 3
        assert (await gateway.get("/")).status_code == 200
        assert (await gateway.get("/api/docs/")).status_code == 200
    finally:
        platform_stack.start_service("auth")
        platform_stack.wait_healthy("auth")
    healed = await gateway.post("/api/auth/login", json={"username": "a", "password": "b"})
    assert healed.status_code == 401
    assert platform_stack.processes["gateway"].pid == gateway_pid


async def test_cors_preflight_and_exposed_headers(gateway: httpx.AsyncClient) -> None:
    preflight = await gateway.options(
        "/api/auth/login",
        headers={"Origin": "https://app.example.com", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "content-type,authorization"},
    )  # fmt: skip
    assert preflight.status_code == 200
    assert preflight.headers["access-control-allow-origin"] in ("*", "https://app.example.com")
    answer = await gateway.get("/.well-known/jwks.json", headers={"Origin": "https://app.example.com"})
    exposed = answer.headers["access-control-expose-headers"]
    assert "X-RateLimit-Remaining" in exposed
    assert "X-Request-ID" in exposed


async def test_asyncapi_lists_every_published_subject_with_its_payload(gateway: httpx.AsyncClient) -> None:
    document = (await gateway.get("/api/asyncapi/")).json()
    assert document["asyncapi"] == "3.0.0"
    addresses = {channel["address"] for channel in document["channels"].values()}
    assert {"auth.token.revoked", "auth.tenant.deactivated", "auth.user.created"} <= addresses
    assert {"agro.field.upserted", "agro.node.deleted", "agro.subscription.changed", "agro.rule.upserted"} <= addresses
    schemas = document["components"]["schemas"]
    assert "etapa_actual_id" not in schemas["FieldUpserted"]["properties"], "no value that ages by itself"
    refs = set(re.findall(r"#/components/(?:schemas|messages)/([A-Za-z_]+)", str(document)))
    assert refs <= set(schemas) | set(document["components"]["messages"])
    for name, operation in document["operations"].items():
        # The services send on their subjects; they receive only a client socket's frames.
        assert operation["action"] == "send" or name.startswith("receive_client_")
