"""The rate limiter's windows follow its clock (no NATS attached: one replica counting alone)."""

from gateway.ratelimit import RateLimiter

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
