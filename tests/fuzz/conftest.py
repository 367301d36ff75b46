import time

import httpx
import pytest

from devstack.pytest_plugin import Credentials
from devstack.stack import Stack


@pytest.fixture(scope="session")
def fuzzing_admin_token(platform_stack: Stack, platform_admin: Credentials) -> str:
    """Taken once, before any fuzzing: the fuzzer's failed logins as `admin` lock that account."""
    response = httpx.post(
        f"{platform_stack.url('gateway')}/auth/login/",
        json={"username": platform_admin.username, "password": platform_admin.password},
    )
    assert response.status_code == 200, response.text
    return str(response.json()["token"])


@pytest.fixture(scope="session")
def fuzzing_node(platform_stack: Stack, fuzzing_admin_token: str) -> dict[str, object]:
    """A field and master node of the admin's: the ingest route is swept with a real node token,
    so its body reaches validation instead of stopping at 401."""
    gateway = platform_stack.url("gateway")
    headers = {"Authorization": f"Token {fuzzing_admin_token}"}
    field = httpx.post(f"{gateway}/api/parcelas/", json={"nombre": "Fuzz", "tamano_hectareas": "1"}, headers=headers)
    assert field.status_code == 201, field.text
    field_id = field.json()["parcela_id"]
    node = httpx.post(f"{gateway}/api/parcelas/{field_id}/nodos/create/", json={"codigo": "NM-FUZZ"}, headers=headers)
    assert node.status_code == 201, node.text
    token = node.json()["token"]
    probe = {"codigo_nodo_maestro": "NM-FUZZ", "parcela_id": field_id, "lecturas": []}
    deadline = time.monotonic() + 15
    # Known to ingest once a post gets past the token (an empty batch: 400, not 401).
    while (
        httpx.post(f"{gateway}/api/nodes/ingest/", json=probe, headers={"Authorization": f"Node {token}"}).status_code
        == 401
    ):
        assert time.monotonic() < deadline, "ingest never learnt the fuzzing node"
        time.sleep(0.1)
    return {"parcela_id": field_id, "codigo": "NM-FUZZ", "token": token}
