"""The revocation follower against a NATS server of its own, killed and restarted mid-test."""

import asyncio
import time
from pathlib import Path

import nats
import pytest

from devstack.engines import start_nats
from devstack.processes import free_port
from devstack.waiting import eventually
from shared.events import Envelope, connect_nats, ensure_stream
from shared.security import Principal
from shared.security import revocations as revocations_module
from shared.security.live import until_invalid
from shared.security.revocations import (
    APIKEY_REVOKED,
    TENANT_DEACTIVATED,
    TOKEN_REVOKED,
    USER_TOKENS_REVOKED,
    RevocationList,
)
from shared.security.verifier import TokenVerifier


def _token(
    token_id: str = "t",
    *,
    tenant_id: int = 1,
    user_id: int = 1,
    issued_at: float = 0.0,
    session_id: str | None = None,
    api_key_id: str | None = None,
    expires_at: int | None = None,
) -> Principal:
    return Principal(
        user_id=user_id,
        tenant_id=tenant_id,
        role="agente",
        token_id=token_id,
        expires_at=expires_at or int(time.time()) + 3600,
        issued_at=issued_at,
        session_id=session_id,
        api_key_id=api_key_id,
    )


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


async def test_follower_keeps_revoking_after_nats_restarts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # Its client's reconnection ends the wait on the pull request the restart lost, not a timeout.
    monkeypatch.setattr(revocations_module, "_WAIT_SECONDS", 3600.0)
    port = free_port()
    server = start_nats(tmp_path / "nats", port)
    url = f"nats://127.0.0.1:{port}"
    nc = await connect_nats(url, name="follower")
    revocations = RevocationList()
    try:
        await _publish(url, TOKEN_REVOKED, {"jti": "before-start", "exp": int(time.time()) + 60, "user_id": 1})
        await revocations.follow(nc.jetstream(), window_seconds=3600)
        await eventually(lambda: revocations.revokes(_token("before-start")), "the follower revoked it")

        server.stop()
        server = start_nats(tmp_path / "nats", port)  # same store, as after a crash or an upgrade
        await _publish(url, TOKEN_REVOKED, {"jti": "after-restart", "exp": int(time.time()) + 60, "user_id": 1})
        await _publish(url, TENANT_DEACTIVATED, {"tenant_id": 7, "deactivated_at": time.time()})
        await _publish(url, USER_TOKENS_REVOKED, {"user_id": 5, "tenant_id": 9, "revoked_at": time.time()})
        await _publish(url, APIKEY_REVOKED, {"key_id": "k1", "tenant_id": 9})

        await eventually(lambda: revocations.revokes(_token("after-restart")), "the follower revoked it", seconds=20)
        earlier = time.time() - 5
        await eventually(
            lambda: revocations.revokes(_token(tenant_id=7, issued_at=earlier)), "the follower revoked it", seconds=20
        )
        assert not revocations.revokes(_token(tenant_id=8, issued_at=earlier))
        await eventually(
            lambda: revocations.revokes(_token(user_id=5, issued_at=earlier)), "the follower revoked it", seconds=20
        )
        assert not revocations.revokes(_token(user_id=6, issued_at=earlier))
        await eventually(
            lambda: revocations.revokes(_token("key:k1", api_key_id="k1")), "the follower revoked it", seconds=20
        )
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
            await eventually(lambda: revocations.revokes(_token("recent")), "the follower revoked it")
            assert not revocations.revokes(_token("old"))
        finally:
            await revocations.aclose()
            await nc.close()
    finally:
        server.stop()


def test_tokens_issued_after_a_deactivation_are_not_refused() -> None:
    revocations = RevocationList()
    revocations.close_tenant(3, 1000.0)
    assert revocations.revokes(_token(tenant_id=3, issued_at=999))
    assert revocations.revokes(_token(tenant_id=3, issued_at=1000))
    assert not revocations.revokes(_token(tenant_id=3, issued_at=1001))


def test_a_user_revocation_ends_earlier_tokens_only_and_spares_api_keys() -> None:
    revocations = RevocationList()
    revocations.close_user(4, 1000.5)
    assert revocations.revokes(_token(user_id=4, issued_at=1000.4))
    # A re-login in the same second as the role change is a new token with the new role.
    assert not revocations.revokes(_token(user_id=4, issued_at=1000.7))
    assert not revocations.revokes(_token(user_id=5, issued_at=1000.4))
    # API keys carry their own role; their maker's removal revokes them one by one.
    assert not revocations.revokes(_token("key:k", user_id=4, issued_at=1000.4, api_key_id="k"))


def test_a_logout_ends_its_whole_session() -> None:
    revocations = RevocationList()
    revocations.add("jti-2", time.time() + 60, session_id="s1")
    assert revocations.revokes(_token("jti-2", session_id="s1"))
    assert revocations.revokes(_token("jti-1", session_id="s1"))  # an earlier token of that login
    assert not revocations.revokes(_token("jti-3", session_id="s2"))


async def test_a_waiting_connection_learns_of_its_revocation_at_once() -> None:
    revocations = RevocationList()
    verifier = TokenVerifier("http://127.0.0.1:9/.well-known/jwks.json", issuer="x", revocations=revocations)
    try:
        waiter = asyncio.create_task(until_invalid(verifier, _token("jti-9", user_id=3, issued_at=time.time())))
        await asyncio.sleep(0.05)
        assert not waiter.done()
        revocations.add("unrelated", time.time() + 60)
        await asyncio.sleep(0.05)
        assert not waiter.done()  # woken, checked, waiting again
        revocations.close_user(3, time.time())
        assert await asyncio.wait_for(waiter, 1.0) == "revoked"
        expiring = _token("jti-10", expires_at=int(time.time()) + 1)
        assert await asyncio.wait_for(until_invalid(verifier, expiring), 3.0) == "expired"
    finally:
        await verifier.aclose()


def test_expired_revocations_are_forgotten_whatever_the_count() -> None:
    revocations = RevocationList()
    past = time.time() - 1
    # A logout adds two entries (token and session): an odd count must not stop the sweeping.
    revocations.add("odd", past)
    for n in range(5000):
        revocations.add(f"jti-{n}", past, session_id=f"sid-{n}")
    assert len(revocations._revoked) < 2100
    revocations.add("live", time.time() + 60)
    assert revocations.revokes(_token("live"))
