"""The one way a test waits for something asynchronous to become true."""

import asyncio
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

T = TypeVar("T")


async def eventually(
    probe: Callable[[], Awaitable[T | None]], what: str, *, seconds: float = 15, interval: float = 0.05
) -> T:
    """Await `probe()` until it returns something truthy, and return that; fail naming `what`.

    For "it happens": never use it (or a sleep) to prove that something did *not* happen;
    wait for a later event the consumer must have processed first (the `consumed` fixture).
    """
    deadline = time.monotonic() + seconds
    while True:
        found = await probe()
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds:g} s: {what}")
        await asyncio.sleep(interval)
