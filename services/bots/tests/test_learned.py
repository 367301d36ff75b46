"""002's learned APIs through the gateway: documents fetched through the SSRF guard, their
operations run as tools, in `/api/tools/execute` and by the agent."""

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response
from starlette.routing import Route

from auth.testing import Workspace, auth_header
from bots.testing import LoopbackProvider
from devstack.processes import free_port
from devstack.pytest_plugin import serve_in_thread
from devstack.stack import Stack
from devstack.waiting import eventually

DOCUMENT = {
    "openapi": "3.0.3",
    "info": {"title": "Jira API"},
    "servers": [{"url": "/rest"}],
    "components": {"schemas": {
        "Base": {"type": "object", "properties": {"id": {"type": "integer"}}},
        "Issue": {"allOf": [{"$ref": "#/components/schemas/Base"},
                            {"properties": {"summary": {"type": "string"}}}]},
    }},
    "paths": {
        "/status": {"get": {"operationId": "getStatus", "summary": "Estado del servicio"}},
        "/projects/{project}/issues": {
            "parameters": [{"name": "project", "in": "path", "required": True, "schema": {"type": "string"}}],
            "get": {"operationId": "listIssues", "parameters": [{"name": "limit", "in": "query",
                                                                 "schema": {"type": "integer"}}]},
            "post": {"operationId": "createIssue", "requestBody": {"content": {"application/json": {
                "schema": {"$ref": "#/components/schemas/Issue"}}}}},
        },
    },
}  # fmt: skip


def _operation_with(**fields: Any) -> dict[str, Any]:
    return {"openapi": "3.0.3", "info": {"title": "Rota"}, "servers": [{"url": "https://api.example.com"}],
            "paths": {"/x": {"post": fields}}}  # fmt: skip


def _chained(schemas: int, breadth: int) -> dict[str, Any]:
    """`schemas` schemas of `breadth` properties, every property a `$ref` to the next."""
    found = {f"S{i}": {"type": "object", "properties": {f"property_{j}": {"$ref": f"#/components/schemas/S{i + 1}"}
                                                        for j in range(breadth)}} for i in range(schemas)}  # fmt: skip
    found[f"S{schemas}"] = {"type": "string", "description": "una hoja"}
    return {**_operation_with(requestBody={"content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/S0"}}}}), "components": {"schemas": found}}  # fmt: skip


# Served by URL: what a JSON body sent to the gateway could not even carry.
HOSTILE_BODIES = {
    "deep.json": "[" * 100_000 + "]" * 100_000,
    "nul.json": json.dumps(_operation_with(summary="a\x00b")),  # a JSON \u0000 escape
    "nan.json": json.dumps(
        _operation_with(parameters=[{"name": "a", "in": "query", "schema": {"maximum": float("nan")}}])
    ),
}


@dataclass
class Jira:
    url: str = ""
    seen: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


@pytest.fixture
def jira() -> Iterator[Jira]:
    state = Jira()

    async def document(request: Request) -> Response:
        return JSONResponse(DOCUMENT)

    async def status(request: Request) -> Response:
        with state.lock:
            state.seen.append(("GET", request.url.path, dict(request.headers)))
        return JSONResponse({"status": "ok", "issues_open": 3})

    async def issues(request: Request) -> Response:
        with state.lock:
            state.seen.append(("GET", f"{request.url.path}?{request.url.query}", dict(request.headers)))
        return JSONResponse([{"id": 1, "summary": f"Riego en {request.path_params['project']}"}])

    async def away(request: Request) -> Response:
        return RedirectResponse("http://169.254.169.254/latest/meta-data/", status_code=302)

    async def hostile(request: Request) -> Response:
        return Response(HOSTILE_BODIES[request.path_params["name"]], media_type="application/json")

    app = Starlette(routes=[
        Route("/openapi.json", document), Route("/rest/status", status),
        Route("/rest/projects/{project}/issues", issues), Route("/away.json", away),
        Route("/hostile/{name}", hostile),
    ])  # fmt: skip
    with serve_in_thread(app) as url:
        state.url = url
        yield state


async def learn(gateway: httpx.AsyncClient, token: str, body: dict[str, Any]) -> httpx.Response:
    return await gateway.post("/api/learned-apis", json=body, headers=auth_header(token))


async def test_an_api_is_learned_and_its_operations_run_as_tools(
    gateway: httpx.AsyncClient, workspace: Workspace, jira: Jira
) -> None:
    owner = workspace.owner_token
    secret = "Bearer jira-secret-4f1d"
    learned = await learn(gateway, owner, {"type": "openapi", "source": f"{jira.url}/openapi.json",
                                           "credential": {"header": "Authorization", "value": secret}})  # fmt: skip
    assert learned.status_code == 201, learned.text
    api = learned.json()
    assert (api["name"], api["endpoints"], api["base_url"]) == ("Jira API", 3, f"{jira.url}/rest")
    assert api["id"].startswith("api_")
    listed = await gateway.get("/api/learned-apis", headers=auth_header(owner))
    assert [a["id"] for a in listed.json()["apis"]] == [api["id"]]
    assert secret not in listed.text + learned.text

    tools = {t["name"]: t for t in (await gateway.get("/api/tools", headers=auth_header(owner))).json()["tools"]}
    list_issues = next(name for name in api["tools"] if name.endswith("_listIssues"))
    assert tools[list_issues]["parameters"]["required"] == ["project"]
    assert tools[list_issues]["mutating"] is False
    assert tools[next(n for n in api["tools"] if n.endswith("_createIssue"))]["mutating"] is True

    ran = await gateway.post("/api/tools/execute", json={"tool": list_issues, "parameters": {"project": "AGRO",
                                                                                          "limit": 5}},
                             headers=auth_header(owner))  # fmt: skip
    assert ran.status_code == 200, ran.text
    assert ran.json()["result"] == [{"id": 1, "summary": "Riego en AGRO"}]
    method, path, headers = jira.seen[-1]
    assert (method, path, headers["authorization"]) == ("GET", "/rest/projects/AGRO/issues?limit=5", secret)
    wrong = await gateway.post("/api/tools/execute", json={"tool": list_issues, "parameters": {"limit": 5}},
                               headers=auth_header(owner))  # fmt: skip
    assert wrong.status_code == 400

    # A Swagger 2 document sent inline, with the base URL given.
    swagger = {"swagger": "2.0", "info": {"title": "Petstore"}, "paths": {
        "/pets": {"get": {"operationId": "listPets"}, "post": {"operationId": "addPet"}},
        "/pets/{petId}": {"parameters": [{"name": "petId", "in": "path", "required": True, "type": "integer"}],
                          "get": {"operationId": "getPet"}}}}  # fmt: skip
    inline = await learn(gateway, owner, {"type": "openapi", "source": swagger, "base_url": f"{jira.url}/pets-api"})
    assert inline.status_code == 201, inline.text
    assert (inline.json()["name"], inline.json()["endpoints"]) == ("Petstore", 3)


@pytest.mark.parametrize(
    "source",
    [
        "http://127.0.0.2/openapi.json",  # loopback (tests admit 127.0.0.1 only)
        "http://2130706434/openapi.json",  # the same, as a decimal number
        "http://0x7f000002/openapi.json",  # and in hex
        "http://[::ffff:127.0.0.2]/openapi.json",  # and IPv6-mapped
        "http://10.0.0.1/openapi.json",  # private
        "http://169.254.169.254/latest/meta-data/",  # cloud metadata
        "file:///etc/passwd",
    ],
)
async def test_ssrf_targets_are_refused(gateway: httpx.AsyncClient, workspace: Workspace, source: str) -> None:
    refused = await learn(gateway, workspace.owner_token, {"type": "openapi", "source": source})
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"]["code"] in ("INVALID_REQUEST", "UNSAFE_URL")


async def test_a_redirect_to_a_refused_target_is_refused(
    gateway: httpx.AsyncClient, workspace: Workspace, jira: Jira
) -> None:
    refused = await learn(gateway, workspace.owner_token, {"type": "openapi", "source": f"{jira.url}/away.json"})
    assert refused.status_code == 400, refused.text
    assert "169.254" not in json.dumps(jira.seen)


async def test_the_agent_calls_an_agro_tool_and_a_learned_api_tool_in_one_conversation(
    gateway: httpx.AsyncClient, workspace: Workspace, jira: Jira, provider: LoopbackProvider, integrate: Any
) -> None:
    owner = workspace.owner_token
    await integrate("openai")
    api = (await learn(gateway, owner, {"type": "openapi", "source": f"{jira.url}/openapi.json"})).json()
    status_tool = next(name for name in api["tools"] if name.endswith("_getStatus"))
    bot = (await gateway.post("/bots/", json={"name": "Ops"}, headers=auth_header(owner))).json()
    model = {"provider": "openai", "model_id": "gpt-agent", "task_type": "simple"}
    await gateway.post(f"/bots/{bot['id']}/models/", json=model, headers=auth_header(owner))

    async def ask(message: str, conversation: str | None) -> list[dict[str, Any]]:
        body = {"message": message, "bot_id": bot["id"], "stream": True, "conversation_id": conversation}
        async with gateway.stream("POST", "/api/chat", json={k: v for k, v in body.items() if v is not None},
                                  headers=auth_header(owner)) as r:  # fmt: skip
            return [json.loads(line[5:]) async for line in r.aiter_lines() if line.startswith("data:")]

    first = await ask("usa my_fields", None)
    conversation = first[-1]["conversation_id"]
    second = await ask(f"usa {status_tool}", conversation)
    for events, tool in ((first, "my_fields"), (second, status_tool)):
        kinds = [e["type"] for e in events]
        assert kinds[:3] == ["thinking", "tool_call", "tool_result"], kinds
        assert set(kinds[3:-1]) == {"message"}
        assert kinds[-1] == "done"
        assert events[1]["tool"] == tool
    assert second[2]["result"] == {"status": "ok", "issues_open": 3}
    detail = (await gateway.get(f"/api/conversations/{conversation}", headers=auth_header(owner))).json()
    assert [c["tool"] for m in detail["messages"] for c in m["tool_calls"] or []] == ["my_fields", status_tool]


@pytest.mark.parametrize(
    "document",
    [
        _operation_with(parameters=[{"name": "a", "in": "query", "schema": [{"type": "string"}]}]),
        _operation_with(parameters=[{"name": "a", "in": "query", "schema": "string"}]),
        _operation_with(parameters=[{"name": {"x": 1}, "in": "query"}]),
        _operation_with(parameters=7),
        _operation_with(requestBody={"content": [{"application/json": {"schema": {}}}]}),
        _operation_with(requestBody={"content": {"application/json": {"schema": {"allOf": {"a": 1}}}}}),
        _operation_with(requestBody={"content": {"application/json": {"schema": {"type": "nope"}}}}),
        {"openapi": "3.0.3", "servers": {"url": 5}, "host": ["x"], "paths": {"/x": ["get"]}},
        {"swagger": "2.0", "schemes": {"a": 1}, "host": "api.example.com", "paths": {"@evil.example.com/": {}}},
    ],
)  # fmt: skip
async def test_malformed_documents_are_refused_with_400(
    gateway: httpx.AsyncClient, workspace: Workspace, document: dict[str, Any]
) -> None:
    refused = await learn(gateway, workspace.owner_token, {"type": "openapi", "source": document})
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"]["code"] == "INVALID_API_DOCUMENT"


@pytest.mark.parametrize("name", sorted(HOSTILE_BODIES))
async def test_hostile_documents_fetched_by_url_are_refused_with_400(
    gateway: httpx.AsyncClient, workspace: Workspace, jira: Jira, name: str
) -> None:
    refused = await learn(gateway, workspace.owner_token, {"type": "openapi", "source": f"{jira.url}/hostile/{name}"})
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"]["code"] == "INVALID_API_DOCUMENT"


async def test_references_that_multiply_a_small_document_are_refused(
    gateway: httpx.AsyncClient, workspace: Workspace, jira: Jira
) -> None:
    owner = workspace.owner_token
    bomb = _chained(4, 10)
    assert len(json.dumps(bomb)) < 3000
    refused = await learn(gateway, owner, {"type": "openapi", "source": bomb})
    assert refused.status_code == 400, refused.text
    assert refused.json()["error"]["code"] == "API_DOCUMENT_TOO_LARGE"
    assert "POST /x" in refused.json()["error"]["message"]
    assert (await gateway.get("/api/learned-apis", headers=auth_header(owner))).json() == {"apis": []}
    # The same shape, narrow, is learned whole.
    narrow = await learn(gateway, owner, {"type": "openapi", "source": _chained(3, 2), "base_url": jira.url})
    assert narrow.status_code == 201, narrow.text


async def test_a_learned_api_changed_on_one_replica_reaches_the_turns_of_another(
    gateway: httpx.AsyncClient, workspace: Workspace, jira: Jira, integrate: Any, platform_stack: Stack
) -> None:
    """Each replica keeps a workspace's tools between turns; learning or forgetting an API on one
    replica reaches the turns of the others through `bots.api.learned` / `bots.api.forgotten`."""
    owner = workspace.owner_token
    await integrate("openai")
    bot = (await gateway.post("/bots/", json={"name": "Ops"}, headers=auth_header(owner))).json()
    model = {"provider": "openai", "model_id": "gpt-agent", "task_type": "simple"}
    await gateway.post(f"/bots/{bot['id']}/models/", json=model, headers=auth_header(owner))
    port = free_port()
    platform_stack.processes["bots-2"] = platform_stack.spawn_service("bots", port, log_name="bots-2")
    try:
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30) as other:

            async def ready() -> bool:
                try:
                    return (await other.get("/readyz")).status_code == 200
                except httpx.HTTPError:
                    return False

            async def called_on_other(message: str) -> list[str]:
                """The tools the agent called in a turn on the second replica."""
                body = {"message": message, "bot_id": bot["id"], "stream": True}
                async with other.stream("POST", "/api/chat", json=body, headers=auth_header(owner)) as response:
                    assert response.status_code == 200, await response.aread()
                    seen = [json.loads(line[5:]) async for line in response.aiter_lines() if line.startswith("data:")]
                assert seen[-1]["type"] == "done", seen
                return [event["tool"] for event in seen if event["type"] == "tool_call"]

            await eventually(ready, "the second replica is ready", seconds=60)
            # The second replica reads and keeps the workspace's tools: none learned yet.
            assert await called_on_other("usa my_fields") == ["my_fields"]
            api = (await learn(gateway, owner, {"type": "openapi", "source": f"{jira.url}/openapi.json"})).json()
            status_tool = next(name for name in api["tools"] if name.endswith("_getStatus"))

            async def offered() -> bool:
                return await called_on_other(f"usa {status_tool}") == [status_tool]

            await eventually(offered, "the second replica offers the API learned on the first")
            forgotten = await gateway.delete(f"/api/learned-apis/{api['id']}", headers=auth_header(owner))
            assert forgotten.status_code == 204, forgotten.text

            async def withdrawn() -> bool:
                return await called_on_other(f"usa {status_tool}") == []

            await eventually(withdrawn, "the second replica stops offering the API forgotten on the first")
    finally:
        platform_stack.stop_service("bots-2")
