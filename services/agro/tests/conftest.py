import secrets
from dataclasses import dataclass

import httpx
import pytest

from auth.testing import Workspace, auth_header


@pytest.fixture
def farmer_headers(workspace: Workspace) -> dict[str, str]:
    return auth_header(workspace.farmer_token)


@pytest.fixture
def owner_headers(workspace: Workspace) -> dict[str, str]:
    return auth_header(workspace.owner_token)


@dataclass(frozen=True)
class OwnCatalogue:
    crop: int
    variety: int
    stages: list[int]


@pytest.fixture
async def own_catalogue(gateway: httpx.AsyncClient, admin_token: str) -> OwnCatalogue:
    """A crop > variety > two stages of this test's own. The catalogue is platform-wide: a test
    that wrote the demo one (`catalogue`) would change what every workspace sees."""
    admin = auth_header(admin_token)

    async def post(path: str, body: dict[str, object]) -> int:
        response = await gateway.post(path, json=body, headers=admin)
        assert response.status_code == 201, response.text
        return int(response.json()["id"])

    crop = await post("/api/cultivos/", {"nombre": f"Cultivo-{secrets.token_hex(4)}"})
    variety = await post(f"/api/cultivos/{crop}/variedades/", {"nombre": "Prueba"})
    stages = [
        await post(f"/api/variedades/{variety}/etapas/", {"nombre": f"Etapa {n}", "orden": n, "duracion_dias": 10})
        for n in (1, 2)
    ]
    return OwnCatalogue(crop=crop, variety=variety, stages=stages)
