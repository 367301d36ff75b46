"""A NATS restart must not stop logouts from reaching every process (a suite of its own)."""

import httpx
import pytest

from devstack.engines import start_nats
from devstack.processes import eventually
from devstack.stack import Stack


@pytest.mark.timeout(180)
def test_logout_after_a_nats_restart_is_refused_everywhere(isolated_stack: Stack) -> None:
    stack = isolated_stack
    gateway = stack.url("gateway")
    account = {"email": "restart@example.com", "password": "una-clave-segura"}
    assert httpx.post(f"{gateway}/users/", json=account).status_code == 200
    token = httpx.post(f"{gateway}/api/auth/login", json={"username": account["email"], **account}).json()[
        "access_token"
    ]
    headers = {"Authorization": f"Bearer {token}"}
    targets = [
        f"{gateway}/auth/me/",
        f"{stack.url('auth')}/auth/me/",
        f"{stack.url('agro')}/api/parcelas/",
    ]
    assert [httpx.get(url, headers=headers).status_code for url in targets] == [200, 200, 200]

    assert stack.nats is not None
    port, folder = stack.nats.port, stack.nats.data_dir
    stack.nats.stop()
    stack.nats = start_nats(folder, port)  # the same store, as after a crash or an upgrade
    services = ("auth", "agro", "gateway")
    assert eventually(lambda: all(httpx.get(f"{stack.admin_url(s)}/readyz").status_code == 200 for s in services), 30)

    assert httpx.post(f"{gateway}/auth/logout/", headers=headers).status_code == 204
    assert eventually(lambda: all(httpx.get(url, headers=headers).status_code == 401 for url in targets), 5), [
        httpx.get(url, headers=headers).status_code for url in targets
    ]
