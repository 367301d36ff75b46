"""The login throttle's rules, counted in NATS: two throttles stand for two auth replicas."""

import secrets
from collections.abc import AsyncIterator

import nats
import pytest

from auth.errors import TooManyAttempts
from auth.session.throttle import LoginThrottle
from devstack.stack import Stack


@pytest.fixture
async def replicas(platform_engines: Stack) -> AsyncIterator[tuple[LoginThrottle, LoginThrottle]]:
    nc = await nats.connect(platform_engines.nats_url)
    pair = (
        LoginThrottle(per_account=3, per_address=4, window_seconds=900),
        LoginThrottle(per_account=3, per_address=4, window_seconds=900),
    )
    for throttle in pair:
        await throttle.attach(nc)
    yield pair
    await nc.close()


def _address() -> str:
    return f"10.{secrets.randbelow(250)}.{secrets.randbelow(250)}.{secrets.randbelow(250)}"


async def test_failures_on_one_replica_count_on_the_other(replicas: tuple[LoginThrottle, LoginThrottle]) -> None:
    first, second = replicas
    account = f"ana-{secrets.token_hex(4)}"
    for throttle in (first, second, first):
        await throttle.check(account=account, address=_address())
        await throttle.failed(account=account, address=_address())
    with pytest.raises(TooManyAttempts) as refused:
        await second.check(account=account.upper(), address=_address())
    assert 0 < int(refused.value.headers["Retry-After"]) <= 900


async def test_address_limit_spans_accounts(replicas: tuple[LoginThrottle, LoginThrottle]) -> None:
    first, second = replicas
    address = _address()
    for n in range(4):
        await (first if n % 2 else second).failed(account=f"user-{secrets.token_hex(4)}", address=address)
    with pytest.raises(TooManyAttempts):
        await first.check(account="someone-else", address=address)
    await first.check(account="someone-else", address=_address())


async def test_success_clears_the_account_but_not_the_address(replicas: tuple[LoginThrottle, LoginThrottle]) -> None:
    first, second = replicas
    account, address = f"eva-{secrets.token_hex(4)}", _address()
    for _ in range(3):
        await first.failed(account=account, address=address)
    with pytest.raises(TooManyAttempts):
        await second.check(account=account, address=_address())
    await second.succeeded(account=account)
    await first.check(account=account, address=_address())
    await first.failed(account="x", address=address)
    with pytest.raises(TooManyAttempts):
        await first.check(account="y", address=address)
