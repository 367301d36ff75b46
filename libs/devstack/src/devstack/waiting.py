"""The one way a test waits for something asynchronous to become true."""

import asyncio
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import TypeVar, overload

T = TypeVar("T")


@overload
async def eventually(
    probe: Callable[[], Awaitable[T | None]], what: str, *, seconds: float = 15, interval: float = 0.05
) -> T: ...


@overload
async def eventually(probe: Callable[[], T | None], what: str, *, seconds: float = 15, interval: float = 0.05) -> T: ...


async def eventually(probe: Callable[[], object], what: str, *, seconds: float = 15, interval: float = 0.05) -> object:
    """Call `probe()` (awaiting its answer when it is awaitable) until it answers something
    truthy, and return that; fail naming `what`.

    For "it happens": never use it (or a sleep) to prove that something did *not* happen;
    wait for a later event the consumer must have processed first (the `consumed` fixture).
    """
    deadline = time.monotonic() + seconds
    while True:
        answer = probe()
        found = await answer if inspect.isawaitable(answer) else answer
        if found:
            return found
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds:g} s: {what}")
        await asyncio.sleep(interval)
