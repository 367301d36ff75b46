"""The revocation follower against a NATS server of its own, killed and restarted mid-test."""

import asyncio
import time
from pathlib import Path

import nats

from shared.devtools.engines import start_nats
from shared.devtools.processes import free_port
from shared.events import Envelope, connect_nats, ensure_stream
from shared.security.revocations import TENANT_DEACTIVATED, TOKEN_REVOKED, RevocationList


async def _publish(url: str, subject: str, data: dict[str, object]) -> None:
    # Retried while a restarted NATS comes back.
    for _ in range(100):
        try:
            nc = await nats.connect(url, connect_timeout=1, max_reconnect_attempts=0)
            try:
                envelope = Envelope(type=subject, source="test", data=data)
                await ensure_stream(nc.jetstream(), subject)
                await nc.jetstream().publish(subject, envelope.model_dump_json().encode())
                return
            finally:
                await nc.close()
        except (nats.errors.Error, OSError):
            await asyncio.sleep(0.1)
    raise AssertionError("could not publish")


async def _eventually(check: object, seconds: float = 10.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():  # type: ignore[operator]
            return True
        await asyncio.sleep(0.05)
    return False


async def test_follower_keeps_revoking_after_nats_restarts(tmp_path: Path) -> None:
    port = free_port()
    server = start_nats(tmp_path / "nats", port)
    url = f"nats://127.0.0.1:{port}"
    nc = await connect_nats(url, name="follower")
    revocations = RevocationList()
    try:
        await _publish(url, TOKEN_REVOKED, {"jti": "before-start", "exp": int(time.time()) + 60, "user_id": 1})
        await revocations.follow(nc.jetstream(), window_seconds=3600)
        assert await _eventually(lambda: revocations.is_revoked("before-start"))

        server.stop()
        server = start_nats(tmp_path / "nats", port)  # same store, as after a crash or an upgrade
        await _publish(url, TOKEN_REVOKED, {"jti": "after-restart", "exp": int(time.time()) + 60, "user_id": 1})
        await _publish(url, TENANT_DEACTIVATED, {"tenant_id": 7, "deactivated_at": time.time()})

        assert await _eventually(lambda: revocations.is_revoked("after-restart"), seconds=20)
        assert await _eventually(
            lambda: revocations.is_revoked("any", tenant_id=7, issued_at=int(time.time()) - 5), seconds=20
        )
        assert not revocations.is_revoked("any", tenant_id=8, issued_at=int(time.time()) - 5)
    finally:
        await revocations.aclose()
        await nc.close()
        server.stop()


async def test_follower_replays_only_its_window(tmp_path: Path) -> None:
    port = free_port()
    server = start_nats(tmp_path / "nats", port)
    url = f"nats://127.0.0.1:{port}"
    try:
        await _publish(url, TOKEN_REVOKED, {"jti": "old", "exp": int(time.time()) + 60, "user_id": 1})
        await asyncio.sleep(2.2)
        await _publish(url, TOKEN_REVOKED, {"jti": "recent", "exp": int(time.time()) + 60, "user_id": 1})
        nc = await connect_nats(url, name="follower")
        revocations = RevocationList()
        try:
            await revocations.follow(nc.jetstream(), window_seconds=1)
            assert await _eventually(lambda: revocations.is_revoked("recent"))
            assert not revocations.is_revoked("old")
        finally:
            await revocations.aclose()
            await nc.close()
    finally:
        server.stop()


def test_tokens_issued_after_a_deactivation_are_not_refused() -> None:
    revocations = RevocationList()
    revocations.close_tenant(3, 1000.0)
    assert revocations.is_revoked("t", tenant_id=3, issued_at=999)
    assert revocations.is_revoked("t", tenant_id=3, issued_at=1000)
    assert not revocations.is_revoked("t", tenant_id=3, issued_at=1001)
