"""A field's alerts with their acknowledgement trail, and its sensors' last-seen times, through
the gateway (additions for the console's farm pages, issue 26)."""

import secrets
from datetime import UTC, date, datetime
from typing import Any

import httpx

from agro.testing import NewField, NewNode, RegisteredNode
from auth.testing import Login, Workspace, auth_header
from devstack.waiting import eventually


async def post_reading(gateway: httpx.AsyncClient, node: RegisteredNode, sensor: str, valor: float) -> None:
    body = {
        "codigo_nodo_maestro": node.codigo,
        "parcela_id": node.parcela_id,
        "timestamp": datetime.now(UTC).isoformat(),
        "lecturas": [{"nodo_codigo": "N1", "sensores": [{"sensor": sensor, "valor": valor, "unidad": "%"}]}],
    }

    async def accepted() -> httpx.Response | None:
        response = await gateway.post("/api/nodes/ingest/", json=body, headers=node.header)
        return response if response.status_code != 401 else None  # the node's event may still be on its way

    response = await eventually(accepted, "ingest to know the node")
    assert response.status_code == 201, response.text


async def test_farmer_acknowledges_an_alert_and_the_trail_keeps_each_acknowledgement(
    gateway: httpx.AsyncClient,
    workspace: Workspace,
    new_field: NewField,
    new_node: NewNode,
    catalogue: dict[str, Any],
) -> None:
    farmer = auth_header(workspace.farmer_token)
    owner = auth_header(workspace.owner_token)
    field_id = await new_field(workspace.farmer_token, variedad_id=catalogue["variety"],
                               fecha_siembra=date.today().isoformat())  # fmt: skip
    node = await new_node(workspace.owner_token, field_id)
    await post_reading(gateway, node, "humedad_suelo", 18.2)  # Germinación: 60..80

    async def alerts() -> list[dict[str, Any]] | None:
        response = await gateway.get(f"/api/brain/alertas/?parcela_id={field_id}", headers=farmer)
        assert response.status_code == 200, response.text
        return list(response.json()) or None

    [alert] = await eventually(alerts, "the violation's alert")
    assert (alert["tipo"], alert["severity"], alert["parametro"], alert["valor"]) == (
        "regla", "critical", "humedad_suelo", 18.2,
    )  # fmt: skip
    assert alert["reconocimientos"] == []

    first = await gateway.post(f"/api/brain/alertas/{alert['id']}/reconocer/", json={"nota": "Voy a regar"},
                               headers=farmer)  # fmt: skip
    assert first.status_code == 200, first.text
    second = await gateway.post(f"/api/brain/alertas/{alert['id']}/reconocer/", json={}, headers=owner)
    assert second.status_code == 200, second.text
    trail = second.json()["reconocimientos"]
    assert [(ack["usuario_id"], ack["nota"]) for ack in trail] == [(workspace.farmer_id, "Voy a regar"),
                                                                   (workspace.owner.id, "")]  # fmt: skip
    [listed] = (await gateway.get(f"/api/brain/alertas/?parcela_id={field_id}", headers=farmer)).json()
    assert listed["reconocimientos"] == trail

    sensors = await gateway.get(f"/api/brain/sensores/?parcela_id={field_id}", headers=farmer)
    assert sensors.status_code == 200, sensors.text
    [sensor] = sensors.json()
    assert (sensor["nodo_codigo"], sensor["parametro"], sensor["stale"]) == ("N1", "humedad_suelo", False)
    nodes = await gateway.get(f"/api/brain/nodos/?parcela_id={field_id}", headers=farmer)
    assert nodes.status_code == 200, nodes.text
    [seen] = nodes.json()
    assert (seen["codigo_nodo_maestro"], seen["stale"]) == (node.codigo, False)


async def test_alerts_of_a_field_the_caller_cannot_see_are_not_found(
    gateway: httpx.AsyncClient,
    workspace: Workspace,
    new_field: NewField,
    login: Login,
) -> None:
    field_id = await new_field(workspace.farmer_token)
    email, password = f"outsider-{secrets.token_hex(4)}@example.com", "correct-horse-battery"
    registered = await gateway.post("/users/", json={"email": email, "password": password})
    assert registered.status_code == 200, registered.text
    other = auth_header(await login(email, password))
    listed = await gateway.get(f"/api/brain/alertas/?parcela_id={field_id}", headers=other)
    assert listed.status_code == 404, listed.text
    for path in ("sensores", "nodos"):
        listed = await gateway.get(f"/api/brain/{path}/?parcela_id={field_id}", headers=other)
        assert listed.status_code == 404, listed.text
    unknown = await gateway.post("/api/brain/alertas/999999999/reconocer/", json={}, headers=other)
    assert unknown.status_code == 404, unknown.text
