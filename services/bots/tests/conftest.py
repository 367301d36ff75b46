from collections.abc import Awaitable, Callable
from typing import Any

import httpx
import pytest

from auth.testing import Workspace, auth_header
from bots.testing import ANTHROPIC_KEY, OPENAI_KEY, LoopbackProvider

Integrate = Callable[..., Awaitable[dict[str, Any]]]


@pytest.fixture
def integrate(gateway: httpx.AsyncClient, workspace: Workspace, provider: LoopbackProvider) -> Integrate:
    """`await integrate("openai", name)`: the workspace's integration with the loopback provider."""

    async def add(kind: str, name: str = "") -> dict[str, Any]:
        key = ANTHROPIC_KEY if kind == "anthropic" else OPENAI_KEY
        base_url = provider.url if kind == "anthropic" else provider.openai_url
        body = {"nombre": name or kind, "provider": kind, "api_key": key, "base_url": base_url, "enabled": True}
        response = await gateway.post("/api/ai/config/", json=body, headers=auth_header(workspace.owner_token))
        assert response.status_code == 201, response.text
        return dict(response.json())

    return add
