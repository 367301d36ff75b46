"""A NATS restart must not stop logouts from reaching every process (a suite of its own)."""

import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from shared.devtools.catalog import discover
from shared.devtools.engines import start_nats
from shared.devtools.pytest_plugin import TEST_ENV
from shared.devtools.stack import Stack, StackConfig


@pytest.fixture
def own_stack(tmp_path: Path) -> Iterator[Stack]:
    """Every service on engines of its own: restarting its NATS disturbs no other test."""
    services = discover()
    stack = Stack(StackConfig.ephemeral(tmp_path, services, **TEST_ENV), services)
    try:
        stack.start()
        yield stack
    finally:
        stack.stop()


def _eventually(check: object, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        time.sleep(0.1)
    return False


@pytest.mark.timeout(180)
def test_logout_after_a_nats_restart_is_refused_everywhere(own_stack: Stack) -> None:
    gateway = own_stack.url("gateway")
    account = {"email": "restart@example.com", "password": "una-clave-segura"}
    assert httpx.post(f"{gateway}/users/", json=account).status_code == 200
    token = httpx.post(f"{gateway}/api/auth/login", json={"username": account["email"], **account}).json()[
        "access_token"
    ]
    headers = {"Authorization": f"Bearer {token}"}
    targets = [f"{gateway}/auth/me/", f"{own_stack.url('auth')}/auth/me/", f"{own_stack.url('agro')}/api/parcelas/"]
    assert [httpx.get(url, headers=headers).status_code for url in targets] == [200, 200, 200]

    assert own_stack.nats is not None
    port, folder = own_stack.nats.port, own_stack.nats.data_dir
    own_stack.nats.stop()
    own_stack.nats = start_nats(folder, port)  # the same store, as after a crash or an upgrade
    services = ("auth", "agro", "gateway")
    assert _eventually(lambda: all(httpx.get(f"{own_stack.url(s)}/readyz").status_code == 200 for s in services), 30)

    assert httpx.post(f"{gateway}/auth/logout/", headers=headers).status_code == 204
    assert _eventually(lambda: all(httpx.get(url, headers=headers).status_code == 401 for url in targets), 5), [
        httpx.get(url, headers=headers).status_code for url in targets
    ]
