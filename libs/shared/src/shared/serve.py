"""`python -m shared.serve <app> [uvicorn's options]`: uvicorn's command line, with a main loop
that wakes once a second instead of ten times.

uvicorn's `Server.main_loop` sleeps 0.1 s between ticks to notice a shutdown signal, and
refreshes the `Date` header every tenth tick: ten wake-ups a second in every process, the
largest part of what an idle suite costs (about 0.1% of a core per process). `QuietServer` ticks
once a second (the `Date` header is refreshed as often as before) and a signal wakes it at once,
so stopping is no slower.

Idle keep-alive connections are kept `KEEP_ALIVE_SECONDS` (uvicorn's default is 5 s): the
gateway keeps its pooled connections to the services for less than that, and with 5 s a
user's request more than a couple of seconds after the previous one paid a new connection
(0.5-1 ms of a streamed answer's first token, issue 25). `--timeout-keep-alive` still wins.
"""

import asyncio
import contextlib
import importlib
from types import FrameType

import uvicorn

__all__ = ["KEEP_ALIVE_SECONDS", "QuietServer", "defaults", "main"]

# Longer than any client of ours keeps an idle connection (the gateway's upstream pool: 60 s),
# so the server never closes one that a client is about to reuse.
KEEP_ALIVE_SECONDS = 75


class QuietServer(uvicorn.Server):
    """A uvicorn server whose main loop ticks every `tick_seconds` and wakes at once on a signal
    or `stop()`. Setting `should_exit` by hand takes effect at the next tick."""

    tick_seconds = 1.0

    def __init__(self, config: uvicorn.Config) -> None:
        super().__init__(config)
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None

    def stop(self) -> None:
        """Ask the server to exit now (from its own event loop's thread)."""
        self.should_exit = True
        if self._wake is not None:
            self._wake.set()

    def handle_exit(self, sig: int, frame: FrameType | None) -> None:
        super().handle_exit(sig, frame)
        # A signal handler runs between two bytecodes of whatever the loop was doing: hand the
        # wake-up to the loop rather than touching the event here.
        if self._loop is not None and self._wake is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    async def main_loop(self) -> None:
        self._loop, self._wake = asyncio.get_running_loop(), asyncio.Event()
        counter = 0
        should_exit = await self.on_tick(counter)
        while not should_exit:
            # `on_tick` refreshes the Date header when `counter % 10 == 0`: each tick is a second.
            counter = (counter + 10) % 864000
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), self.tick_seconds)
            should_exit = await self.on_tick(counter)


def defaults() -> dict[str, object]:
    """What differs from uvicorn's own defaults (options given on the command line win)."""
    return {"timeout_keep_alive": KEEP_ALIVE_SECONDS}


def main() -> None:
    # uvicorn's command line builds its server by the module-level name `Server` (the module,
    # not the `uvicorn.main` command the package re-exports under the same name).
    cli = importlib.import_module("uvicorn.main")
    setattr(cli, "Server", QuietServer)  # noqa: B010 (a module typed as ModuleType)
    cli.main(default_map=defaults())


if __name__ == "__main__":
    main()
