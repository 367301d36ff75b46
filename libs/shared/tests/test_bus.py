"""Reconnect hooks: what a restarted NATS server forgot is made again when the client is back,
pushed by the client rather than polled for."""

import asyncio
from pathlib import Path

import nats
import pytest

from devstack.engines import restart_nats, start_nats
from devstack.processes import free_port
from devstack.waiting import eventually
from shared.events import connect_nats, on_reconnected


async def test_a_reconnect_hook_runs_after_a_nats_restart_until_removed(tmp_path: Path) -> None:
    server = start_nats(tmp_path / "nats", free_port())
    nc = await connect_nats(f"nats://127.0.0.1:{server.port}", name="hooks")
    calls: list[bool] = []

    async def failing() -> None:
        raise RuntimeError("a hook's bug")

    async def hook() -> None:
        calls.append(nc.is_connected)

    try:
        on_reconnected(nc, failing)  # runs first and raises: the next hook still runs
        forget = on_reconnected(nc, hook)
        server.stop()
        server = restart_nats(server)
        await eventually(lambda: calls, "the hook ran after the reconnection")
        assert calls == [True]
        forget()
        later: list[bool] = []

        async def last() -> None:  # hooks run in order: once this ran, the removed one had its turn
            later.append(True)

        on_reconnected(nc, last)
        server.stop()
        server = restart_nats(server)
        await eventually(lambda: later, "the hooks ran after the second reconnection")
        assert calls == [True], "a removed hook does not run"
    finally:
        await nc.close()
        server.stop()


async def test_a_hook_needs_a_client_made_by_connect_nats(tmp_path: Path) -> None:
    server = start_nats(tmp_path / "nats", free_port())
    nc = await nats.connect(f"nats://127.0.0.1:{server.port}")

    async def hook() -> None:
        await asyncio.sleep(0)

    try:
        with pytest.raises(ValueError, match="connect_nats"):
            on_reconnected(nc, hook)
    finally:
        await nc.close()
        server.stop()
