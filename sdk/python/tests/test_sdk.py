"""The SDK against the real stack (the same test stack as the services' tests), and the SDK's
surface kept equal to the gateway's merged OpenAPI document (the `platform` command line: test_cli.py)."""

import json
import subprocess
import sys
import threading
import time
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from agent_client import (
    AgentClient,
    AsyncAgentClient,
    ChatAnswer,
    ChatEvent,
    InvalidSignature,
    NotFound,
    RateLimited,
    verify_webhook,
)
from agent_client._core import Endpoint
from agent_client._operations import OPERATIONS
from agent_client.models import Model
from agent_client.models._generated import ConversationRead, FieldCreate, PageTaskRead, TaskRead
from agent_client.resources import RESOURCES, Fields, Tasks
from agro.testing import NewField
from auth.testing import AddMember, Workspace
from devstack.pytest_plugin import serve_in_thread
from devstack.stack import Stack
from devstack.waiting import eventually

METHODS = ("get", "post", "put", "patch", "delete")


def test_every_documented_operation_has_an_sdk_method_and_no_method_calls_an_unserved_path(
    platform_stack: Stack, gateway: httpx.AsyncClient
) -> None:
    document = httpx.get(platform_stack.url("gateway") + "/api/schema/", timeout=30).json()
    served = {(m.upper(), path) for path, item in document["paths"].items() for m in item if m in METHODS}
    sdk = {(method, path) for method, path, _ in Endpoint.registry}
    assert sorted(served - sdk) == [], "documented operations without an SDK method"
    assert sorted(sdk - served) == [], "SDK methods calling a path the gateway does not serve"
    names = [name for *_, name in Endpoint.registry]
    assert len(names) == len(set(names))
    # The operations documented with the X-Guest-Token header take `guest_token=`.
    guest = {
        (m.upper(), path)
        for path, item in document["paths"].items()
        for m, op in item.items()
        if m in METHODS and any(p["in"] == "header" and p["name"] == "X-Guest-Token" for p in op.get("parameters", []))
    }
    takes_guest_token = {
        (bound.method, bound.path)
        for resource in RESOURCES.values()
        for bound in vars(resource).values()
        if isinstance(bound, Endpoint) and bound.headers.get("guest_token") == "X-Guest-Token"
    }
    assert guest
    assert guest == takes_guest_token
    # What each method validates and answers is generated from this document (test_generated.py).
    assert set(OPERATIONS) == {f"{method} {path}" for method, path in served}


async def test_the_002_snippet_and_streaming(platform_stack: Stack, workspace: Workspace) -> None:
    base_url = platform_stack.url("gateway")
    client = AgentClient(api_key=workspace.farmer_token, base_url=base_url)
    conversation = client.conversations.create_conversation(title="Desde el SDK")
    response = client.chat.send(conversation_id=conversation["id"], message="Lista las instancias EC2")
    assert isinstance(response, ChatAnswer)
    assert (response.conversation_id, response.status) == (conversation["id"], "complete")
    result = client.tools.execute("my_fields")
    assert (result.tool, result.result) == ("my_fields", [])
    with pytest.raises(NotFound) as missing:
        client.tools.execute("list_ec2_instances", region="us-east-1")
    assert missing.value.body["error"]["code"] == "TOOL_NOT_FOUND"  # the seed's error body
    events = list(client.chat.stream("¿Qué parcelas necesitan riego?", conversation_id=conversation["id"]))
    assert events[0].type == "thinking"
    assert events[-1].type == "done"
    assert {e.type for e in events[1:-1]} == {"message"}
    assert all(e.id for e in events)
    again = list(client.chat.resume(conversation["id"], last_event_id=events[1].id))
    assert [e.id for e in again] == [e.id for e in events[2:]]
    # The generic method of the same operation: typed events too (one shape per kind of answer).
    resumed = list(client.conversations.resume(conversation["id"], last_event_id=events[1].id))
    assert [(type(e), e.id) for e in resumed] == [(ChatEvent, e.id) for e in events[2:]]
    detail = client.conversations.get_conversation(conversation["id"])
    assert detail["message_count"] == 4
    listed = list(client.conversations.list_conversations.iterate())  # 002's {"conversations": [...]}
    assert [c["id"] for c in listed] == [conversation["id"]]
    client.close()

    # The async client: the same surface, awaited; a username/password login.
    login = AsyncAgentClient(username=workspace.farmer_username, password=workspace.farmer_password, base_url=base_url)
    async with login as aclient:
        answer = await aclient.chat.send(message="Hola")
        assert answer.status == "complete"
        streamed = [
            event async for event in aclient.chat.stream("Hola otra vez", conversation_id=answer.conversation_id)
        ]
        assert streamed[-1].type == "done"
        tools = await aclient.tools.list()
        assert "my_fields" in {tool.name for tool in tools}


async def test_seed_flows_through_the_sdk(
    platform_stack: Stack, workspace: Workspace, add_member: AddMember, new_field: NewField, catalogue: dict[str, Any]
) -> None:
    base_url = platform_stack.url("gateway")
    owner = AgentClient(api_key=workspace.owner_token, base_url=base_url)
    farmer = AgentClient(api_key=workspace.farmer_token, base_url=base_url)
    # 004: a field, its node posting readings, tasks accepted and rejected, pages iterated.
    field_id = await new_field(workspace.farmer_token, variedad_id=catalogue["variety"],
                               fecha_siembra=date.today().isoformat())  # fmt: skip
    node = owner.nodes.create_node(field_id, codigo="NM-SDK")  # nodes are installed by the workspace's staff
    posted = farmer.nodes.ingest(
        node["token"],
        codigo_nodo_maestro="NM-SDK",
        parcela_id=field_id,
        timestamp=datetime.now(UTC).isoformat().replace("+00:00", "Z"),
        lecturas=[{"nodo_codigo": "N1", "sensores": [{"sensor": "humedad_suelo", "valor": 70.0, "unidad": "%"}]}],
    )  # fmt: skip  (within the crop's range: brain suggests no task while pages are read)
    assert posted["inserted"] == 1
    created = [farmer.tasks.create_field_task(field_id, tipo=kind) for kind in ("riego", "poda", "fertilizacion")]
    paged = [task["id"] for task in farmer.tasks.list_field_tasks.iterate(field_id, page_size=1)]  # a page each
    assert sorted(paged) == sorted(task["id"] for task in created)
    farmer.tasks.accept_task(created[0]["id"])
    farmer.tasks.reject_task(created[1]["id"])
    assert farmer.fields.get_field(field_id)["id"] == field_id
    # 003: a guest's chat taken and answered by an agent.
    agent = AgentClient(api_key=(await add_member("agente")).token, base_url=base_url)
    guest = AgentClient(base_url=base_url)  # public operations: no api_key
    session = guest.guests.start_chat(initial_message="Hola", tenant=workspace.tenant_id)
    room = guest.guests.complete_chat(session_id=session["session_id"], email="sdk@example.com", full_name="SDK",
                                      phone_number="+123456789")  # fmt: skip
    taken = agent.rooms.take_chat(room["chat_room_id"])
    assert taken["status"] == "active"
    agent.rooms.send_message(room["chat_room_id"], content="¿En qué te ayudo?")
    room_id, guest_token = room["chat_room_id"], room["guest_token"]
    guest.guests.send_message(chat_room_id=room_id, content="Gracias", guest_token=guest_token)
    # Per-call headers= are sent as headers.
    guest.guests.send_guest_message(chat_room_id=room_id, content="Otra", headers={"X-Guest-Token": guest_token})
    assert guest.guests.get_chat_status(chat_room_id=room_id, guest_token=guest_token)["status"] == "active"
    with pytest.raises(NotFound):
        guest.guests.get_chat_status(chat_room_id=room_id, guest_token="otro")
    kinds = ["user", "system", "agent", "user", "user"]
    assert [m["sender_type"] for m in agent.rooms.room_messages(room["chat_room_id"])] == kinds
    assert len(list(agent.rooms.filtered_chats.iterate(page_size=1))) == 1
    # 002: a webhook's test delivery, its signature checked with the SDK's helper.
    received: list[tuple[bytes, dict[str, str]]] = []

    async def hook(request: Request) -> Response:
        received.append((await request.body(), dict(request.headers)))
        return Response(status_code=204)

    with serve_in_thread(Starlette(routes=[Route("/hook", hook, methods=["POST"])])) as receiver:
        webhook = owner.webhooks.create_webhook(url=f"{receiver}/hook", events=["task.created"])
        owner.webhooks.send_test_event(webhook["id"])
        await eventually(lambda: received, "the test delivery", seconds=20)
    body, headers = received[0]
    assert verify_webhook(body, headers, webhook["secret"]) == json.loads(body)  # the payload, as standardwebhooks
    with pytest.raises(InvalidSignature):
        verify_webhook(body + b" ", headers, webhook["secret"])
    for client in (owner, farmer, agent, guest):
        client.close()


def test_429_is_retried_after_the_wait_the_server_asks_for() -> None:
    calls: list[float] = []
    lock = threading.Lock()

    async def limited(request: Request) -> JSONResponse:
        with lock:
            calls.append(time.monotonic())
            count = len(calls)
        if count == 1:
            return JSONResponse({"error": "despacio"}, status_code=429, headers={"Retry-After": "1"})
        if count == 2:
            reset = str(int(time.time()) + 1)
            return JSONResponse({"error": "despacio"}, status_code=429, headers={"X-RateLimit-Reset": reset})
        return JSONResponse({"tools": []})

    with (
        serve_in_thread(Starlette(routes=[Route("/api/tools", limited)])) as url,
        AgentClient(api_key="t", base_url=url, max_retries=2) as client,
    ):
        assert client.tools.list() == []
        assert calls[1] - calls[0] >= 0.9
        calls.clear()
        client.max_retries = 0
        with pytest.raises(RateLimited) as refused:
            client.tools.list()
        assert refused.value.body == {"error": "despacio"}


def test_an_unknown_or_mistyped_keyword_is_refused_before_any_request() -> None:
    client = AgentClient(api_key="t", base_url="http://127.0.0.1:9")  # nothing listens: a request would fail
    with pytest.raises(TypeError) as refused:
        client.fields.create_field(nombre="Norte", variedad=1, tamano_hectareas=2)
    assert "'variedad'" in str(refused.value)
    assert "variedad_id" in str(refused.value)  # the known ones are named
    with pytest.raises(TypeError, match="'pagina'"):
        client.tasks.list_tasks(pagina=2)
    with pytest.raises(TypeError, match="'guest'"):
        client.guests.get_chat_status(chat_room_id="x", guest="t")
    # Mistyped: the argument and what its model says of it.
    with pytest.raises(TypeError, match=r"create_field\(\): variedad_id: Input should be a valid integer"):
        client.fields.create_field(nombre="Norte", variedad_id="uno", tamano_hectareas=2)
    with pytest.raises(TypeError, match="tamano_hectareas: Field required"):
        client.fields.create_field(nombre="Norte")
    with pytest.raises(TypeError, match="page_size"):
        client.tasks.list_tasks(page_size="muchas")
    # Hand-written methods validate their bodies with the same models.
    with pytest.raises(TypeError, match="'humedad'"):
        client.nodes.ingest("node-token", humedad=70)
    with pytest.raises(TypeError, match="message"):
        client.chat.send(message=None)  # type: ignore[arg-type]
    client.close()


def test_arguments_are_sent_as_their_model_makes_them() -> None:
    """Validated, then sent as JSON under the document's names: a date as ISO text, no unset field."""
    create = Fields.create_field  # the Endpoint itself
    fields = {"nombre": "Norte", "tamano_hectareas": 2.5, "variedad_id": "3", "fecha_siembra": date(2026, 3, 1)}
    path, options = create.request((), fields)
    assert path == "/api/parcelas/"
    sent = {"nombre": "Norte", "tamano_hectareas": 2.5, "variedad_id": 3, "fecha_siembra": "2026-03-01"}
    assert options == {"json": sent}
    assert set(FieldCreate.model_fields) >= {"nombre", "variedad_id", "fecha_siembra"}
    path, options = Tasks.list_field_tasks.request((7,), {"page_size": "1"})
    assert (path, options) == ("/api/parcelas/7/tareas/", {"params": {"page_size": 1}})


def test_every_method_is_described_by_its_operation() -> None:
    client = AgentClient(api_key="t", base_url="http://127.0.0.1:9")
    for resource_name, resource in RESOURCES.items():
        for name, member in vars(resource).items():
            if isinstance(member, Endpoint):
                bound = getattr(getattr(client, resource_name), name)
                assert bound.__doc__ == member.spec.doc == OPERATIONS[f"{member.method} {member.path}"].doc
                assert f"`{member.method} {member.path}`" in member.spec.doc
    operation = OPERATIONS["POST /api/chat"]
    assert client.chat.send.__doc__ is not None
    assert client.chat.send.__doc__.startswith(operation.doc)  # then what the hand-written method adds
    assert "ChatAnswer" in client.chat.send.__doc__
    client.close()


def test_answers_are_their_operations_models() -> None:
    """Parsed by the generated model of the operation's 2xx answer: pages, lists, plain text."""
    at = "2026-01-01T00:00:00Z"
    task = {"id": 3, "parcela": 7, "tipo": "riego", "descripcion": "", "fecha_programada": None, "estado": "pendiente",
            "origen": "ia", "decision": "pendiente", "deleted_at": None, "created_at": at, "updated_at": at,
            "a_future_field": 1}  # fmt: skip

    async def answer(request: Request) -> Response:
        if request.url.path == "/api/parcelas/7/tareas/":
            following = None if request.query_params.get("page") else str(request.url.include_query_params(page=2))
            return JSONResponse({"count": 2, "next": following, "previous": None, "results": [task]})
        if request.url.path == "/api/conversations":
            conversation = {"id": "conv_1", "title": "t", "bot_id": None, "created_at": at, "updated_at": at,
                            "message_count": 0}  # fmt: skip
            return JSONResponse({"conversations": [conversation]})
        return Response("texto", media_type="text/plain")

    routes = [Route(path, answer, methods=["GET", "POST"]) for path in
              ("/api/parcelas/7/tareas/", "/api/conversations", "/chat/1")]  # fmt: skip
    with serve_in_thread(Starlette(routes=routes)) as url, AgentClient(api_key="t", base_url=url) as client:
        page = client.tasks.list_field_tasks(7)
        assert isinstance(page, PageTaskRead)
        assert isinstance(page.results[0], TaskRead)
        assert page.results[0].tipo == page["results"][0]["tipo"] == "riego"  # attributes, or the JSON's names
        assert page.results[0].to_json()["a_future_field"] == 1  # unknown fields are kept
        tasks = list(client.tasks.list_field_tasks.iterate(7))
        assert [type(t) for t in tasks] == [TaskRead, TaskRead]
        conversations = list(client.conversations.list_conversations.iterate())
        assert [type(c) for c in conversations] == [ConversationRead]
        assert isinstance(client.conversations.list_conversations(), Model)
        assert client.bots.chat_with_bot(1, query="hola") == "texto"


def test_a_daily_quota_429_raises_at_once_with_its_reset_time() -> None:
    calls: list[float] = []
    resets = datetime.fromtimestamp(int(time.time()) + 3 * 3600, UTC)  # hours away, like ingest's daily quota

    async def quota(request: Request) -> JSONResponse:
        calls.append(time.monotonic())
        wait = int(resets.timestamp() - time.time())
        body = {"error": f"Cuota diaria agotada. Se restablece el {resets.isoformat()}."}
        headers = {"Retry-After": str(wait), "X-RateLimit-Reset": str(int(resets.timestamp()))}
        return JSONResponse(body, status_code=429, headers=headers)

    with serve_in_thread(Starlette(routes=[Route("/api/nodes/ingest/", quota, methods=["POST"])])) as url:
        client = AgentClient(base_url=url, max_retries=5)  # max_retry_wait: 30 s by default
        started = time.monotonic()
        reading = [{"nodo_codigo": "N1", "sensores": [{"sensor": "ph", "valor": 7.0}]}]
        with pytest.raises(RateLimited) as refused:
            client.nodes.ingest("node-token", codigo_nodo_maestro="NM", parcela_id=1, timestamp=datetime.now(UTC),
                                lecturas=reading)  # fmt: skip
        assert time.monotonic() - started < 5
        assert len(calls) == 1, "a wait of hours is not retried"
        assert refused.value.reset_at == resets
        assert refused.value.retry_after is not None
        assert refused.value.retry_after > 30
        client.close()


def test_bots_knowledge_and_agents_through_the_sdk(platform_stack: Stack, workspace: Workspace) -> None:
    """001's bot and its text stream; 000's knowledge base, document and agent citing it."""
    client = AgentClient(api_key=workspace.owner_token, base_url=platform_stack.url("gateway"))
    bot = client.bots.create_bot(name="Asistente", system_prompt="El riego por goteo ahorra agua.")
    client.bots.add_model(bot["id"], provider="local", model_id="local", task_type="simple")
    answer = client.bots.chat_with_bot(bot["id"], query="¿Qué ahorra el riego por goteo?")
    assert "ahorra agua" in answer  # 001 answers plain text
    base = client.knowledge.create_base(name="Manuales")
    document = client.documents.upload_document(
        base["id"], "riego.md", "# Riego\n\nEl tomate se riega cada dos días en floración.".encode()
    )
    assert (document["kind"], document["chunk_count"]) == ("markdown", 1)
    found = client.knowledge.search_base(base["id"], q="¿Cada cuánto se riega el tomate?")
    assert found["results"][0]["document_id"] == document["id"]
    agent = client.agents.create_agent(name="Agrónomo", model="local", knowledge_bases=[base["id"]])
    reply = client.agents.chat_with_agent(agent["id"], message="¿Cada cuánto se riega el tomate?")
    assert isinstance(reply, ChatAnswer)  # the same shape as chat.send's
    assert reply.citations
    assert reply.citations[0]["document_id"] == document["id"]
    events = list(client.agents.chat_with_agent(agent["id"], "¿Y en invierno?", conversation_id=reply.conversation_id,
                                                stream=True))  # fmt: skip
    assert all(isinstance(e, ChatEvent) for e in events)
    assert (events[0].type, events[-1].type) == ("thinking", "done")
    assert [a["id"] for a in client.agents.list_agents.iterate()] == [bot["id"], agent["id"]]
    client.close()


def test_building_the_package_leaves_the_source_tree_as_it_was(tmp_path: Path) -> None:
    """`pip install ./sdk/python` builds a wheel: no `build/` or `*.egg-info` left beside the code."""
    source = Path(__file__).resolve().parents[1]

    def tree() -> set[Path]:
        return {p.relative_to(source) for p in source.rglob("*") if "__pycache__" not in p.parts
                and ".pytest_cache" not in p.parts}  # fmt: skip

    before = tree()
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(tmp_path), str(source)],
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert built.returncode == 0, built.stderr
    assert [w.name for w in tmp_path.glob("*.whl")] == ["agent_client-0.1.0-py3-none-any.whl"]
    assert tree() == before
