"""Scheduled maintenance inside the service that owns the data: one runner among replicas.

A service registers `MaintenanceJob`s (`create_service_app(maintenance=...)`; the events'
clean-up jobs are added for every service with an outbox and inbox). Every replica runs a
`MaintenanceRunner`, and for each job only one of them leads: the one holding the job's
PostgreSQL advisory lock (`pg_try_advisory_lock`, session level) on the runner's own
connection. The leader keeps the lock, and so the job, until its process or that connection
ends; the others ask again every interval, so one of them takes over within an interval of a
leader's death. A job that fails is logged and counted, and runs again at its next interval:
it never stops the runner or the service. A runner's jobs run one after another, so a job
that can take long belongs in a service's own `workers` rather than here.

Metrics, labelled by service (its schema) and job: `maintenance_rows_removed_total`,
`maintenance_last_run_timestamp_seconds` (end of the last successful run),
`maintenance_run_duration_seconds` and `maintenance_failures_total`; a job that keeps a
partitioned table counts what it does in `PARTITIONS` (`maintenance_partitions_total`, by
`change`: "created" or "dropped").
"""

import asyncio
import contextlib
import hashlib
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass

from prometheus_client import Counter, Gauge, Histogram
from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, AsyncSession, async_sessionmaker

__all__ = ["PARTITIONS", "MaintenanceJob", "MaintenanceRunner", "lock_key"]

logger = logging.getLogger(__name__)

ROWS_REMOVED = Counter("maintenance_rows_removed_total", "Rows a maintenance job removed", ["service", "job"])
LAST_RUN = Gauge(
    "maintenance_last_run_timestamp_seconds",
    "Unix time at which the job last finished without error (on the replica leading it)",
    ["service", "job"],
)
DURATION = Histogram(
    "maintenance_run_duration_seconds",
    "How long one run of a maintenance job took",
    ["service", "job"],
    buckets=(0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900),
)
FAILURES = Counter("maintenance_failures_total", "Runs of a maintenance job that raised", ["service", "job"])
PARTITIONS = Counter(
    "maintenance_partitions_total", "Partitions a maintenance job created or dropped", ["service", "job", "change"]
)

# A job: given the service's sessionmaker (its engine is `sessionmaker.kw["bind"]`), do one
# pass and return how many rows it removed. It owns its transactions; keep each one short.
JobFunction = Callable[[async_sessionmaker[AsyncSession]], Awaitable[int]]


@dataclass(frozen=True)
class MaintenanceJob:
    """`name` is unique within the service (it names the lock and the metrics' `job` label)."""

    name: str
    interval_seconds: float
    run: JobFunction


def lock_key(service: str, job: str) -> int:
    """The advisory lock of one job of one service: a stable signed 64-bit hash of both names."""
    digest = hashlib.blake2b(f"maintenance:{service}:{job}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


class MaintenanceRunner:
    """Runs each due job if this replica leads it; `run()` until cancelled."""

    def __init__(
        self,
        engine: AsyncEngine,
        sessionmaker: async_sessionmaker[AsyncSession],
        jobs: Sequence[MaintenanceJob],
        *,
        service: str,
    ) -> None:
        names = [job.name for job in jobs]
        if len(set(names)) != len(names):
            raise ValueError(f"maintenance job names repeat: {names}")
        self.engine = engine
        self.sessionmaker = sessionmaker
        self.jobs = list(jobs)
        self.service = service
        # The connection whose session holds the locks of the jobs this replica leads.
        self._locks: AsyncConnection | None = None
        self._leading: set[str] = set()

    @property
    def leading(self) -> frozenset[str]:
        """The jobs this replica holds the lock of."""
        return frozenset(self._leading)

    async def run(self) -> None:
        """Each job at once, then every `interval_seconds`; releases its locks when cancelled."""
        due = dict.fromkeys((job.name for job in self.jobs), 0.0)
        try:
            while self.jobs:
                for job in self.jobs:
                    if due[job.name] <= time.monotonic():
                        due[job.name] = time.monotonic() + job.interval_seconds
                        await self.run_if_leading(job)
                await asyncio.sleep(max(min(due.values()) - time.monotonic(), 0.0))
        finally:
            await self._drop_locks()

    async def run_if_leading(self, job: MaintenanceJob) -> bool:
        """One pass of `job` if this replica leads it (taking the lead if it is free); never raises
        but for cancellation. True when it ran (successfully or not)."""
        try:
            leading = await self._lead(job)
        except Exception:
            logger.warning("maintenance lock unavailable; next interval", exc_info=True, extra={"job": job.name})
            await self._drop_locks()
            return False
        if not leading:
            return False
        started = time.monotonic()
        try:
            removed = await job.run(self.sessionmaker)
        except Exception:
            FAILURES.labels(self.service, job.name).inc()
            logger.exception("maintenance job failed; next interval", extra={"job": job.name})
        else:
            ROWS_REMOVED.labels(self.service, job.name).inc(removed)
            LAST_RUN.labels(self.service, job.name).set_to_current_time()
            if removed:
                logger.info("maintenance", extra={"job": job.name, "removed": removed})
        finally:
            DURATION.labels(self.service, job.name).observe(time.monotonic() - started)
        return True

    async def _lead(self, job: MaintenanceJob) -> bool:
        if self._locks is None:
            connection = await self.engine.connect()
            # Autocommit: this session must never sit "idle in transaction" between checks.
            self._locks = await connection.execution_options(isolation_level="AUTOCOMMIT")
            self._leading.clear()
        if job.name in self._leading:
            # A session lock lasts as long as its session: a live connection still holds it.
            await self._locks.execute(text("SELECT 1"))
            return True
        if await self._locks.scalar(select(func.pg_try_advisory_lock(lock_key(self.service, job.name)))):
            self._leading.add(job.name)
            return True
        return False

    async def _drop_locks(self) -> None:
        """Close the lock session (invalidated, not returned to the pool, where the session and
        its locks would live on), so that another replica can lead at once."""
        connection, self._locks = self._locks, None
        self._leading.clear()
        if connection is not None:
            with contextlib.suppress(Exception):
                await connection.invalidate()
            with contextlib.suppress(Exception):
                await connection.close()
