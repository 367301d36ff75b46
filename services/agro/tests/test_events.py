"""What agro publishes for ingest and brain's read models."""

import json
import secrets
from typing import Any

import httpx
import nats
from nats.js.errors import NotFoundError

from agro.testing import NewField, NewNode
from auth.testing import Workspace, auth_header
from devstack.stack import Stack
from shared.events import stream_for_subject

from .conftest import OwnCatalogue


async def test_field_and_subscription_events_carry_what_the_read_models_need(
    workspace: Workspace, new_field: Any, catalogue: dict[str, Any], published: Any
) -> None:
    field_id = await new_field(
        workspace.farmer_token,
        variedad_id=catalogue["variety"],
        fecha_siembra="2025-01-01",
        plan_id=catalogue["plans"]["Premium"],
    )
    fields = [e for e in await published("agro.field.upserted") if e["data"]["parcela_id"] == field_id]
    assert fields[-1]["tenant_id"] == workspace.tenant_id
    assert fields[-1]["source"] == "agro"
    assert fields[-1]["data"]["variedad_id"] == catalogue["variety"]
    assert fields[-1]["data"]["fecha_siembra"] == "2025-01-01"
    assert "etapa_actual_id" not in fields[-1]["data"], "a stage that ages by itself is derived, not published"
    subscriptions = [e for e in await published("agro.subscription.changed") if e["data"]["parcela_id"] == field_id]
    assert subscriptions[-1]["data"]["estado"] == "activo"
    assert subscriptions[-1]["data"]["limite_lecturas_dia"] == 200
    retention = ("retencion_lecturas_dias", "retencion_horaria_meses", "retencion_diaria_anios")
    assert [subscriptions[-1]["data"][term] for term in retention] == [30, 12, 10]  # the plan's, here the defaults


async def test_demo_rules_were_published_for_brain(catalogue: dict[str, Any], published: Any) -> None:
    rules = await published("agro.rule.upserted")
    stages = {e["data"]["etapa_id"] for e in await published("agro.stage.upserted")}
    assert set(catalogue["stages"]) <= stages
    assert any(
        r["data"]["etapa_id"] == catalogue["stages"][0] and r["data"]["parametro"] == "humedad_suelo" for r in rules
    )
    assert all(r["tenant_id"] is None for r in rules), "the catalogue is platform-wide"


async def test_read_models_rebuilt_from_the_events_match_agro(
    gateway: httpx.AsyncClient,
    workspace: Workspace,
    admin_token: str,
    catalogue: dict[str, Any],
    own_catalogue: OwnCatalogue,
    published: Any,
) -> None:
    """Creates, updates and cascading deletes; then every read model folded from the stream
    equals what agro itself answers."""
    admin, owner = auth_header(admin_token), auth_header(workspace.owner_token)

    async def post(path: str, body: dict[str, Any], headers: dict[str, str]) -> dict[str, Any]:
        response = await gateway.post(path, json=body, headers=headers)
        assert response.status_code == 201, response.text
        return dict(response.json())

    variety = await post(
        "/api/variedades/", {"cultivo_id": own_catalogue.crop, "nombre": f"V-{secrets.token_hex(3)}"}, admin
    )
    s1 = await post(
        f"/api/variedades/{variety['id']}/etapas/", {"nombre": "s1", "orden": 1, "duracion_dias": 10}, admin
    )
    s2 = await post(
        f"/api/variedades/{variety['id']}/etapas/", {"nombre": "s2", "orden": 2, "duracion_dias": 20}, admin
    )
    rule = {"parametro": "ph", "minimo": 5.0, "maximo": 7.0}
    r1 = await post(f"/api/etapas/{s1['id']}/reglas/", rule, admin)
    r2 = await post(f"/api/etapas/{s2['id']}/reglas/", rule, admin)
    await post(f"/api/etapas/{s2['id']}/reglas/", {**rule, "parametro": "ce"}, admin)
    assert (await gateway.patch(f"/api/reglas/{r2['id']}/", json={"maximo": 8.0}, headers=admin)).status_code == 200

    field = {"tamano_hectareas": "1.0", "variedad_id": variety["id"], "fecha_siembra": "2025-01-01"}
    f1 = (await post("/api/parcelas/", {**field, "nombre": "F1", "etapa_id": s2["id"]}, owner))["parcela_id"]
    f2 = (await post("/api/parcelas/", {**field, "nombre": "F2"}, owner))["parcela_id"]
    n1 = await post(f"/api/parcelas/{f1}/nodos/create/", {"codigo": f"N1-{secrets.token_hex(3)}"}, owner)
    await post(f"/api/parcelas/{f2}/nodos/create/", {"codigo": f"N2-{secrets.token_hex(3)}"}, owner)
    assert (await gateway.post(f"/api/nodos/{n1['id']}/token/", headers=owner)).status_code == 200
    for plan in ("Básico", "Premium"):
        await post(f"/api/parcelas/{f1}/planes/crear/", {"plan_id": catalogue["plans"][plan]}, owner)
    await post(f"/api/parcelas/{f2}/planes/crear/", {"plan_id": catalogue["plans"]["Básico"]}, owner)
    # Cascades: the stage takes its rules and unpins F1; the field takes its node and subscription.
    assert (await gateway.delete(f"/api/etapas/{s2['id']}/", headers=admin)).status_code == 204
    assert (await gateway.delete(f"/api/parcelas/{f2}/", headers=owner)).status_code == 204

    tenant = workspace.tenant_id
    fields: dict[int, dict[str, Any]] = {}
    nodes: dict[int, dict[str, Any]] = {}
    subscriptions: dict[int, str] = {}
    stages: dict[int, int] = {}
    rules: dict[int, dict[str, Any]] = {}
    for event in await published("agro.>"):
        data, subject = event["data"], event["type"]
        mine = event["tenant_id"] == tenant
        if subject == "agro.field.upserted" and mine:
            fields[data["parcela_id"]] = data
        elif subject == "agro.field.deleted" and mine:
            fields.pop(data["parcela_id"], None)
        elif subject == "agro.node.upserted" and mine:
            nodes[data["nodo_id"]] = data
        elif subject == "agro.node.deleted" and mine:
            nodes.pop(data["nodo_id"], None)
        elif subject == "agro.subscription.changed" and mine:
            if data["estado"] == "eliminado":
                subscriptions.pop(data["suscripcion_id"], None)
            else:
                subscriptions[data["suscripcion_id"]] = data["estado"]
        elif subject == "agro.stage.upserted":
            stages[data["etapa_id"]] = data["variedad_id"]
        elif subject == "agro.stage.deleted":
            stages.pop(data["etapa_id"], None)
        elif subject == "agro.rule.upserted":
            rules[data["regla_id"]] = data
        elif subject == "agro.rule.deleted":
            rules.pop(data["regla_id"], None)

    live_fields = (await gateway.get("/api/parcelas/", headers=owner)).json()["results"]
    assert set(fields) == {f["id"] for f in live_fields} == {f1}
    assert fields[f1]["etapa_fijada_id"] is None, "unpinned when its stage was deleted"
    live_nodes = (await gateway.get("/api/nodos/", headers=owner)).json()
    assert {i: (n["parcela_id"], n["activo"]) for i, n in nodes.items()} == {
        n["id"]: (n["parcela_id"], n["activo"]) for n in live_nodes
    }
    live_subscriptions = (await gateway.get(f"/api/parcelas/{f1}/planes/", headers=owner)).json()
    assert subscriptions == {s["id"]: s["estado"] for s in live_subscriptions}
    assert sorted(subscriptions.values()) == ["activo", "suspendido"]
    live_stages = (await gateway.get(f"/api/variedades/{variety['id']}/etapas/", headers=admin)).json()["results"]
    assert {i for i, v in stages.items() if v == variety["id"]} == {s["id"] for s in live_stages} == {s1["id"]}
    ours = {i: r for i, r in rules.items() if r["etapa_id"] in (s1["id"], s2["id"])}
    assert set(ours) == {r1["id"]}
    live_rule = (await gateway.get(f"/api/reglas/{r1['id']}/", headers=admin)).json()
    assert {k: ours[r1["id"]][k] for k in ("etapa_id", "minimo", "maximo")} == {
        k: live_rule[k] for k in ("etapa_id", "minimo", "maximo")
    }


async def test_a_created_nodes_event_is_in_jetstream_when_agro_answers(
    workspace: Workspace, new_field: NewField, new_node: NewNode, platform_stack: Stack
) -> None:
    """The outbox row is relayed before the 201: a reader of the stream sees the write at once."""
    field_id = await new_field(workspace.farmer_token)
    subject = "agro.node.upserted"
    nc = await nats.connect(platform_stack.nats_url)
    try:
        js = nc.jetstream()
        for n in range(10):
            node = await new_node(workspace.owner_token, field_id, codigo=f"NM-{n}")
            try:
                last = json.loads((await js.get_last_msg(stream_for_subject(subject)[0], subject)).data or b"")
            except NotFoundError:
                last = None
            assert last is not None
            assert last["data"]["nodo_id"] == node.id, f"node {n} was not in JetStream yet"
    finally:
        await nc.close()


async def test_a_stage_change_republishes_the_start_days_it_moved(
    gateway: httpx.AsyncClient, admin_token: str, own_catalogue: OwnCatalogue, published: Any
) -> None:
    """brain looks stages up by `inicio_dias`: a change to one stage re-publishes every stage of
    the variety whose start day it moved, and only those."""
    admin = auth_header(admin_token)
    first, second = own_catalogue.stages  # 10 days each
    third = await gateway.post(
        f"/api/variedades/{own_catalogue.variety}/etapas/",
        json={"nombre": "E3", "orden": 3, "duracion_dias": 5},
        headers=admin,
    )
    assert third.status_code == 201, third.text
    stage_ids = [first, second, third.json()["id"]]

    async def of_variety() -> list[dict[str, Any]]:
        events = await published("agro.stage.upserted")
        return [e["data"] for e in events if e["data"]["variedad_id"] == own_catalogue.variety]

    assert [(e["etapa_id"], e["inicio_dias"]) for e in await of_variety()] == list(
        zip(stage_ids, [0, 10, 20], strict=True)
    )

    assert (await gateway.patch(f"/api/etapas/{first}/", json={"duracion_dias": 4}, headers=admin)).status_code == 200
    moved = (await of_variety())[3:]
    assert [(e["etapa_id"], e["inicio_dias"]) for e in moved] == [(first, 0), (second, 4), (stage_ids[2], 14)]
    assert moved[0]["duracion_dias"] == 4

    assert (await gateway.patch(f"/api/etapas/{first}/", json={"nombre": "E1'"}, headers=admin)).status_code == 200
    assert [(e["etapa_id"], e["nombre"]) for e in (await of_variety())[6:]] == [(first, "E1'")]

    assert (await gateway.delete(f"/api/etapas/{second}/", headers=admin)).status_code == 204
    assert [(e["etapa_id"], e["inicio_dias"]) for e in (await of_variety())[7:]] == [(stage_ids[2], 4)]
