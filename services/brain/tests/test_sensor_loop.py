"""The sensor loop end to end, through the gateway: reading -> brain -> `ia` task -> KPIs."""

import re
import secrets
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import nats

from agro.testing import NewField, NewNode, RegisteredNode
from auth.testing import Workspace, auth_header
from devstack.pytest_plugin import Consumed
from devstack.stack import Stack
from devstack.waiting import eventually
from shared.events import stream_for_subject


async def post_reading(
    gateway: httpx.AsyncClient, node: RegisteredNode, sensor: str, valor: float, unidad: str = "%"
) -> None:
    body = {
        "codigo_nodo_maestro": node.codigo,
        "parcela_id": node.parcela_id,
        "timestamp": datetime.now(UTC).isoformat(),
        "lecturas": [{"nodo_codigo": "N1", "sensores": [{"sensor": sensor, "valor": valor, "unidad": unidad}]}],
    }

    async def accepted() -> httpx.Response | None:
        response = await gateway.post("/api/nodes/ingest/", json=body, headers=node.header)
        return response if response.status_code != 401 else None  # the node's event may still be on its way

    response = await eventually(accepted, "ingest to know the node")
    assert response.status_code == 201, response.text


async def ia_tasks(gateway: httpx.AsyncClient, token: str, field_id: int) -> list[dict[str, Any]]:
    response = await gateway.get(f"/api/parcelas/{field_id}/tareas/?origen=ia", headers=auth_header(token))
    assert response.status_code == 200, response.text
    return list(response.json()["results"])


async def stage_rule(gateway: httpx.AsyncClient, token: str, stage_id: int, parametro: str) -> dict[str, Any]:
    rules = (await gateway.get(f"/api/etapas/{stage_id}/reglas/", headers=auth_header(token))).json()["results"]
    return next(rule for rule in rules if rule["parametro"] == parametro)


def of_rule(tasks: list[dict[str, Any]], rule: dict[str, Any]) -> list[dict[str, Any]]:
    """The tasks suggested by that rule (004's wording names it: "... (regla 5) — ...")."""
    return [task for task in tasks if f"(regla {rule['id']})" in task["descripcion"]]


async def test_a_reading_below_minimum_becomes_an_ia_task_the_farmer_rejects(
    gateway: httpx.AsyncClient,
    workspace: Workspace,
    new_field: NewField,
    new_node: NewNode,
    catalogue: dict[str, Any],
    published: Any,
    admin_token: str,
) -> None:
    farmer = workspace.farmer_token
    field_id = await new_field(farmer, variedad_id=catalogue["variety"], fecha_siembra=date.today().isoformat())
    node = await new_node(workspace.owner_token, field_id)
    rule = await stage_rule(gateway, admin_token, catalogue["stages"][0], "humedad_suelo")  # Germinación: 60..80
    heat = await stage_rule(gateway, admin_token, catalogue["stages"][0], "temperatura")  # Germinación: 18..30

    await post_reading(gateway, node, "humedad_suelo", 18.2)
    [task] = await eventually(lambda: ia_tasks(gateway, farmer, field_id), "the violation's ia task")
    assert task["origen"] == "ia"
    assert task["decision"] == "pendiente"
    assert task["tipo"] == rule["accion_si_menor"]
    assert (
        task["descripcion"] == f"{rule['accion_si_menor']} (regla {rule['id']}) — parametro=humedad_suelo, valor=18.2"
    )
    [alert] = [e for e in await published("brain.alert.raised") if e["data"]["parcela_id"] == field_id]
    assert alert["data"]["severity"] == "critical"  # 41.8 under a band 20 wide
    assert alert["tenant_id"] == workspace.tenant_id

    # While it is open, another violation suggests nothing new. A later violation of another
    # rule is the proof: brain evaluates readings, and agro takes suggestions, in order.
    await post_reading(gateway, node, "humedad_suelo", 55.0)
    await post_reading(gateway, node, "temperatura", 10.0, "C")

    async def heat_task() -> list[dict[str, Any]]:
        return of_rule(await ia_tasks(gateway, farmer, field_id), heat)

    await eventually(heat_task, "the later violation's ia task")
    assert of_rule(await ia_tasks(gateway, farmer, field_id), rule) == [task]

    async def heat_alert() -> list[dict[str, Any]] | None:
        found = [e for e in await published("brain.alert.raised") if e["data"]["parcela_id"] == field_id]
        return found if any(e["data"]["regla_id"] == heat["id"] for e in found) else None

    alerts = await eventually(heat_alert, "the later violation's alert")
    assert [e["data"]["regla_id"] for e in alerts] == [rule["id"], heat["id"]]
    assert alerts[0] == alert

    rejected = await gateway.post(f"/api/tareas/{task['id']}/reject/", headers=auth_header(farmer))
    assert rejected.status_code == 200, rejected.text

    async def kpis_count_it() -> dict[str, Any] | None:
        body = (await gateway.get("/api/brain/kpis/?days=1", headers=auth_header(farmer))).json()
        # Creations and decisions reach brain on consumers of their own: wait for both.
        return body if (body["tareas_ia_generadas"], body["tareas_ia_rechazadas"]) == (2, 1) else None

    assert await eventually(kpis_count_it, "the rejection in the KPIs") == {
        "tareas_totales": 2,
        "tareas_ia_generadas": 2,
        "tareas_ia_aceptadas": 0,
        "tareas_ia_rechazadas": 1,
        "parcelas_monitoreadas": 1,
    }

    history = (
        await gateway.get(
            f"/api/brain/history/?parcela_id={field_id}&parametro=humedad_suelo&bucket=hour",
            headers=auth_header(farmer),
        )
    ).json()
    assert history["parcela_id"] == field_id
    assert history["bucket"] == "hour"
    [point] = history["series"]
    assert (point["min"], point["max"], point["avg"]) == (18.2, 55.0, (18.2 + 55.0) / 2)
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:00:00Z", point["t"])
    series = (
        await gateway.get(
            f"/api/brain/series/?parcela_id={field_id}&parametro=humedad_suelo", headers=auth_header(farmer)
        )
    ).json()
    assert [p["v"] for p in series["points"]] == [18.2, 55.0]

    # Rejected, the suggestion is closed: the next violation suggests again.
    await post_reading(gateway, node, "humedad_suelo", 50.0)

    async def suggested_again() -> list[dict[str, Any]]:
        return of_rule(await ia_tasks(gateway, farmer, field_id), rule)  # the rejected one is hidden from lists

    [again] = await eventually(suggested_again, "a new suggestion once the first was rejected")
    assert again["id"] != task["id"]


async def test_a_field_moves_to_its_next_stages_rules_by_date_alone(
    gateway: httpx.AsyncClient,
    workspace: Workspace,
    new_field: NewField,
    new_node: NewNode,
    catalogue: dict[str, Any],
    admin_token: str,
) -> None:
    farmer = workspace.farmer_token
    sown = (date.today() - timedelta(days=20)).isoformat()  # Germinación lasts 10 days: now Crecimiento
    field_id = await new_field(farmer, variedad_id=catalogue["variety"], fecha_siembra=sown)
    node = await new_node(workspace.owner_token, field_id)
    growth = await stage_rule(gateway, admin_token, catalogue["stages"][1], "humedad_suelo")  # 50..70

    # 55 is too dry for Germinación, fine now; 75 is fine for Germinación, too wet now. Read
    # with Germinación's rules, the first would suggest and the second would not: the one task
    # there is, once the later reading was evaluated, must be the second's.
    await post_reading(gateway, node, "humedad_suelo", 55.0)
    await post_reading(gateway, node, "humedad_suelo", 75.0)
    [task] = await eventually(lambda: ia_tasks(gateway, farmer, field_id), "the ia task of the second reading")
    assert task["descripcion"].startswith(f"{growth['accion_si_mayor']} (regla {growth['id']})")


async def test_a_stage_duration_changed_in_agro_moves_brain_to_the_right_stages_rules(
    gateway: httpx.AsyncClient,
    workspace: Workspace,
    new_field: NewField,
    new_node: NewNode,
    admin_token: str,
    published: Any,
    consumed: Consumed,
    platform_stack: Stack,
) -> None:
    """brain does not count stages: when agro lengthens the first stage, it re-publishes the
    second's start day, and brain applies the first stage's rules again on the same day."""
    admin = auth_header(admin_token)

    async def post(path: str, body: dict[str, Any]) -> int:
        response = await gateway.post(path, json=body, headers=admin)
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    async def brain_caught_up(subject: str, durable: str) -> None:
        """Returns once brain's consumer has acked the newest message on `subject`."""
        nc = await nats.connect(platform_stack.nats_url)
        try:
            last = await nc.jetstream().get_last_msg(stream_for_subject(subject)[0], subject)
        finally:
            await nc.close()
        assert last.seq is not None
        await consumed(subject, durable, last.seq)

    async def second_starts_on(day: int) -> bool:
        events = await published("agro.stage.upserted")
        starts = [e["data"]["inicio_dias"] for e in events if e["data"]["etapa_id"] == second]
        return bool(starts) and starts[-1] == day

    # A catalogue of this test's own (the demo one is every workspace's): 10 days at 60..80, then 50..70.
    crop = await post("/api/cultivos/", {"nombre": f"Cultivo-{secrets.token_hex(4)}"})
    variety = await post(f"/api/cultivos/{crop}/variedades/", {"nombre": "Prueba"})
    first = await post(f"/api/variedades/{variety}/etapas/", {"nombre": "A", "orden": 1, "duracion_dias": 10})
    second = await post(f"/api/variedades/{variety}/etapas/", {"nombre": "B", "orden": 2, "duracion_dias": 35})
    band = {"parametro": "humedad_suelo", "accion_si_menor": "regar", "accion_si_mayor": "reducir_riego"}
    early = await post(f"/api/etapas/{first}/reglas/", {**band, "minimo": 60, "maximo": 80})
    late = await post(f"/api/etapas/{second}/reglas/", {**band, "minimo": 50, "maximo": 70})

    farmer = workspace.farmer_token
    sown = (date.today() - timedelta(days=15)).isoformat()  # day 15: the second stage
    field_id = await new_field(farmer, variedad_id=variety, fecha_siembra=sown)
    node = await new_node(workspace.owner_token, field_id)
    await eventually(lambda: second_starts_on(10), "agro to publish the second stage's start day")
    for subject, durable in (
        ("agro.stage.upserted", "brain-stage-upserted"),
        ("agro.rule.upserted", "brain-rule-upserted"),
        ("agro.field.upserted", "brain-field-upserted"),
    ):
        await brain_caught_up(subject, durable)

    # 75 is fine for the first stage, too wet for the second.
    await post_reading(gateway, node, "humedad_suelo", 75.0)
    [wet] = await eventually(lambda: ia_tasks(gateway, farmer, field_id), "the second stage's ia task")
    assert wet["descripcion"].startswith(f"reducir_riego (regla {late})")

    # The first stage now lasts 20 days: day 15 is in it again, and brain must follow.
    patched = await gateway.patch(f"/api/etapas/{first}/", json={"duracion_dias": 20}, headers=admin)
    assert patched.status_code == 200, patched.text
    await eventually(lambda: second_starts_on(20), "agro to re-publish the second stage's start day")
    await brain_caught_up("agro.stage.upserted", "brain-stage-upserted")

    # 55 is fine for the second stage, too dry for the first.
    await post_reading(gateway, node, "humedad_suelo", 55.0)

    async def dry_task() -> list[dict[str, Any]]:
        return [t for t in await ia_tasks(gateway, farmer, field_id) if t["id"] != wet["id"]]

    [dry] = await eventually(dry_task, "the first stage's ia task")
    assert dry["descripcion"].startswith(f"regar (regla {early})")


async def test_another_workspaces_field_is_not_found_and_caps_answer_400(
    gateway: httpx.AsyncClient, workspace: Workspace, new_field: NewField, token: str
) -> None:
    field_id = await new_field(workspace.farmer_token)
    farmer = auth_header(workspace.farmer_token)
    await eventually(lambda: _visible(gateway, farmer, field_id), "brain to know the field")
    assert await _visible(gateway, auth_header(token), field_id)  # the workspace's owner sees every field
    email, password = f"otro-{secrets.token_hex(4)}@example.com", "otra-clave-segura"
    assert (await gateway.post("/users/", json={"email": email, "password": password})).status_code == 200
    login = await gateway.post("/api/auth/login", json={"username": email, "password": password})
    outsider = {"Authorization": f"Bearer {login.json()['access_token']}"}
    for path in ("history", "series"):
        url = f"/api/brain/{path}/?parcela_id={field_id}&parametro=humedad_suelo"
        assert (await gateway.get(url, headers=outsider)).status_code == 404

    history = f"/api/brain/history/?parcela_id={field_id}"
    cases = {
        f"{history}&bucket=minute&from=2025-01-01T00:00:00Z&to=2025-03-01T00:00:00Z": 400,  # 84,960 buckets
        f"{history}&from=2020-01-01T00:00:00Z&to=2025-01-01T00:00:00Z": 400,  # five years
        f"{history}&from=2025-01-02T00:00:00Z&to=2025-01-01T00:00:00Z": 400,
        f"{history}&bucket=day&tz=Marte/Olympus": 400,
        f"{history}&bucket=week": 400,
        "/api/brain/kpis/?scope=global": 403,
        "/api/brain/history/?parcela_id=999999999": 404,
    }
    for url, status in cases.items():
        response = await gateway.get(url, headers=farmer)
        assert response.status_code == status, (url, response.text)
        assert isinstance(response.json()["detail"], str)


async def _visible(gateway: httpx.AsyncClient, headers: dict[str, str], field_id: int) -> bool:
    return (await gateway.get(f"/api/brain/history/?parcela_id={field_id}", headers=headers)).status_code == 200
