from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from auth.testing import Workspace, auth_header

NewField = Callable[..., Awaitable[int]]


@pytest.fixture
async def catalogue(gateway: httpx.AsyncClient, admin_token: str) -> dict[str, Any]:
    """Ids from the demo catalogue `make run` loads (Tomate > Cherry > 3 stages, plans)."""
    headers = auth_header(admin_token)
    crops = (await gateway.get("/api/cultivos/", headers=headers)).json()
    tomate = next(c for c in crops if c["nombre"] == "Tomate")
    cherry = next(
        v
        for v in (await gateway.get(f"/api/cultivos/{tomate['id']}/variedades/", headers=headers)).json()
        if v["nombre"] == "Cherry"
    )
    stages = (await gateway.get(f"/api/variedades/{cherry['id']}/etapas/", headers=headers)).json()["results"]
    plans = {p["nombre"]: p["id"] for p in (await gateway.get("/api/planes/")).json()["results"]}
    return {"crop": tomate["id"], "variety": cherry["id"], "stages": [s["id"] for s in stages], "plans": plans}


@pytest.fixture
def new_field(gateway: httpx.AsyncClient) -> NewField:
    """`await new_field(token, **fields)` -> the new field's id."""

    async def create(token: str, **values: Any) -> int:
        body = {"nombre": "Parcela A", "ubicacion": "Cusco", "tamano_hectareas": "2.5", **values}
        response = await gateway.post("/api/parcelas/", json=body, headers=auth_header(token))
        assert response.status_code == 201, response.text
        return int(response.json()["parcela_id"])

    return create


@pytest.fixture
def farmer_headers(workspace: Workspace) -> dict[str, str]:
    return auth_header(workspace.farmer_token)


@pytest.fixture
def owner_headers(workspace: Workspace) -> dict[str, str]:
    return auth_header(workspace.owner_token)
