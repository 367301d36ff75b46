"""Knowing when a provider has the request: a turn stores its question only once the provider
call is on the wire, so the commit's work does not delay the request (issue 25: 1.5-3 ms of
the time to the first token).

The providers' HTTP clients run `announce_when_sent` on every request they send (an httpx
request hook, so proxies from the environment and the SSRF guard's transport are untouched).
It asks the transport to report the request's progress (httpcore's documented `trace`
extension, which `bots.provider.transport` honours too) and calls the callback that the task
making the call registered with `on_request_sent` once the request's body is written."""

import contextlib
from collections.abc import Callable, Iterator
from contextvars import ContextVar
from typing import Any

import httpx2

_callback: ContextVar[Callable[[], None] | None] = ContextVar("provider_request_sent", default=None)


@contextlib.contextmanager
def on_request_sent(callback: Callable[[], None]) -> Iterator[None]:
    """Within the block, `callback()` is called whenever a provider request of this task has
    been written (it may be called more than once: retries, tool rounds)."""
    token = _callback.set(callback)
    try:
        yield
    finally:
        _callback.reset(token)


async def announce_when_sent(request: httpx2.Request) -> None:
    """A request hook of the provider clients (`event_hooks={"request": [...]}`)."""
    callback = _callback.get()
    if callback is None:
        return

    async def trace(event: str, _info: dict[str, Any]) -> None:
        if event.endswith("send_request_body.complete"):
            callback()

    request.extensions = {**request.extensions, "trace": trace}
