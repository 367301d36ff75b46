"""Pytest fixtures for agro's objects, through the gateway: any test tree may use them.

Loaded through the `pytest11` entry point of platform-agro (like `auth.testing`), so ingest's
and brain's tests set up fields and nodes the way a client does.
"""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest


def auth_header(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


NewField = Callable[..., Awaitable[int]]


@dataclass(frozen=True)
class RegisteredNode:
    id: int
    codigo: str
    parcela_id: int
    token: str

    @property
    def header(self) -> dict[str, str]:
        return {"Authorization": f"Node {self.token}"}


NewNode = Callable[..., Awaitable[RegisteredNode]]


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
def new_node(gateway: httpx.AsyncClient) -> NewNode:
    """`await new_node(token, field_id, codigo="NM-001")` -> the master node and its token."""

    async def create(token: str, field_id: int, codigo: str = "NM-001") -> RegisteredNode:
        response = await gateway.post(
            f"/api/parcelas/{field_id}/nodos/create/", json={"codigo": codigo}, headers=auth_header(token)
        )
        assert response.status_code == 201, response.text
        body = response.json()
        return RegisteredNode(id=body["id"], codigo=body["codigo"], parcela_id=field_id, token=body["token"])

    return create
