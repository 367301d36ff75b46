"""`POST /api/nodes/ingest/` through the gateway: node tokens, refusals, retries, plan limits."""

import json
import time
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest

from agro.testing import NewField, NewNode, RegisteredNode
from auth.testing import Workspace, auth_header
from devstack.waiting import eventually

INGEST = "/api/nodes/ingest/"


def body_for(node: RegisteredNode, *, at: datetime | None = None, **overrides: Any) -> dict[str, Any]:
    moment = (at or datetime.now(UTC)).isoformat().replace("+00:00", "Z")
    return {
        "codigo_nodo_maestro": node.codigo,
        "parcela_id": node.parcela_id,
        "timestamp": moment,
        "lecturas": [
            {
                "nodo_codigo": "N1",
                "sensores": [
                    {"sensor": "humedad_suelo", "valor": 23.4, "unidad": "%"},
                    {"sensor": "temperatura", "valor": 28.1, "unidad": "C"},
                ],
            }
        ],
        **overrides,
    }


async def post_when_known(gateway: httpx.AsyncClient, node: RegisteredNode, body: dict[str, Any]) -> httpx.Response:
    """Post once ingest has consumed the node's registration (it arrives as an event)."""

    async def accepted_or_refused_otherwise() -> httpx.Response | None:
        response = await gateway.post(INGEST, json=body, headers=node.header)
        return response if response.status_code != 401 else None

    return await eventually(accepted_or_refused_otherwise, f"ingest knows node {node.codigo}", seconds=10)


async def published_for(published: Any, parcela_id: int) -> list[dict[str, Any]]:
    return [e for e in await published("ingest.readings.received") if e["data"]["parcela_id"] == parcela_id]


async def limit_events(published: Any, field_id: int) -> list[dict[str, Any]]:
    """The field's `ingest.limit.reached` events, once the outbox relay has published one."""

    async def found() -> list[dict[str, Any]]:
        return [e for e in await published("ingest.limit.reached") if e["data"]["parcela_id"] == field_id]

    return await eventually(found, "ingest.limit.reached is published", seconds=10, interval=0.1)


async def test_a_node_posts_004s_body_and_a_retry_inserts_nothing(
    gateway: httpx.AsyncClient, workspace: Workspace, new_field: NewField, new_node: NewNode, published: Any
) -> None:
    node = await new_node(workspace.owner_token, await new_field(workspace.farmer_token))
    body = body_for(node)
    body["lecturas"].append(
        {"nodo_codigo": "N2", "sensores": [{"sensor": "humedad_suelo", "valor": 30, "unidad": "%"}]}
    )

    first = await post_when_known(gateway, node, body)
    assert first.status_code == 201, first.text
    assert first.json() == {"detail": "ok", "inserted": 2}
    retry = await gateway.post(INGEST, json=body, headers=node.header)
    assert retry.status_code == 201
    assert retry.json() == {"detail": "ok", "inserted": 0}

    [event] = await published_for(published, node.parcela_id)  # the retry was dropped as a duplicate
    assert event["tenant_id"] == workspace.tenant_id
    assert event["data"]["codigo_nodo_maestro"] == node.codigo
    assert [lectura["nodo_codigo"] for lectura in event["data"]["lecturas"]] == ["N1", "N2"]
    assert event["data"]["lecturas"][0]["sensores"][0] == {"sensor": "humedad_suelo", "valor": 23.4, "unidad": "%"}


async def test_a_buffered_batch_with_several_timestamps_and_units_converted(
    gateway: httpx.AsyncClient, workspace: Workspace, new_field: NewField, new_node: NewNode, published: Any
) -> None:
    node = await new_node(workspace.owner_token, await new_field(workspace.farmer_token))
    now = datetime.now(UTC).replace(microsecond=0)
    lecturas = [
        {
            "nodo_codigo": "N1",
            "timestamp": (now - timedelta(hours=hours)).isoformat(),
            "sensores": [{"sensor": "temperatura", "valor": 77, "unidad": "F"}],
        }
        for hours in (3, 2, 1)
    ]
    body = {"codigo_nodo_maestro": node.codigo, "parcela_id": node.parcela_id, "lecturas": lecturas}
    response = await post_when_known(gateway, node, body)
    assert response.status_code == 201, response.text
    assert response.json()["inserted"] == 3
    [event] = await published_for(published, node.parcela_id)
    lecturas = event["data"]["lecturas"]
    assert [lectura["timestamp"] for lectura in lecturas] == [
        (now - timedelta(hours=h)).isoformat().replace("+00:00", "Z") for h in (3, 2, 1)
    ]
    assert all(lectura["sensores"] == [{"sensor": "temperatura", "valor": 25.0, "unidad": "C"}] for lectura in lecturas)


async def test_refusals_are_4xx_in_004s_shape_and_publish_nothing(
    gateway: httpx.AsyncClient, workspace: Workspace, new_field: NewField, new_node: NewNode, published: Any
) -> None:
    node = await new_node(workspace.owner_token, await new_field(workspace.farmer_token))
    other = await new_node(workspace.owner_token, await new_field(workspace.farmer_token), codigo="NM-002")
    assert (await post_when_known(gateway, other, body_for(other))).status_code == 201
    assert (await post_when_known(gateway, node, body_for(node, lecturas=[]))).status_code == 400

    def sensor(**values: Any) -> dict[str, Any]:
        return {"lecturas": [{"nodo_codigo": "N1", "sensores": [values]}]}

    future = datetime.now(UTC) + timedelta(hours=1)
    cases: list[tuple[dict[str, str], dict[str, Any] | bytes, int]] = [
        ({}, body_for(node), 401),
        ({"Authorization": "Node nd_not-a-real-token"}, body_for(node), 401),
        ({"Authorization": f"Bearer {node.token}"}, body_for(node), 401),
        (node.header, body_for(node, codigo_nodo_maestro="NM-002"), 403),
        (node.header, body_for(node, parcela_id=other.parcela_id), 403),
        (node.header, body_for(node, timestamp="ayer"), 400),
        (node.header, body_for(node, at=future), 400),
        (node.header, body_for(node, at=datetime.now(UTC) - timedelta(days=400)), 400),
        (node.header, body_for(node, **sensor(sensor="humedad_suelo", valor=20, unidad="kg")), 400),
        (node.header, body_for(node, **sensor(sensor="humedad_suelo", valor=10**400, unidad="%")), 400),
        (node.header, json.dumps(body_for(node, **sensor(sensor="ph", valor=1))).replace(": 1}", ": NaN}").encode(),
         400),
        (node.header, body_for(node, lecturas=[{"nodo_codigo": "N1", "sensores": []}]), 400),
        (
            node.header,
            body_for(node, lecturas=[{"nodo_codigo": f"N{i}", "sensores": [{"sensor": "x", "valor": 1}] * 100}
                                     for i in range(51)]),
            400,
        ),
        (node.header, body_for(node, codigo_nodo_maestro="NM\u0000"), 400),
    ]  # fmt: skip
    for headers, body, status in cases:
        if isinstance(body, bytes):
            response = await gateway.post(INGEST, content=body, headers={**headers, "Content-Type": "application/json"})
        else:
            response = await gateway.post(INGEST, json=body, headers=headers)
        assert response.status_code == status, (
            body if isinstance(body, bytes) else json.dumps(body)[:200],
            response.text,
        )
        assert isinstance(response.json()["detail"], str), response.text
        if status == 401:
            assert response.headers["WWW-Authenticate"] == "Node", response.headers
    assert await published_for(published, node.parcela_id) == []


async def test_a_removed_node_stops_working_within_a_second(
    gateway: httpx.AsyncClient, workspace: Workspace, new_field: NewField, new_node: NewNode
) -> None:
    owner = auth_header(workspace.owner_token)
    field_id = await new_field(workspace.farmer_token)
    deleted, revoked, cascaded = (
        await new_node(workspace.owner_token, field_id, codigo="NM-A"),
        await new_node(workspace.owner_token, field_id, codigo="NM-B"),
        await new_node(workspace.owner_token, await new_field(workspace.farmer_token), codigo="NM-C"),
    )
    for node in (deleted, revoked, cascaded):
        assert (await post_when_known(gateway, node, body_for(node))).status_code == 201

    assert (await gateway.request("DELETE", f"/api/nodos/{deleted.id}/delete/", headers=owner)).status_code == 204
    assert (await gateway.delete(f"/api/nodos/{revoked.id}/token/", headers=owner)).status_code == 204
    assert (await gateway.delete(f"/api/parcelas/{cascaded.parcela_id}/", headers=owner)).status_code == 204
    pending = {deleted, revoked, cascaded}

    async def all_refused() -> bool:
        for node in list(pending):
            later = body_for(node, at=datetime.now(UTC))
            if (await gateway.post(INGEST, json=later, headers=node.header)).status_code == 401:
                pending.discard(node)
        return not pending

    await eventually(all_refused, "every removed node is refused", seconds=1.0, interval=0.02)


async def test_the_plans_daily_limit_counts_transmissions_and_says_when_it_resets(
    gateway: httpx.AsyncClient,
    workspace: Workspace,
    new_field: NewField,
    new_node: NewNode,
    catalogue: dict[str, Any],
    published: Any,
) -> None:
    field_id = await new_field(workspace.farmer_token, plan_id=catalogue["plans"]["Básico"])  # 8 a day
    node = await new_node(workspace.owner_token, field_id)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)
    assert (await post_when_known(gateway, node, body_for(node, at=start))).status_code == 201
    # A buffered post of six instants counts six; a retry of one already accepted counts none.
    batch = [
        {"nodo_codigo": "N1", "timestamp": (start + timedelta(minutes=m)).isoformat(),
         "sensores": [{"sensor": "humedad_suelo", "valor": 40, "unidad": "%"}]}
        for m in range(1, 7)
    ]  # fmt: skip
    buffered = await gateway.post(INGEST, json=body_for(node, lecturas=batch), headers=node.header)
    assert buffered.json() == {"detail": "ok", "inserted": 6}
    assert (await gateway.post(INGEST, json=body_for(node, at=start), headers=node.header)).json()["inserted"] == 0
    eighth = await gateway.post(INGEST, json=body_for(node, at=start + timedelta(minutes=7)), headers=node.header)
    assert eighth.status_code == 201, eighth.text

    refused = await gateway.post(INGEST, json=body_for(node, at=start + timedelta(minutes=8)), headers=node.header)
    assert refused.status_code == 429
    assert "Se restablece" in refused.json()["detail"]
    assert 0 < int(refused.headers["Retry-After"]) <= 24 * 3600
    assert int(refused.headers["X-RateLimit-Reset"]) - int(refused.headers["Retry-After"]) == pytest.approx(
        time.time(), abs=5
    )
    again = await gateway.post(INGEST, json=body_for(node, at=start + timedelta(minutes=9)), headers=node.header)
    assert again.status_code == 429

    # The first refusal of the day is published once (webhooks' `reading.limit_reached`).
    reached = await limit_events(published, field_id)
    assert len(reached) == 1
    assert reached[0]["data"]["limite"] == 8
    assert reached[0]["tenant_id"] == workspace.tenant_id


async def test_a_first_post_beyond_the_whole_days_limit_is_refused_and_published(
    gateway: httpx.AsyncClient,
    workspace: Workspace,
    new_field: NewField,
    new_node: NewNode,
    catalogue: dict[str, Any],
    published: Any,
) -> None:
    field_id = await new_field(workspace.farmer_token, plan_id=catalogue["plans"]["Básico"])  # 8 a day
    node = await new_node(workspace.owner_token, field_id)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=2)
    nine = [
        {"nodo_codigo": "N1", "timestamp": (start + timedelta(minutes=m)).isoformat(),
         "sensores": [{"sensor": "humedad_suelo", "valor": 40, "unidad": "%"}]}
        for m in range(9)
    ]  # fmt: skip
    refused = await post_when_known(gateway, node, body_for(node, lecturas=nine))
    assert refused.status_code == 429, refused.text
    reached = await limit_events(published, field_id)
    assert len(reached) == 1
    # Nothing was counted: the day's eight are still there to use.
    assert (await gateway.post(INGEST, json=body_for(node, lecturas=nine[:8]), headers=node.header)).status_code == 201


async def test_a_node_posts_right_after_its_creation_every_time(
    gateway: httpx.AsyncClient, workspace: Workspace, new_field: NewField, new_node: NewNode
) -> None:
    field_id = await new_field(workspace.farmer_token)
    refused = []
    for n in range(100):
        node = await new_node(workspace.owner_token, field_id, codigo=f"NM-{n:03d}")
        response = await gateway.post(INGEST, json=body_for(node), headers=node.header)
        if response.status_code != 201:
            refused.append((n, response.status_code, response.text))
    assert refused == []


async def test_a_plan_change_applies_to_the_next_posts(
    gateway: httpx.AsyncClient,
    workspace: Workspace,
    new_field: NewField,
    new_node: NewNode,
    catalogue: dict[str, Any],
) -> None:
    """Each replica caches a node's credential with its plan's limit: the change must reach it."""
    field_id = await new_field(workspace.farmer_token, plan_id=catalogue["plans"]["Premium"])  # 200 a day
    node = await new_node(workspace.owner_token, field_id)
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=3)
    nine = [
        {"nodo_codigo": "N1", "timestamp": (start + timedelta(minutes=m)).isoformat(),
         "sensores": [{"sensor": "humedad_suelo", "valor": 40, "unidad": "%"}]}
        for m in range(9)
    ]  # fmt: skip
    assert (await post_when_known(gateway, node, body_for(node, lecturas=nine))).status_code == 201

    basico = {"plan_id": catalogue["plans"]["Básico"]}  # 8 a day
    changed = await gateway.post(
        f"/api/parcelas/{field_id}/planes/crear/", json=basico, headers=auth_header(workspace.owner_token)
    )
    assert changed.status_code == 201, changed.text

    async def nine_refused() -> bool:
        # The same post each time: under Premium a retry is a duplicate that gives its count back.
        response = await gateway.post(INGEST, json=body_for(node, lecturas=nine), headers=node.header)
        return response.status_code == 429 and "(8 por día)" in response.json()["detail"]

    await eventually(nine_refused, "the new plan's limit applies", seconds=5, interval=0.02)
