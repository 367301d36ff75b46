"""Fields (parcelas) and their plan subscriptions."""

from datetime import date, timedelta
from typing import Any

import httpx

from auth.testing import Workspace, auth_header

FIELD_KEYS = {
    "id", "nombre", "ubicacion", "tamano_hectareas", "coordenadas", "variedad_id", "fecha_siembra",
    "etapa_actual", "plan_activo", "usuario", "created_at", "updated_at",
}  # fmt: skip


async def test_create_with_plan_answers_the_documented_shape(
    gateway: httpx.AsyncClient, farmer_headers: dict[str, str], catalogue: dict[str, Any], workspace: Workspace
) -> None:
    response = await gateway.post(
        "/api/parcelas/",
        json={"nombre": "Parcela A", "ubicacion": "Cusco", "tamano_hectareas": "2.5", "coordenadas": "-13.5,-71.9",
              "plan_id": catalogue["plans"]["Básico"]},
        headers=farmer_headers,
    )  # fmt: skip
    assert response.status_code == 201
    assert response.json() == {"parcela_id": response.json()["parcela_id"], "plan": "Básico"}
    field = (await gateway.get(f"/api/parcelas/{response.json()['parcela_id']}/", headers=farmer_headers)).json()
    assert set(field) == FIELD_KEYS
    assert field["tamano_hectareas"] == "2.50"
    assert field["plan_activo"] == "Básico"
    assert field["usuario"] == workspace.farmer_id, "the owner's user id, an integer as DRF renders a FK"


async def test_current_stage_follows_the_sowing_date(
    gateway: httpx.AsyncClient,
    workspace: Workspace,
    new_field: Any,
    catalogue: dict[str, Any],
    farmer_headers: dict[str, str],
) -> None:
    # Cherry: 10 days of germination, then 35 of growth.
    sown = (date.today() - timedelta(days=15)).isoformat()
    field_id = await new_field(workspace.farmer_token, variedad_id=catalogue["variety"], fecha_siembra=sown)
    field = (await gateway.get(f"/api/parcelas/{field_id}/", headers=farmer_headers)).json()
    assert field["etapa_actual"] == catalogue["stages"][1]
    pinned = await gateway.patch(
        f"/api/parcelas/{field_id}/", json={"etapa_id": catalogue["stages"][2]}, headers=farmer_headers
    )
    assert pinned.json()["etapa_actual"] == catalogue["stages"][2]


async def test_bad_field_input_is_400_in_the_004_shape(
    gateway: httpx.AsyncClient, farmer_headers: dict[str, str], catalogue: dict[str, Any]
) -> None:
    negative = await gateway.post(
        "/api/parcelas/", json={"nombre": "X", "tamano_hectareas": "-1"}, headers=farmer_headers
    )
    assert negative.status_code == 400
    assert set(negative.json()) == {"detail", "tamano_hectareas"}
    unknown_plan = await gateway.post(
        "/api/parcelas/", json={"nombre": "X", "tamano_hectareas": "1", "plan_id": 999999}, headers=farmer_headers
    )
    assert unknown_plan.status_code == 400
    assert unknown_plan.json()["plan_id"] == ["Plan no encontrado."]
    foreign_stage = await gateway.post(
        "/api/parcelas/",
        json={"nombre": "X", "tamano_hectareas": "1", "variedad_id": catalogue["variety"], "etapa_id": 999999},
        headers=farmer_headers,
    )
    assert foreign_stage.status_code == 400
    assert (await gateway.get("/api/parcelas/?ordering=password", headers=farmer_headers)).status_code == 400


async def test_farmers_see_only_their_fields_and_staff_see_the_workspace(
    gateway: httpx.AsyncClient, workspace: Workspace, add_member: Any, new_field: Any, owner_headers: dict[str, str]
) -> None:
    mine = await new_field(workspace.farmer_token, nombre="Mía", ubicacion="Cusco")
    other_farmer = await add_member("agricultor")
    theirs = await new_field(other_farmer.token, nombre="Ajena", ubicacion="Arequipa")
    farmer = auth_header(workspace.farmer_token)

    listed = (await gateway.get("/api/parcelas/", headers=farmer)).json()
    assert [f["id"] for f in listed["results"]] == [mine]
    for method, body in (("GET", None), ("PATCH", {"nombre": "robada"}), ("DELETE", None)):
        response = await gateway.request(method, f"/api/parcelas/{theirs}/", json=body, headers=farmer)
        assert response.status_code == 404, method

    staff = (await gateway.get("/api/parcelas/?ordering=-nombre", headers=owner_headers)).json()
    assert [f["nombre"] for f in staff["results"]] == ["Mía", "Ajena"]
    assert (await gateway.get("/api/parcelas/?ubicacion=areq", headers=owner_headers)).json()["count"] == 1
    assert (await gateway.get("/api/parcelas/?search=mí", headers=owner_headers)).json()["count"] == 1


async def test_another_workspace_sees_nothing(
    gateway: httpx.AsyncClient, workspace: Workspace, new_field: Any, admin_token: str
) -> None:
    field_id = await new_field(workspace.farmer_token)
    other = auth_header(admin_token)
    assert (await gateway.get(f"/api/parcelas/{field_id}/", headers=other)).status_code == 404
    assert (await gateway.get(f"/api/parcelas/{field_id}/tareas/", headers=other)).status_code == 404


async def test_field_update_and_delete(gateway: httpx.AsyncClient, workspace: Workspace, new_field: Any) -> None:
    farmer = auth_header(workspace.farmer_token)
    field_id = await new_field(workspace.farmer_token)
    put = await gateway.put(
        f"/api/parcelas/{field_id}/", json={"nombre": "Nueva", "tamano_hectareas": "3"}, headers=farmer
    )
    assert put.status_code == 200
    assert put.json()["nombre"] == "Nueva"
    assert put.json()["ubicacion"] == ""
    assert (await gateway.delete(f"/api/parcelas/{field_id}/", headers=farmer)).status_code == 204
    assert (await gateway.get(f"/api/parcelas/{field_id}/", headers=farmer)).status_code == 404


async def test_changing_plan_suspends_the_previous_one(
    gateway: httpx.AsyncClient, workspace: Workspace, new_field: Any, catalogue: dict[str, Any]
) -> None:
    farmer = auth_header(workspace.farmer_token)
    field_id = await new_field(workspace.farmer_token, plan_id=catalogue["plans"]["Básico"])
    changed = await gateway.post(
        f"/api/parcelas/{field_id}/planes/crear/", json={"plan_id": catalogue["plans"]["Premium"]}, headers=farmer
    )
    assert changed.status_code == 201
    premium = catalogue["plans"]["Premium"]
    assert changed.json() == {
        "id": changed.json()["id"],
        "parcela_id": field_id,
        "plan_id": premium,
        "estado": "activo",
    }
    history = (await gateway.get(f"/api/parcelas/{field_id}/planes/", headers=farmer)).json()
    assert [(s["plan_id"], s["estado"]) for s in history] == [
        (catalogue["plans"]["Básico"], "suspendido"),
        (catalogue["plans"]["Premium"], "activo"),
    ]
    assert history[0]["fecha_fin"] is not None
    assert set(history[0]) == {"id", "parcela_id", "plan_id", "estado", "fecha_inicio", "fecha_fin"}

    # A second active plan is refused by the database's partial unique index.
    second = await gateway.patch(f"/api/parcelas/planes/{history[0]['id']}/", json={"estado": "activo"}, headers=farmer)
    assert second.status_code == 400
    assert "activo" in second.json()["detail"]
    detail = await gateway.get(f"/api/parcelas/planes/{history[1]['id']}/", headers=farmer)
    assert detail.json()["estado"] == "activo"
    assert (await gateway.delete(f"/api/parcelas/planes/{history[0]['id']}/", headers=farmer)).status_code == 204
    assert (await gateway.get(f"/api/parcelas/planes/{history[0]['id']}/", headers=farmer)).status_code == 404
