"""Tasks, recommendations, and brain's suggestions arriving as events."""

from datetime import UTC, datetime
from typing import Any

import httpx
import nats

from auth.testing import Workspace, auth_header
from devstack.stack import Stack
from devstack.waiting import eventually
from shared.events import Envelope

TASK_KEYS = {
    "id", "parcela", "tipo", "descripcion", "fecha_programada", "estado", "origen", "decision", "deleted_at",
    "created_at", "updated_at",
}  # fmt: skip


async def _publish_suggestion(stack: Stack, envelope: Envelope, times: int = 1) -> int:
    """The stream sequence of the last copy published."""
    nc = await nats.connect(stack.nats_url)
    try:
        js = nc.jetstream()
        for _ in range(times):
            # No Nats-Msg-Id: every copy is stored, as after JetStream's duplicate window.
            ack = await js.publish("brain.task.suggested", envelope.model_dump_json().encode())
        return int(ack.seq)
    finally:
        await nc.close()


def _suggestion(workspace: Workspace, field_id: int, regla_id: int = 5) -> Envelope:
    return Envelope(
        type="brain.task.suggested",
        source="brain",
        tenant_id=workspace.tenant_id,
        data={"parcela_id": field_id, "regla_id": regla_id, "tipo": "riego",
              "descripcion": "Regar 30 min (regla 5) — parametro=humedad_suelo, valor=18.2",
              "fecha_programada": "2025-10-23T11:30:00+00:00"},
    )  # fmt: skip


async def _ia_tasks(gateway: httpx.AsyncClient, headers: dict[str, str], field_id: int, expect: int) -> list[Any]:
    """The field's `ia` tasks, once there are at least `expect`."""

    async def listed() -> list[Any] | None:
        page = (await gateway.get(f"/api/parcelas/{field_id}/tareas/?origen=ia", headers=headers)).json()
        return list(page["results"]) if page["count"] >= expect else None

    return await eventually(listed, f"{expect} ia tasks on field {field_id}", seconds=5, interval=0.1)


async def test_manual_task_lifecycle(gateway: httpx.AsyncClient, workspace: Workspace, new_field: Any) -> None:
    farmer = auth_header(workspace.farmer_token)
    field_id = await new_field(workspace.farmer_token)
    created = await gateway.post(
        f"/api/parcelas/{field_id}/tareas/",
        json={"tipo": "fertilización", "descripcion": "NPK 15-15-15", "fecha_programada": "2025-10-24T08:00:00Z",
              "estado": "pendiente"},
        headers=farmer,
    )  # fmt: skip
    assert created.status_code == 201
    task = created.json()
    assert set(task) == TASK_KEYS
    assert (task["parcela"], task["origen"], task["decision"], task["deleted_at"]) == (
        field_id,
        "manual",
        "pendiente",
        None,
    )
    patched = await gateway.patch(f"/api/tareas/{task['id']}/", json={"estado": "en_progreso"}, headers=farmer)
    assert patched.json()["estado"] == "en_progreso"
    assert (await gateway.delete(f"/api/tareas/{task['id']}/", headers=farmer)).status_code == 204
    assert (await gateway.get(f"/api/parcelas/{field_id}/tareas/", headers=farmer)).json()["count"] == 0
    history = (await gateway.get(f"/api/parcelas/{field_id}/tareas/?include_deleted=true", headers=farmer)).json()
    assert history["count"] == 1
    assert history["results"][0]["deleted_at"] is not None


async def test_task_filters(gateway: httpx.AsyncClient, workspace: Workspace, new_field: Any) -> None:
    farmer = auth_header(workspace.farmer_token)
    field_id = await new_field(workspace.farmer_token)
    for tipo, when, estado in (
        ("riego", "2025-01-10T08:00:00Z", "pendiente"),
        ("poda", "2025-03-10T08:00:00Z", "completada"),
    ):
        body = {"tipo": tipo, "descripcion": f"hacer {tipo}", "fecha_programada": when, "estado": estado}
        assert (await gateway.post(f"/api/parcelas/{field_id}/tareas/", json=body, headers=farmer)).status_code == 201
    base = f"/api/parcelas/{field_id}/tareas/"

    async def count(query: str) -> int:
        return int((await gateway.get(base + query, headers=farmer)).json()["count"])

    assert await count("") == 2
    assert await count("?estado=completada") == 1
    assert await count("?origen=manual&decision=pendiente") == 2
    assert await count("?from=2025-02-01T00:00:00Z") == 1
    assert await count("?to=2025-02-01T00:00:00Z") == 1
    assert await count("?search=poda") == 1
    bad = await gateway.get(base + "?estado=hecha", headers=farmer)
    assert bad.status_code == 400
    assert "estado" in bad.json()


async def test_wrong_enum_on_create_is_400(gateway: httpx.AsyncClient, workspace: Workspace, new_field: Any) -> None:
    field_id = await new_field(workspace.farmer_token)
    response = await gateway.post(
        f"/api/parcelas/{field_id}/tareas/",
        json={"tipo": "x", "estado": "terminada"},
        headers=auth_header(workspace.farmer_token),
    )
    assert response.status_code == 400
    assert set(response.json()) == {"detail", "estado"}


async def test_suggestion_delivered_twice_creates_one_ia_task(
    gateway: httpx.AsyncClient, workspace: Workspace, new_field: Any, platform_stack: Stack, consumed: Any
) -> None:
    farmer = auth_header(workspace.farmer_token)
    field_id = await new_field(workspace.farmer_token)
    seq = await _publish_suggestion(platform_stack, _suggestion(workspace, field_id), times=2)
    await consumed("brain.task.suggested", "agro-task-suggested", seq)  # both copies handled
    tasks = await _ia_tasks(gateway, farmer, field_id, expect=1)
    assert len(tasks) == 1
    assert (tasks[0]["origen"], tasks[0]["decision"], tasks[0]["tipo"]) == ("ia", "pendiente", "riego")

    # A new event for the same open suggestion is not duplicated either.
    seq = await _publish_suggestion(platform_stack, _suggestion(workspace, field_id))
    await consumed("brain.task.suggested", "agro-task-suggested", seq)
    assert len(await _ia_tasks(gateway, farmer, field_id, expect=1)) == 1
    recs = (await gateway.get(f"/api/parcelas/{field_id}/recomendaciones/", headers=farmer)).json()
    assert [r["id"] for r in recs["results"]] == [tasks[0]["id"]]


async def test_rejecting_an_ia_task_hides_it_and_publishes_the_decision(
    gateway: httpx.AsyncClient, workspace: Workspace, new_field: Any, platform_stack: Stack, published: Any
) -> None:
    farmer = auth_header(workspace.farmer_token)
    field_id = await new_field(workspace.farmer_token)
    await _publish_suggestion(platform_stack, _suggestion(workspace, field_id, regla_id=7))
    await _publish_suggestion(platform_stack, _suggestion(workspace, field_id, regla_id=8))
    first, second = sorted(t["id"] for t in await _ia_tasks(gateway, farmer, field_id, expect=2))

    assert (await gateway.post(f"/api/tareas/{first}/accept/", headers=farmer)).json() == {"detail": "Aceptado"}
    assert (await gateway.post(f"/api/tareas/{second}/reject/", headers=farmer)).json() == {"detail": "Rechazado"}
    visible = (await gateway.get(f"/api/parcelas/{field_id}/tareas/", headers=farmer)).json()["results"]
    assert [(t["id"], t["decision"]) for t in visible] == [(first, "aceptada")]
    rejected = (await gateway.get(f"/api/tareas/{second}/", headers=farmer)).json()
    assert rejected["decision"] == "rechazada"
    assert rejected["deleted_at"] is not None

    decided = [event["data"] for event in await published("agro.task.decided")]
    mine = {d["tarea_id"]: d["decision"] for d in decided if d["parcela_id"] == field_id}
    assert mine == {first: "aceptada", second: "rechazada"}


async def test_patching_decision_rejects_like_reject(
    gateway: httpx.AsyncClient, workspace: Workspace, new_field: Any
) -> None:
    farmer = auth_header(workspace.farmer_token)
    field_id = await new_field(workspace.farmer_token)
    rec = await gateway.post(f"/api/parcelas/{field_id}/recomendaciones/", json={"tipo": "poda"}, headers=farmer)
    assert rec.json()["origen"] == "ia"
    patched = await gateway.patch(f"/api/tareas/{rec.json()['id']}/", json={"decision": "rechazada"}, headers=farmer)
    assert patched.json()["deleted_at"] is not None


async def test_staff_lists_every_task_and_farmers_are_kept_to_their_own(
    gateway: httpx.AsyncClient, workspace: Workspace, add_member: Any, new_field: Any
) -> None:
    other = await add_member("agricultor")
    their_field = await new_field(other.token)
    task = (
        await gateway.post(
            f"/api/parcelas/{their_field}/tareas/", json={"tipo": "riego"}, headers=auth_header(other.token)
        )
    ).json()
    farmer = auth_header(workspace.farmer_token)
    for method, path in (
        ("GET", f"/api/tareas/{task['id']}/"),
        ("PATCH", f"/api/tareas/{task['id']}/"),
        ("DELETE", f"/api/tareas/{task['id']}/"),
        ("POST", f"/api/tareas/{task['id']}/accept/"),
    ):
        response = await gateway.request(method, path, json={} if method == "PATCH" else None, headers=farmer)
        assert response.status_code == 404, (method, path)  # fmt: skip
    assert (await gateway.get("/api/tareas/", headers=farmer)).status_code == 403
    owner = auth_header(workspace.owner_token)
    assert (await gateway.get("/api/tareas/", headers=owner)).json()["count"] == 1
    created = await gateway.post(
        "/api/tareas/",
        json={"parcela": their_field, "tipo": "cosecha", "fecha_programada": datetime.now(UTC).isoformat()},
        headers=owner,
    )
    assert created.status_code == 201
    assert (await gateway.get("/api/recomendaciones/", headers=owner)).json()["count"] == 0


async def test_suggestion_for_an_unknown_field_is_dropped_and_the_next_one_processed(
    gateway: httpx.AsyncClient, workspace: Workspace, new_field: Any, platform_stack: Stack
) -> None:
    field_id = await new_field(workspace.farmer_token)
    await _publish_suggestion(platform_stack, _suggestion(workspace, 987654321))
    await _publish_suggestion(platform_stack, _suggestion(workspace, field_id, regla_id=11))
    tasks = await _ia_tasks(gateway, auth_header(workspace.farmer_token), field_id, expect=1)
    assert len(tasks) == 1


async def test_recommendations_admin_endpoints(
    gateway: httpx.AsyncClient, workspace: Workspace, new_field: Any
) -> None:
    owner = auth_header(workspace.owner_token)
    field_id = await new_field(workspace.farmer_token)
    rec = (
        await gateway.post(f"/api/parcelas/{field_id}/recomendaciones/", json={"tipo": "riego"}, headers=owner)
    ).json()
    manual = (await gateway.post(f"/api/parcelas/{field_id}/tareas/", json={"tipo": "poda"}, headers=owner)).json()
    assert [r["id"] for r in (await gateway.get("/api/recomendaciones/", headers=owner)).json()["results"]] == [
        rec["id"]
    ]
    assert (await gateway.get(f"/api/recomendaciones/{manual['id']}/", headers=owner)).status_code == 404
    put = await gateway.put(
        f"/api/recomendaciones/{rec['id']}/", json={"tipo": "riego", "descripcion": "20 min"}, headers=owner
    )
    assert put.json()["descripcion"] == "20 min"
    patch = await gateway.patch(f"/api/recomendaciones/{rec['id']}/", json={"decision": "aceptada"}, headers=owner)
    assert patch.json()["decision"] == "aceptada"
    assert (await gateway.delete(f"/api/recomendaciones/{rec['id']}/", headers=owner)).status_code == 204
    assert (await gateway.get("/api/recomendaciones/", headers=owner)).json()["count"] == 0
    farmer = auth_header(workspace.farmer_token)
    assert (await gateway.get("/api/recomendaciones/", headers=farmer)).status_code == 403
