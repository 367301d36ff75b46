"""The rate limiter: windows that follow its clock (no NATS attached: one replica counting alone),
and a limit shared across replicas without a round trip per request."""

import secrets

import pytest

from devstack.stack import Stack
from gateway.ratelimit import RateLimiter
from shared.events import connect_nats

from .conftest import ManualClock


async def test_a_window_counts_until_the_clock_reaches_its_end() -> None:
    clock = ManualClock(1_700_000_040.0)  # a minute's start
    limiter = RateLimiter(2, bucket="unit", clock=clock)
    first, second, third = [await limiter.hit("ip:1") for _ in range(3)]
    assert [q.allowed for q in (first, second, third)] == [True, True, False]
    assert [q.remaining for q in (first, second, third)] == [1, 0, 0]
    assert third.reset_at == 1_700_000_100
    assert (await limiter.hit("ip:2")).allowed, "each caller counts alone"
    clock.advance(59.9)
    assert not (await limiter.hit("ip:1")).allowed
    clock.advance(0.1)
    renewed = await limiter.hit("ip:1")
    assert (renewed.allowed, renewed.remaining, renewed.reset_at) == (True, 1, 1_700_000_160)


async def test_a_refusal_says_the_quota_in_its_headers() -> None:
    limiter = RateLimiter(1, bucket="unit", clock=ManualClock(1_700_000_040.0))
    allowed, refused = await limiter.hit("ip:1"), await limiter.hit("ip:1")
    assert allowed.headers() == {
        "X-RateLimit-Limit": "1",
        "X-RateLimit-Remaining": "0",
        "X-RateLimit-Reset": "1700000100",
    }
    assert refused.refusal().status_code == 429
    assert refused.refusal().headers == allowed.headers()


async def test_hits_within_the_allowance_make_no_round_trip(monkeypatch: pytest.MonkeyPatch) -> None:
    limiter = RateLimiter(1000, bucket="unit", clock=ManualClock(1_700_000_040.0), allowance=10, flush_seconds=60)
    sent: list[int] = []
    add = limiter.counter.add

    async def counted(key: str, amount: int = 1) -> int:
        sent.append(amount)
        return await add(key, amount)

    monkeypatch.setattr(limiter.counter, "add", counted)
    quotas = [await limiter.hit("user:1") for _ in range(10)]
    assert sent == [], "decided from what the replica knows"
    assert [q.remaining for q in quotas] == list(range(999, 989, -1))
    assert (await limiter.hit("user:1")).remaining == 989
    assert sent == [11], "past its allowance, a hit waits for one increment of everything unsent"
    await limiter.hit("user:1")
    await limiter.flush()
    assert sent == [11, 1]


async def test_the_limit_holds_across_replicas_within_their_allowances(platform_engines: Stack) -> None:
    limit, allowance = 100, 5
    bucket = f"test-{secrets.token_hex(4)}"
    clients = [await connect_nats(platform_engines.nats_url, name=f"replica-{n}") for n in range(2)]
    replicas = [RateLimiter(limit, bucket=bucket, allowance=allowance, flush_seconds=0.01) for _ in clients]
    try:
        for replica, nc in zip(replicas, clients, strict=True):
            await replica.attach(nc)
        allowed = 0
        # One caller's requests, spread over both replicas faster than any background flush:
        # only the round trips past each replica's allowance tell it of the other's hits.
        for n in range(3 * limit):
            allowed += (await replicas[n % 2].hit("user:7")).allowed
        assert limit <= allowed <= limit + len(replicas) * allowance
        for replica in replicas:
            await replica.aclose()
        assert await replicas[0].counter.value("user:7") == 3 * limit, "every hit reached the shared count"
    finally:
        for nc in clients:
            await nc.close()
