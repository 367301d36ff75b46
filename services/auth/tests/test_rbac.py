"""004's RBAC through the gateway."""

from typing import Any

import httpx
import jwt

from shared.security.claims import unpack_permissions


async def test_modules_and_roles_are_paginated_for_admins(
    gateway: httpx.AsyncClient, workspace: Any, as_header: Any
) -> None:
    headers = as_header(workspace.owner_token)
    modules = (await gateway.get("/api/rbac/modulos/", headers=headers)).json()
    assert set(modules) == {"count", "next", "previous", "results"}
    assert {"id", "nombre"} == set(modules["results"][0])
    assert "administracion" in {m["nombre"] for m in modules["results"]}
    roles = (await gateway.get("/api/rbac/roles/?page_size=2", headers=headers)).json()
    assert roles["count"] == 4
    assert len(roles["results"]) == 2
    assert roles["next"].startswith(str(gateway.base_url))
    assert "page=2" in roles["next"]
    assert set(roles["results"][0]) == {"id", "nombre", "descripcion"}
    one = (await gateway.get(f"/api/rbac/roles/{roles['results'][0]['id']}/", headers=headers)).json()
    assert one == roles["results"][0]


async def test_permissions_filter_by_role_and_module_with_nested_objects(
    gateway: httpx.AsyncClient, workspace: Any, as_header: Any
) -> None:
    headers = as_header(workspace.owner_token)
    roles = {r["nombre"]: r["id"] for r in (await gateway.get("/api/rbac/roles/", headers=headers)).json()["results"]}
    modules = {
        m["nombre"]: m["id"] for m in (await gateway.get("/api/rbac/modulos/", headers=headers)).json()["results"]
    }
    page = await gateway.get(
        f"/api/rbac/permissions/?rol={roles['agricultor']}&modulo={modules['parcelas']}", headers=headers
    )
    assert page.status_code == 200
    results = page.json()["results"]
    assert {p["operacion"]["nombre"] for p in results} == {"ver", "crear", "actualizar", "eliminar"}
    first = results[0]
    assert set(first) == {"id", "rol", "modulo", "operacion"}
    assert first["rol"]["nombre"] == "agricultor"
    assert first["operacion"]["modulo"] == first["modulo"] == {"id": modules["parcelas"], "nombre": "parcelas"}


async def test_farmer_cannot_read_rbac(gateway: httpx.AsyncClient, workspace: Any, as_header: Any) -> None:
    response = await gateway.get("/api/rbac/modulos/", headers=as_header(workspace.farmer_token))
    assert response.status_code == 403
    assert set(response.json()) == {"detail"}


async def test_only_platform_admins_change_the_shared_role_catalogue(
    gateway: httpx.AsyncClient, workspace: Any, admin_token: str, as_header: Any
) -> None:
    admin = as_header(admin_token)
    roles = {r["nombre"]: r["id"] for r in (await gateway.get("/api/rbac/roles/", headers=admin)).json()["results"]}
    modules = {m["nombre"]: m["id"] for m in (await gateway.get("/api/rbac/modulos/", headers=admin)).json()["results"]}
    chat_ops = (
        await gateway.get(
            f"/api/rbac/permissions/?rol={roles['administrador']}&modulo={modules['chat']}", headers=admin
        )
    ).json()
    eliminar = next(p["operacion"]["id"] for p in chat_ops["results"] if p["operacion"]["nombre"] == "eliminar")
    body = {"rol_id": roles["tecnico"], "modulo_id": modules["chat"], "operacion_id": eliminar}

    refused = await gateway.post("/api/rbac/permissions/", json=body, headers=as_header(workspace.owner_token))
    assert refused.status_code == 403

    created = await gateway.post("/api/rbac/permissions/", json=body, headers=admin)
    assert created.status_code == 201, created.text
    assert created.json()["rol"]["nombre"] == "tecnico"
    assert created.json()["operacion"]["nombre"] == "eliminar"
    duplicate = await gateway.post("/api/rbac/permissions/", json=body, headers=admin)
    assert duplicate.status_code == 400
    assert "detail" in duplicate.json()
    deleted = await gateway.delete(f"/api/rbac/permissions/{created.json()['id']}/", headers=admin)
    assert deleted.status_code == 204
    gone = await gateway.get(f"/api/rbac/permissions/{created.json()['id']}/", headers=admin)
    assert gone.status_code == 404


async def test_operation_must_belong_to_the_module(
    gateway: httpx.AsyncClient, admin_token: str, as_header: Any
) -> None:
    admin = as_header(admin_token)
    modules = {m["nombre"]: m["id"] for m in (await gateway.get("/api/rbac/modulos/", headers=admin)).json()["results"]}
    perms = (await gateway.get(f"/api/rbac/permissions/?modulo={modules['chat']}", headers=admin)).json()["results"]
    chat_operation = perms[0]["operacion"]["id"]
    response = await gateway.post(
        "/api/rbac/permissions/",
        json={"rol_id": 1, "modulo_id": modules["parcelas"], "operacion_id": chat_operation},
        headers=admin,
    )
    assert response.status_code == 400
    assert response.json()["operacion_id"] == ["La operación no pertenece al módulo."]


async def test_owner_changes_a_member_role_and_the_event_is_published(
    gateway: httpx.AsyncClient, workspace: Any, as_header: Any, login: Any, published: Any
) -> None:
    headers = as_header(workspace.owner_token)
    roles = {r["nombre"]: r["id"] for r in (await gateway.get("/api/rbac/roles/", headers=headers)).json()["results"]}
    response = await gateway.patch(
        f"/api/rbac/users/{workspace.farmer_id}/role/", json={"rol_id": roles["tecnico"]}, headers=headers
    )
    assert response.status_code == 200
    assert response.json() == {"detail": "Rol actualizado", "user_id": workspace.farmer_id, "rol_id": roles["tecnico"]}
    token = await login(workspace.farmer_username, workspace.farmer_password)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["role"] == "tecnico"
    assert "nodos:crear" in unpack_permissions(claims["perms"])

    seen = await published("auth.user.role_changed")
    mine = [e for e in seen if e["data"]["user_id"] == workspace.farmer_id]
    assert len(mine) == 1
    assert mine[0]["data"] == {"user_id": workspace.farmer_id, "role": "tecnico", "previous_role": "agricultor"}
    assert mine[0]["tenant_id"] == workspace.tenant_id


async def test_role_change_of_another_tenants_user_is_404(
    gateway: httpx.AsyncClient, workspace: Any, token: str, as_header: Any
) -> None:
    # `token` belongs to `account`, whose workspace is also the fixture's; register a stranger.
    stranger = await gateway.post(
        "/users/",
        json={"email": "stranger-" + workspace.farmer_username + "@example.com", "password": "another-secret"},
    )
    stranger_token = (
        await gateway.post("/auth/login/", json={"username": stranger.json()["email"], "password": "another-secret"})
    ).json()["token"]
    response = await gateway.patch(
        f"/api/rbac/users/{workspace.farmer_id}/role/", json={"rol_id": 1}, headers=as_header(stranger_token)
    )
    assert response.status_code == 404


async def test_farmer_cannot_change_roles(gateway: httpx.AsyncClient, workspace: Any, as_header: Any) -> None:
    response = await gateway.patch(
        f"/api/rbac/users/{workspace.farmer_id}/role/", json={"rol_id": 1}, headers=as_header(workspace.farmer_token)
    )
    assert response.status_code == 403
