"""Shared counters: one total across replicas, and local counting while NATS is away."""

import time
from pathlib import Path

from devstack.engines import start_nats
from devstack.processes import free_port
from shared.counters import SharedCounter
from shared.events import connect_nats


async def test_two_replicas_share_one_total_and_count_alone_while_nats_is_down(tmp_path: Path) -> None:
    port = free_port()
    server = start_nats(tmp_path / "nats", port)
    first_nc = await connect_nats(f"nats://127.0.0.1:{port}", name="one")
    second_nc = await connect_nats(f"nats://127.0.0.1:{port}", name="two")
    first, second = SharedCounter("test", window_seconds=600), SharedCounter("test", window_seconds=600)
    try:
        await first.attach(first_nc)
        await second.attach(second_nc)
        assert [await first.add("k"), await second.add("k"), await first.add("k")] == [1, 2, 3]
        assert await second.value("k") == 3
        assert await second.add("k", -3) == 0

        server.stop()
        started = time.monotonic()
        assert [await first.add("k"), await first.add("k")] == [1, 2]  # this replica alone
        assert time.monotonic() - started < 2, "an unreachable NATS must not stall requests"
    finally:
        await first_nc.close()
        await second_nc.close()
        server.stop()
