"""What the suite needs of its servers, checked when a process starts and reported by `/readyz`.

NATS 2.12 or later, with JetStream: the shared counters (`shared.counters`: rate limits, login
throttling) are a stream with `allow_msg_counter`, which older servers ignore (2.11 logs
`json: unknown field "allow_msg_counter"`, creates the stream without it and acks increments
with no `val`); each replica would then count alone, silently.

PostgreSQL 11 or later: the newest features the migrations and queries use are `ON CONFLICT`,
`FOR UPDATE SKIP LOCKED`, `INSERT ... AS alias` and named arguments to `make_interval` (9.5),
and chat's migration 0002 adds a NOT NULL column with a default, which only 11 does without
rewriting the table. pgvector (bots' search by meaning) is optional and detected on its own.
The suite runs on 17 (compose, both overlays) and 18 (`make run`).

A process whose servers fall short keeps running but never becomes ready: `/readyz` answers 503
naming the reason, and the reason is logged once as an error. It does not refuse to start: a
process that exits restarts in a loop whose reason is in a previous container's log, while one
that stays up and unready holds a rolling update back (the old replicas keep serving) and
answers "why" to anyone who asks `/readyz`.
"""

import asyncio
import logging
import re
from collections.abc import Awaitable, Callable

from nats.aio.client import Client as NATS
from nats.errors import Error as NatsError
from nats.errors import NoRespondersError
from nats.js.errors import NotFoundError, ServiceUnavailableError
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from shared.counters import STREAM as COUNTER_STREAM
from shared.counters import SharedCounter

__all__ = ["MIN_NATS", "MIN_POSTGRES", "OK", "Requirements", "dotted", "parse_version", "satisfies"]

logger = logging.getLogger(__name__)

MIN_NATS = (2, 12)
MIN_POSTGRES = (11,)
OK = "ok"
# A check that cannot answer within this long (a server still starting) is asked again later.
_CHECK_SECONDS = 3.0
_VERSION = re.compile(r"\s*v?(\d+(?:\.\d+)*)")


def parse_version(version: str) -> tuple[int, ...]:
    """The numeric release of a version string: "2.11.11" -> (2, 11, 11), "17.5 (Debian ...)" -> (17, 5)."""
    match = _VERSION.match(version)
    if match is None:
        raise ValueError(f"not a version: {version!r}")
    return tuple(int(part) for part in match.group(1).split("."))


def satisfies(version: str, minimum: tuple[int, ...]) -> bool:
    """Whether `version` is `minimum` or later ("2.12.0" and "2.12" satisfy (2, 12); "2.11.11" does not)."""
    try:
        return parse_version(version) >= minimum
    except ValueError:
        return False


def dotted(version: tuple[int, ...]) -> str:
    return ".".join(str(part) for part in version)


class _NotYet(Exception):
    """The server did not answer the check: ask again at the next `/readyz`."""


async def check_nats(nc: NATS) -> str:
    """`OK`, or why this NATS server cannot carry the suite."""
    if not nc.is_connected:
        raise _NotYet("NATS not connected")
    server = nc.connected_server_version
    version = f"{server.major}.{server.minor}.{server.patch}"
    if not satisfies(version, MIN_NATS):
        return f"NATS {version} < {dotted(MIN_NATS)}: shared counters (allow_msg_counter) unavailable"
    js = nc.jetstream()
    try:
        await js.account_info()
    except (ServiceUnavailableError, NoRespondersError):
        return f"NATS {version}: JetStream is not enabled (start nats-server with --jetstream)"
    counter = SharedCounter("requirements", window_seconds=60)
    await counter.attach(nc)  # creates the counter stream where it is missing
    if await counter.add_shared("probe") is not None:
        return OK
    try:
        info = await js.stream_info(COUNTER_STREAM)
    except NotFoundError:
        raise _NotYet(f"stream {COUNTER_STREAM} not found") from None
    if not info.config.allow_msg_counter:
        # Made by an older server: memory storage, only the current windows, safe to delete.
        return (
            f"NATS {version}: stream {COUNTER_STREAM} has no allow_msg_counter (created by an older "
            f"NATS); delete it (nats stream rm {COUNTER_STREAM}) and restart this process"
        )
    raise _NotYet("a counter increment did not answer")


async def check_postgres(engine: AsyncEngine) -> str:
    """`OK`, or why this PostgreSQL server cannot carry the suite."""
    try:
        async with engine.connect() as conn:
            version = str(await conn.scalar(text("SHOW server_version")))
    except (SQLAlchemyError, OSError) as exc:
        raise _NotYet(f"database unreachable: {type(exc).__name__}") from exc
    if not satisfies(version, MIN_POSTGRES):
        return f"PostgreSQL {version} < {dotted(MIN_POSTGRES)}: the migrations and queries need it"
    return OK


class Requirements:
    """The server checks of one process. `await report()` runs those not settled yet and answers
    each check's state: `OK`, the reason it failed (settled, logged once), or "not checked yet"."""

    def __init__(self, *, nats: NATS | None = None, engine: AsyncEngine | None = None) -> None:
        self._checks: dict[str, Callable[[], Awaitable[str]]] = {}
        if nats is not None:
            self._checks["nats_server"] = lambda: check_nats(nats)
        if engine is not None:
            self._checks["postgresql_server"] = lambda: check_postgres(engine)
        self._settled: dict[str, str] = {}
        self._lock = asyncio.Lock()

    async def report(self) -> dict[str, str]:
        async with self._lock:  # readiness probes may overlap; each check runs once at a time
            states: dict[str, str] = {}
            for name, check in self._checks.items():
                states[name] = self._settled[name] if name in self._settled else await self._run(name, check)
            return states

    async def _run(self, name: str, check: Callable[[], Awaitable[str]]) -> str:
        try:
            async with asyncio.timeout(_CHECK_SECONDS):
                outcome = await check()
        except (_NotYet, NatsError, TimeoutError) as exc:
            return f"not checked yet: {exc or type(exc).__name__}"
        self._settled[name] = outcome
        if outcome == OK:
            logger.info("server requirement met", extra={"check": name})
        else:
            logger.error("server requirement unmet: not ready", extra={"check": name, "reason": outcome})
        return outcome
