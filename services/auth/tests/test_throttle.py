"""The login throttle's rules, on its own (the per-account rule is also tested end to end)."""

import pytest

from auth.session.throttle import LoginThrottle, TooManyAttempts


def test_address_limit_spans_accounts() -> None:
    throttle = LoginThrottle(per_account=100, per_address=3, window_seconds=60)
    for n in range(3):
        throttle.check(account=f"user{n}", address="10.0.0.1")
        throttle.failed(account=f"user{n}", address="10.0.0.1")
    with pytest.raises(TooManyAttempts):
        throttle.check(account="someone-else", address="10.0.0.1")
    throttle.check(account="someone-else", address="10.0.0.2")


def test_success_clears_the_account_but_not_the_address() -> None:
    throttle = LoginThrottle(per_account=2, per_address=3, window_seconds=60)
    for _ in range(2):
        throttle.failed(account="Ana", address="10.0.0.1")
    with pytest.raises(TooManyAttempts):
        throttle.check(account="ana", address="10.0.0.9")
    throttle.succeeded(account="ana")
    throttle.check(account="ana", address="10.0.0.9")


def test_failures_expire_after_the_window() -> None:
    throttle = LoginThrottle(per_account=1, per_address=10, window_seconds=0.0)
    throttle.failed(account="ana", address="10.0.0.1")
    throttle.check(account="ana", address="10.0.0.1")
