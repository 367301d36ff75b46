"""002's tools through the gateway: the agro tools run as their caller, on real services."""

from datetime import UTC, date, datetime
from typing import Any

import httpx

from agro.testing import NewField, NewNode
from auth.testing import Workspace, auth_header
from devstack.waiting import eventually


async def execute(gateway: httpx.AsyncClient, token: str, tool: str, **parameters: Any) -> httpx.Response:
    return await gateway.post(
        "/api/tools/execute", json={"tool": tool, "parameters": parameters}, headers=auth_header(token)
    )


async def test_agro_tools_answer_from_the_callers_own_data(
    gateway: httpx.AsyncClient,
    workspace: Workspace,
    new_field: NewField,
    new_node: NewNode,
    catalogue: dict[str, Any],
) -> None:
    farmer = workspace.farmer_token
    listed = (await gateway.get("/api/tools", headers=auth_header(farmer))).json()["tools"]
    by_name = {tool["name"]: tool for tool in listed}
    assert {"my_fields", "latest_readings", "open_tasks", "create_task"} <= set(by_name)
    assert by_name["create_task"]["mutating"]
    assert not by_name["my_fields"]["mutating"]
    assert by_name["latest_readings"]["parameters"]["required"] == ["parcela_id"]
    assert by_name["my_fields"]["category"] == "agro"

    field_id = await new_field(farmer, variedad_id=catalogue["variety"], fecha_siembra=date.today().isoformat())
    fields = await execute(gateway, farmer, "my_fields")
    assert fields.status_code == 200, fields.text
    assert [f["id"] for f in fields.json()["result"]] == [field_id]

    created = await execute(gateway, farmer, "create_task", parcela_id=field_id, tipo="regar", descripcion="Riego")
    assert created.status_code == 200, created.text
    task = created.json()["result"]
    assert (task["parcela"], task["tipo"], task["estado"]) == (field_id, "regar", "pendiente")
    open_tasks = (await execute(gateway, farmer, "open_tasks", parcela_id=field_id)).json()["result"]
    assert [t["id"] for t in open_tasks] == [task["id"]]

    # A reading posted by the field's node shows in latest_readings.
    node = await new_node(workspace.owner_token, field_id)
    reading = {"nodo_codigo": "N1", "sensores": [{"sensor": "humedad_suelo", "valor": 41.5, "unidad": "%"}]}
    body = {"codigo_nodo_maestro": node.codigo, "parcela_id": field_id, "timestamp": datetime.now(UTC).isoformat(),
            "lecturas": [reading]}  # fmt: skip

    async def ingested() -> bool:
        return (await gateway.post("/api/nodes/ingest/", json=body, headers=node.header)).status_code != 401

    await eventually(ingested, "ingest accepts the new node's reading", seconds=10)
    runs = 3  # my_fields, create_task, open_tasks; then latest_readings until the reading is stored

    async def latest_stored() -> dict[str, Any] | None:
        nonlocal runs
        latest: dict[str, Any] = (await execute(gateway, farmer, "latest_readings", parcela_id=field_id)).json()[
            "result"
        ]
        runs += 1
        return latest if latest["lecturas"] else None

    latest = await eventually(latest_stored, "latest_readings shows the reading", seconds=10, interval=0.2)
    assert latest["lecturas"]["humedad_suelo"]["valor"] == 41.5

    # Another workspace's user runs the same tools on their own (empty) data.
    email, password = "tools-stranger@example.com", "otra-clave-segura"
    await gateway.post("/users/", json={"email": email, "password": password})
    stranger = (await gateway.post("/api/auth/login", json={"username": email, "password": password})).json()
    assert (await execute(gateway, stranger["access_token"], "my_fields")).json()["result"] == []
    refused = await execute(gateway, stranger["access_token"], "latest_readings", parcela_id=field_id)
    assert refused.status_code == 404
    assert refused.json()["error"]["code"] == "TOOL_FAILED"

    # The workspace's runs count in its metrics (the stranger's in theirs).
    owner = auth_header(workspace.owner_token)

    async def all_counted() -> int | None:
        tools = int((await gateway.get("/api/metrics", headers=owner)).json()["agent_stats"]["tools_executed"])
        return tools if tools >= runs else None

    assert await eventually(all_counted, f"{runs} tool runs in the workspace metrics", seconds=10) == runs


async def test_parameters_are_checked_against_the_schema(gateway: httpx.AsyncClient, workspace: Workspace) -> None:
    farmer = workspace.farmer_token
    wrong_type = await execute(gateway, farmer, "latest_readings", parcela_id="uno")
    assert wrong_type.status_code == 400
    error = wrong_type.json()["error"]
    assert error["code"] == "INVALID_REQUEST"
    assert "parcela_id" in error["details"]["fields"]
    missing = await execute(gateway, farmer, "create_task", tipo="regar")
    assert missing.status_code == 400
    assert "parcela_id" in missing.json()["error"]["message"]
    extra = await execute(gateway, farmer, "my_fields", region="us-east-1")
    assert extra.status_code == 400
    unknown = await execute(gateway, farmer, "list_ec2_instances", region="us-east-1")
    assert unknown.status_code == 404
    assert "my_fields" in unknown.json()["error"]["details"]["available"]
