"""Input PostgreSQL would refuse answers 400 in 004's shape, never 500 (the fuzz findings)."""

from typing import Any

import httpx
import pytest

from auth.testing import Workspace, auth_header

from .conftest import OwnCatalogue

HUGE = "99999999999999999999"


@pytest.mark.parametrize(
    "path",
    [f"/api/planes/{HUGE}/", f"/api/planes/?page={HUGE}", "/api/planes/?page_size=1&page=9223372036854775807"],
)
async def test_integers_beyond_64_bits_in_public_paths_and_queries(gateway: httpx.AsyncClient, path: str) -> None:
    response = await gateway.get(path)
    assert response.status_code == 400, response.text
    assert "detail" in response.json()


async def test_integers_beyond_the_column_and_nul_and_nulls_in_bodies(
    gateway: httpx.AsyncClient, admin_token: str, own_catalogue: OwnCatalogue
) -> None:
    admin = auth_header(admin_token)
    stage_id = own_catalogue.stages[0]
    too_wide = await gateway.patch(f"/api/etapas/{stage_id}/", json={"orden": 5738665608}, headers=admin)
    assert too_wide.status_code == 400
    assert "orden" in too_wide.json()
    nul = await gateway.patch(f"/api/etapas/{stage_id}/", json={"nombre": "a\u0000b"}, headers=admin)
    assert nul.status_code == 400
    assert "nombre" in nul.json()
    rule = await gateway.post(
        f"/api/etapas/{stage_id}/reglas/", json={"parametro": "ph", "minimo": 5.5, "maximo": 7.0}, headers=admin
    )
    assert rule.status_code == 201
    cleared = await gateway.patch(f"/api/reglas/{rule.json()['id']}/", json={"maximo": None}, headers=admin)
    assert cleared.status_code == 400
    assert cleared.json()["maximo"] == ["Este campo no puede ser nulo."]
    assert (await gateway.get(f"/api/reglas/{rule.json()['id']}/", headers=admin)).json()["maximo"] == 7.0


async def test_nulls_nul_and_huge_ids_on_a_farmers_routes(
    gateway: httpx.AsyncClient, workspace: Workspace, new_field: Any
) -> None:
    farmer = auth_header(workspace.farmer_token)
    field_id = await new_field(workspace.farmer_token, fecha_siembra="2025-01-01")
    assert (await gateway.get("/api/parcelas/?search=%00", headers=farmer)).status_code == 400
    assert (await gateway.get(f"/api/parcelas/{HUGE}/", headers=farmer)).status_code == 400
    task = await gateway.post(f"/api/parcelas/{field_id}/tareas/", json={"tipo": "riego"}, headers=farmer)
    assert task.status_code == 201
    task_id = task.json()["id"]
    assert (await gateway.patch(f"/api/tareas/{task_id}/", json={"estado": None}, headers=farmer)).status_code == 400
    # A nullable column may still be cleared with an explicit null.
    cleared = await gateway.patch(f"/api/parcelas/{field_id}/", json={"fecha_siembra": None}, headers=farmer)
    assert cleared.status_code == 200, cleared.text
    assert cleared.json()["fecha_siembra"] is None


async def test_a_huge_field_id_in_a_task_body_is_400(gateway: httpx.AsyncClient, workspace: Workspace) -> None:
    """`POST /api/tareas/` is staff's (a farmer is refused before the body is read): the owner's
    body reaches the 64-bit check on `parcela`."""
    body = {"tipo": "riego", "descripcion": "regar", "parcela": int(HUGE)}
    response = await gateway.post("/api/tareas/", json=body, headers=auth_header(workspace.owner_token))
    assert response.status_code == 400, response.text
    assert "parcela" in response.json()
