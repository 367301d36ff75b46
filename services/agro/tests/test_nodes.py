"""Master and secondary nodes, and node tokens."""

import hashlib
import json
from typing import Any

import httpx

from auth.testing import Workspace, auth_header


async def test_technician_registers_a_node_and_its_token_is_shown_once(
    gateway: httpx.AsyncClient, workspace: Workspace, add_member: Any, new_field: Any, published: Any
) -> None:
    field_id = await new_field(workspace.farmer_token)
    tech = auth_header((await add_member("tecnico")).token)
    created = await gateway.post(
        f"/api/parcelas/{field_id}/nodos/create/", json={"codigo": "NM-001", "ubicacion": "Esquina norte"}, headers=tech
    )
    assert created.status_code == 201, created.text
    node = created.json()
    token = node.pop("token")
    assert token.startswith("nd_")
    assert set(node) == {"id", "codigo", "parcela_id", "ubicacion", "activo", "created_at", "updated_at"}
    assert node["parcela_id"] == field_id
    detail = (await gateway.get(f"/api/nodos/{node['id']}/", headers=tech)).json()
    assert "token" not in detail
    assert "token_hash" not in detail
    listed = (await gateway.get(f"/api/parcelas/{field_id}/nodos/", headers=auth_header(workspace.farmer_token))).json()
    assert [n["id"] for n in listed] == [node["id"]]

    duplicate = await gateway.post(f"/api/parcelas/{field_id}/nodos/create/", json={"codigo": "NM-001"}, headers=tech)
    assert duplicate.status_code == 400

    # The event carries the token's hash, never the token.
    events = await published("agro.node.upserted")
    mine = [e for e in events if e["data"]["nodo_id"] == node["id"]]
    assert mine[-1]["data"]["token_hash"] == hashlib.sha256(token.encode()).hexdigest()
    assert token not in json.dumps(events)

    rotated = await gateway.post(f"/api/nodos/{node['id']}/token/", headers=tech)
    assert rotated.json()["token"] != token
    assert (await gateway.delete(f"/api/nodos/{node['id']}/token/", headers=tech)).status_code == 204
    assert (await gateway.get(f"/api/nodos/{node['id']}/", headers=tech)).json()["activo"] is False


async def test_secondary_nodes(gateway: httpx.AsyncClient, workspace: Workspace, new_field: Any) -> None:
    owner = auth_header(workspace.owner_token)
    field_id = await new_field(workspace.farmer_token)
    master = (
        await gateway.post(f"/api/parcelas/{field_id}/nodos/create/", json={"codigo": "NM-9"}, headers=owner)
    ).json()
    created = await gateway.post(
        f"/api/nodos/{master['id']}/secundarios/create/", json={"codigo": "NS-01", "tipo": "sensor"}, headers=owner
    )
    assert created.status_code == 201
    assert created.json()["nodo_maestro_id"] == master["id"]
    assert [
        n["codigo"] for n in (await gateway.get(f"/api/nodos/{master['id']}/secundarios/", headers=owner)).json()
    ] == ["NS-01"]
    assert (await gateway.get("/api/secundarios/", headers=owner)).json()["count"] == 1
    secondary_id = created.json()["id"]
    assert (await gateway.get(f"/api/secundarios/{secondary_id}/", headers=owner)).status_code == 200
    assert (await gateway.delete(f"/api/secundarios/{secondary_id}/delete/", headers=owner)).status_code == 204
    assert (await gateway.delete(f"/api/nodos/{master['id']}/delete/", headers=owner)).status_code == 204
    assert (await gateway.get(f"/api/nodos/{master['id']}/", headers=owner)).status_code == 404


async def test_farmer_cannot_reach_another_farmers_nodes(
    gateway: httpx.AsyncClient, workspace: Workspace, add_member: Any, new_field: Any
) -> None:
    owner = auth_header(workspace.owner_token)
    other = await add_member("agricultor")
    their_field = await new_field(other.token)
    node = (
        await gateway.post(f"/api/parcelas/{their_field}/nodos/create/", json={"codigo": "NM-X"}, headers=owner)
    ).json()
    farmer = auth_header(workspace.farmer_token)
    assert (await gateway.get(f"/api/parcelas/{their_field}/nodos/", headers=farmer)).status_code == 404
    assert (await gateway.get(f"/api/parcelas/{their_field}/nodos/{node['id']}/", headers=farmer)).status_code == 404
    # Farmers hold nodos:ver but not nodos:crear, and /api/nodos/ is for staff.
    assert (
        await gateway.post(f"/api/parcelas/{their_field}/nodos/create/", json={"codigo": "Z"}, headers=farmer)
    ).status_code == 403
    assert (await gateway.get("/api/nodos/", headers=farmer)).status_code == 403
