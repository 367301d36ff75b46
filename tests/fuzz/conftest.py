import httpx
import pytest

from shared.devtools.pytest_plugin import Credentials
from shared.devtools.stack import Stack


@pytest.fixture(scope="session")
def fuzzing_admin_token(platform_stack: Stack, platform_admin: Credentials) -> str:
    """Taken once, before any fuzzing: the fuzzer's failed logins as `admin` lock that account."""
    response = httpx.post(
        f"{platform_stack.url('gateway')}/auth/login/",
        json={"username": platform_admin.username, "password": platform_admin.password},
    )
    assert response.status_code == 200, response.text
    return str(response.json()["token"])
