"""Input PostgreSQL would refuse answers 4xx in each seed's shape, never 500 (the fuzz findings)."""

from typing import Any

import httpx


async def test_nul_in_a_login_is_a_400_not_a_500(gateway: httpx.AsyncClient) -> None:
    response = await gateway.post("/auth/login/", json={"username": "a\u0000", "password": "x"})
    assert response.status_code == 400
    assert "username" in response.json()


async def test_tenant_beyond_64_bits_on_the_public_prospect_form(gateway: httpx.AsyncClient) -> None:
    body = {"nombre_completo": "Ana", "dni": "1", "correo": "ana@example.com", "tenant": 1e20}
    response = await gateway.post("/api/user/prospectos/", json=body)
    assert response.status_code == 400
    assert "tenant" in response.json()


async def test_explicit_null_on_a_required_profile_field(
    gateway: httpx.AsyncClient, token: str, as_header: Any
) -> None:
    headers = as_header(token)
    created = await gateway.post("/api/user/profile/", json={"nombres": "Juan"}, headers=headers)
    assert created.status_code == 201, created.text
    refused = await gateway.patch("/api/user/profile/", json={"nombres": None}, headers=headers)
    assert refused.status_code == 400
    assert refused.json()["nombres"] == ["Este campo no puede ser nulo."]
    cleared = await gateway.patch("/api/user/profile/", json={"fecha_nacimiento": None}, headers=headers)
    assert cleared.status_code == 200, cleared.text


async def test_nul_in_the_oauth2_form_is_a_422_not_a_500(gateway: httpx.AsyncClient) -> None:
    response = await gateway.post("/token", data={"username": "a\u0000b", "password": "x"})
    assert response.status_code == 422
