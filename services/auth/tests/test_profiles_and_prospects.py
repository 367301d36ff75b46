"""004's profile and prospects through the gateway."""

import secrets
from typing import Any

import httpx

PROFILE = {
    "nombres": "Juan",
    "apellidos": "Pérez",
    "telefono": "999999999",
    "dni": "12345678",
    "fecha_nacimiento": "1990-01-01",
    "experiencia_agricola": 5,
}


async def test_profile_lifecycle_and_me(gateway: httpx.AsyncClient, token: str, as_header: Any) -> None:
    headers = as_header(token)
    assert (await gateway.get("/api/user/profile/", headers=headers)).status_code == 404
    created = await gateway.post("/api/user/profile/", json=PROFILE, headers=headers)
    assert created.status_code == 201
    assert created.json() == PROFILE
    assert (await gateway.post("/api/user/profile/", json=PROFILE, headers=headers)).status_code == 400
    patched = await gateway.patch("/api/user/profile/", json={"telefono": "111"}, headers=headers)
    assert patched.json() == {**PROFILE, "telefono": "111"}
    replaced = await gateway.put("/api/user/profile/", json={"nombres": "Ana"}, headers=headers)
    assert replaced.json()["nombres"] == "Ana"
    assert replaced.json()["dni"] == ""
    me = (await gateway.get("/auth/me/", headers=headers)).json()
    assert me["profile"]["nombres"] == "Ana"


async def test_profile_bad_input_is_400_with_field_list(gateway: httpx.AsyncClient, token: str, as_header: Any) -> None:
    response = await gateway.post(
        "/api/user/profile/",
        json={**PROFILE, "experiencia_agricola": -1, "fecha_nacimiento": "ayer"},
        headers=as_header(token),
    )
    assert response.status_code == 400
    body = response.json()
    assert body["detail"]
    assert set(body) == {"detail", "experiencia_agricola", "fecha_nacimiento"}


async def test_profile_needs_a_token(gateway: httpx.AsyncClient) -> None:
    assert (await gateway.get("/api/user/profile/")).status_code == 401


async def test_prospect_application_requires_its_fields(gateway: httpx.AsyncClient) -> None:
    response = await gateway.post("/api/user/prospectos/", json={"dni": "1"})
    assert response.status_code == 400
    assert response.json()["nombre_completo"] == ["Este campo es requerido."]
    assert response.json()["correo"] == ["Este campo es requerido."]


async def test_prospect_accepted_becomes_a_farmer_with_a_profile(
    gateway: httpx.AsyncClient, workspace: Any, as_header: Any
) -> None:
    owner = as_header(workspace.owner_token)
    prospects = (await gateway.get("/api/user/prospectos/", headers=owner)).json()
    assert isinstance(prospects, list)
    assert prospects[0]["estado"] == "aprobado"
    assert set(prospects[0]) == {
        "id", "nombre_completo", "dni", "correo", "telefono", "ubicacion_parcela", "descripcion_terreno", "estado",
    }  # fmt: skip
    detail = await gateway.get(f"/api/user/prospectos/{prospects[0]['id']}/", headers=owner)
    assert detail.json() == prospects[0]
    again = await gateway.post(
        f"/api/user/prospectos/{prospects[0]['id']}/aceptar/",
        json={"username": "x-y-z", "password": "12345678"},
        headers=owner,
    )
    assert again.status_code == 400
    me = (await gateway.get("/auth/me/", headers=as_header(workspace.farmer_token))).json()
    assert me["rol"] == "agricultor"
    assert me["profile"]["nombres"] == "Rosa Quispe"
    assert me["profile"]["dni"] == "12345678"


async def test_accepting_with_a_taken_username_says_so(
    gateway: httpx.AsyncClient, workspace: Any, as_header: Any
) -> None:
    applied = await gateway.post(
        "/api/user/prospectos/",
        json={
            "nombre_completo": "Otro",
            "dni": "87654321",
            "correo": "otro@example.com",
            "tenant": workspace.tenant_id,
        },
    )
    response = await gateway.post(
        f"/api/user/prospectos/{applied.json()['id']}/aceptar/",
        json={"username": workspace.farmer_username, "password": "12345678"},
        headers=as_header(workspace.owner_token),
    )
    assert response.status_code == 400
    assert response.json() == {"error": "Username ya existe"}


async def test_another_workspace_cannot_see_or_accept_prospects(
    gateway: httpx.AsyncClient, workspace: Any, admin_token: str, as_header: Any
) -> None:
    prospects = (await gateway.get("/api/user/prospectos/", headers=as_header(workspace.owner_token))).json()
    other = as_header(admin_token)
    assert (await gateway.get(f"/api/user/prospectos/{prospects[0]['id']}/", headers=other)).status_code == 404
    assert all(
        p["id"] != prospects[0]["id"] for p in (await gateway.get("/api/user/prospectos/", headers=other)).json()
    )


async def test_farmer_cannot_list_prospects(gateway: httpx.AsyncClient, workspace: Any, as_header: Any) -> None:
    assert (await gateway.get("/api/user/prospectos/", headers=as_header(workspace.farmer_token))).status_code == 403


async def test_a_prospect_with_the_longest_name_is_accepted(
    gateway: httpx.AsyncClient, workspace: Any, as_header: Any
) -> None:
    # 200 characters are allowed in an application, 150 in a profile's names (the hostile-values
    # pass found the 500).
    full = "N" * 150 + " " + "A" * 49
    applied = await gateway.post(
        "/api/user/prospectos/",
        json={"nombre_completo": full, "dni": "1", "correo": f"largo-{secrets.token_hex(3)}@example.com",
              "tenant": workspace.tenant_id},
    )  # fmt: skip
    assert applied.status_code == 201, applied.text
    username = f"largo-{secrets.token_hex(3)}"
    accepted = await gateway.post(
        f"/api/user/prospectos/{applied.json()['id']}/aceptar/",
        json={"username": username, "password": "UnaClave-123"},
        headers=as_header(workspace.owner_token),
    )
    assert accepted.status_code == 201, accepted.text
    token = (await gateway.post("/auth/login/", json={"username": username, "password": "UnaClave-123"})).json()[
        "token"
    ]
    profile = (await gateway.get("/auth/me/", headers=as_header(token))).json()["profile"]
    assert (profile["nombres"], profile["apellidos"]) == ("N" * 150, "A" * 49)
