"""Crops, varieties, stages, rules and plans through the gateway."""

from typing import Any

import httpx

from auth.testing import auth_header

from .conftest import OwnCatalogue


async def test_demo_catalogue_is_loaded(gateway: httpx.AsyncClient, catalogue: dict[str, Any]) -> None:
    assert len(catalogue["stages"]) == 3
    assert set(catalogue["plans"]) >= {"Básico", "Estándar", "Premium"}


async def test_plans_are_public_with_the_documented_shape(gateway: httpx.AsyncClient) -> None:
    page = (await gateway.get("/api/planes/")).json()
    assert set(page) == {"count", "next", "previous", "results"}
    basico = next(p for p in page["results"] if p["nombre"] == "Básico")
    assert set(basico) == {
        "id", "nombre", "descripcion", "frecuencia_minutos", "veces_por_dia", "horarios_por_defecto",
        "limite_lecturas_dia", "precio", "created_at", "updated_at",
        # additions: how long brain keeps the plan's fields' readings, with their defaults
        "retencion_lecturas_dias", "retencion_horaria_meses", "retencion_diaria_anios",
    }  # fmt: skip
    assert (basico["retencion_lecturas_dias"], basico["retencion_horaria_meses"], basico["retencion_diaria_anios"]) == (
        30, 12, 10,
    )  # fmt: skip
    assert basico["precio"] == "0.00"
    assert basico["horarios_por_defecto"] == ["07:00", "15:00", "22:00"]
    assert (await gateway.get(f"/api/planes/{basico['id']}/")).json() == basico


async def test_admin_crud_over_the_whole_catalogue(gateway: httpx.AsyncClient, admin_token: str) -> None:
    admin = auth_header(admin_token)
    crop = await gateway.post("/api/cultivos/", json={"nombre": "Quinua-test", "descripcion": "Andina"}, headers=admin)
    assert crop.status_code == 201
    assert set(crop.json()) == {"id", "nombre", "descripcion"}
    crop_id = crop.json()["id"]
    variety = await gateway.post(f"/api/cultivos/{crop_id}/variedades/", json={"nombre": "Blanca"}, headers=admin)
    assert variety.status_code == 201
    assert variety.json()["cultivo_id"] == crop_id
    variety_id = variety.json()["id"]
    listed = (await gateway.get(f"/api/cultivos/{crop_id}/variedades/", headers=admin)).json()
    assert [v["id"] for v in listed] == [variety_id]
    stage = await gateway.post(
        f"/api/variedades/{variety_id}/etapas/", json={"nombre": "Siembra", "duracion_dias": 20}, headers=admin
    )
    assert stage.status_code == 201
    stage_id = stage.json()["id"]
    rule = await gateway.post(
        f"/api/etapas/{stage_id}/reglas/",
        json={"parametro": "humedad_suelo", "minimo": 20.0, "maximo": 35.0, "accion_si_menor": "regar",
              "accion_si_mayor": "reducir_riego", "activo": True},
        headers=admin,
    )  # fmt: skip
    assert rule.status_code == 201
    assert rule.json() == {
        "id": rule.json()["id"], "etapa_id": stage_id, "parametro": "humedad_suelo", "minimo": 20.0, "maximo": 35.0,
        "accion_si_menor": "regar", "accion_si_mayor": "reducir_riego", "activo": True,
    }  # fmt: skip
    rule_id = rule.json()["id"]
    patched = await gateway.patch(f"/api/reglas/{rule_id}/", json={"activo": False}, headers=admin)
    assert patched.json()["activo"] is False
    put = await gateway.put(
        f"/api/reglas/{rule_id}/",
        json={"etapa_id": stage_id, "parametro": "temperatura", "minimo": 5, "maximo": 25},
        headers=admin,
    )
    assert put.json()["parametro"] == "temperatura"
    assert (await gateway.get(f"/api/etapas/{stage_id}/reglas/", headers=admin)).json()["count"] == 1
    assert (await gateway.patch(f"/api/cultivos/{crop_id}/", json={"descripcion": "x"}, headers=admin)).json()[
        "descripcion"
    ] == "x"

    refused = await gateway.delete(f"/api/cultivos/{crop_id}/", headers=admin)
    assert refused.status_code == 400
    assert "variedades" in refused.json()["detail"]
    assert (await gateway.delete(f"/api/etapas/{stage_id}/", headers=admin)).status_code == 204
    assert (await gateway.get(f"/api/reglas/{rule_id}/", headers=admin)).status_code == 404, "rules go with their stage"
    assert (await gateway.delete(f"/api/variedades/{variety_id}/", headers=admin)).status_code == 204
    assert (await gateway.delete(f"/api/cultivos/{crop_id}/", headers=admin)).status_code == 204


async def test_rule_with_minimum_above_maximum_is_400(
    gateway: httpx.AsyncClient, admin_token: str, own_catalogue: OwnCatalogue
) -> None:
    admin = auth_header(admin_token)
    stage_id = own_catalogue.stages[0]
    response = await gateway.post(
        "/api/reglas/", json={"etapa_id": stage_id, "parametro": "ph", "minimo": 8, "maximo": 5}, headers=admin
    )
    assert response.status_code == 400
    assert response.json()["minimo"] == ["minimo no puede ser mayor que maximo."]
    rule = await gateway.post(
        "/api/reglas/", json={"etapa_id": stage_id, "parametro": "ph", "minimo": 5, "maximo": 7}, headers=admin
    )
    assert rule.status_code == 201, rule.text
    patch = await gateway.patch(f"/api/reglas/{rule.json()['id']}/", json={"minimo": 1000}, headers=admin)
    assert patch.status_code == 400
    assert (await gateway.get(f"/api/reglas/{rule.json()['id']}/", headers=admin)).json()["minimo"] == 5


async def test_farmer_and_workspace_owner_cannot_write_the_catalogue(
    gateway: httpx.AsyncClient, farmer_headers: dict[str, str], owner_headers: dict[str, str]
) -> None:
    for headers in (farmer_headers, owner_headers):
        response = await gateway.post("/api/cultivos/", json={"nombre": "Intruso"}, headers=headers)
        assert response.status_code == 403
        assert set(response.json()) == {"detail"}
        assert (await gateway.post("/api/planes/", json={}, headers=headers)).status_code == 403
    assert (await gateway.get("/api/cultivos/", headers=farmer_headers)).status_code == 200


async def test_plan_admin_writes_and_validation(gateway: httpx.AsyncClient, admin_token: str) -> None:
    admin = auth_header(admin_token)
    bad = await gateway.post(
        "/api/planes/",
        json={"nombre": "Malo", "veces_por_dia": 1, "limite_lecturas_dia": -1, "precio": "1.00",
              "horarios_por_defecto": ["25:00"]},
        headers=admin,
    )  # fmt: skip
    assert bad.status_code == 400
    assert set(bad.json()) >= {"detail", "limite_lecturas_dia", "horarios_por_defecto"}
    plan = await gateway.post(
        "/api/planes/",
        json={"nombre": "Temporal-test", "veces_por_dia": 2, "limite_lecturas_dia": 4, "precio": "5.5"},
        headers=admin,
    )
    assert plan.status_code == 201
    assert plan.json()["precio"] == "5.50"
    assert (await gateway.patch(f"/api/planes/{plan.json()['id']}/", json={"precio": "6"}, headers=admin)).json()[
        "precio"
    ] == "6.00"
    assert (await gateway.delete(f"/api/planes/{plan.json()['id']}/", headers=admin)).status_code == 204


async def test_global_lists_are_paginated(gateway: httpx.AsyncClient, farmer_headers: dict[str, str]) -> None:
    for path in ("/api/variedades/", "/api/etapas/", "/api/reglas/"):
        page = (await gateway.get(f"{path}?page_size=2", headers=farmer_headers)).json()
        assert set(page) == {"count", "next", "previous", "results"}, path
        assert len(page["results"]) == 2
        assert page["previous"] is None
        second = (await gateway.get(page["next"].replace(str(gateway.base_url), ""), headers=farmer_headers)).json()
        assert second["previous"] is not None
    assert (await gateway.get("/api/etapas/?page=9999", headers=farmer_headers)).status_code == 404


async def test_global_variety_and_stage_endpoints(gateway: httpx.AsyncClient, admin_token: str) -> None:
    admin = auth_header(admin_token)
    crop = (await gateway.post("/api/cultivos/", json={"nombre": "Maíz-test"}, headers=admin)).json()
    variety = await gateway.post("/api/variedades/", json={"cultivo_id": crop["id"], "nombre": "Morado"}, headers=admin)
    assert variety.status_code == 201
    variety_id = variety.json()["id"]
    assert (await gateway.get(f"/api/variedades/{variety_id}/", headers=admin)).json()["nombre"] == "Morado"
    put = await gateway.put(
        f"/api/variedades/{variety_id}/",
        json={"cultivo_id": crop["id"], "nombre": "Morado", "descripcion": "Andino"},
        headers=admin,
    )
    assert put.json()["descripcion"] == "Andino"
    assert (
        await gateway.patch(f"/api/variedades/{variety_id}/", json={"nombre": "Morado II"}, headers=admin)
    ).status_code == 200
    unknown_crop = await gateway.post("/api/variedades/", json={"cultivo_id": 999999, "nombre": "X"}, headers=admin)
    assert unknown_crop.status_code == 400
    assert unknown_crop.json()["cultivo_id"] == ["No existe."]
    assert (await gateway.get("/api/cultivos/999999/variedades/", headers=admin)).status_code == 404

    stage = await gateway.post(
        "/api/etapas/", json={"variedad_id": variety_id, "nombre": "Siembra", "orden": 1}, headers=admin
    )
    assert stage.status_code == 201
    stage_id = stage.json()["id"]
    assert set(stage.json()) == {"id", "variedad_id", "nombre", "orden", "duracion_dias", "descripcion"}
    put_stage = await gateway.put(
        f"/api/etapas/{stage_id}/",
        json={"variedad_id": variety_id, "nombre": "Siembra", "duracion_dias": 12},
        headers=admin,
    )
    assert put_stage.json()["duracion_dias"] == 12
    patched = await gateway.patch(f"/api/etapas/{stage_id}/", json={"duracion_dias": 0}, headers=admin)
    assert patched.status_code == 400
    assert (await gateway.get(f"/api/etapas/{stage_id}/", headers=admin)).json()["duracion_dias"] == 12
    refused = await gateway.delete(f"/api/variedades/{variety_id}/", headers=admin)
    assert refused.status_code == 400
    assert (await gateway.delete(f"/api/etapas/{stage_id}/", headers=admin)).status_code == 204
    assert (await gateway.delete(f"/api/variedades/{variety_id}/", headers=admin)).status_code == 204
    assert (await gateway.delete(f"/api/cultivos/{crop['id']}/", headers=admin)).status_code == 204
